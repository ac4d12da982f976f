package series

import (
	"math"
	"testing"
	"time"
)

func idxAxis(n int) Axis { return NewAxis(make([]time.Time, n)) }

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		v    []float64
		want Class
	}{
		{"linear leak", []float64{10, 20, 30, 40, 50, 60}, Growing},
		{"leak from nothing", []float64{0, 10, 20, 30, 40}, Growing},
		{"noisy leak", []float64{10, 20, 18, 30, 40, 38, 50}, Growing},
		{"slow leak", []float64{100, 100.5, 101, 101.5, 102, 102.5, 103, 103.5, 104, 104.5, 105}, Growing},
		{"slice doubling", []float64{1, 2, 2, 4, 4, 4, 8}, Growing},
		{"two snapshots up", []float64{1, 2}, Growing},
		{"three snapshots up", []float64{1, 2, 3}, Growing},
		{"cache fills", []float64{0, 5, 10, 10, 10, 10}, Plateau},
		{"new and steady", []float64{0, 0, 0, 7, 7, 7}, Plateau},
		{"new at the end", []float64{0, 0, 0, 0, 7}, New},
		{"new at the end, two snapshots", []float64{0, 7}, Growing},
		{"cache fills from start", []float64{2, 6, 10, 10, 10, 10}, Plateau},
		{"plateau with jitter", []float64{1, 10, 20, 20.1, 19.9, 20.05}, Plateau},
		{"three snapshots plateau", []float64{1, 10, 10}, Plateau},
		{"single late jump", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 10}, Plateau},
		{"late appearance", []float64{0, 0, 0, 0, 10}, New},
		{"sawtooth", []float64{0, 2, 4, 0, 2, 4, 0}, Sawtooth},
		{"sawtooth nonzero", []float64{2, 8, 3, 9, 2, 7}, Sawtooth},
		{"one tooth", []float64{1, 10, 1}, Sawtooth},
		{"peak then fall", []float64{1, 10, 20, 15, 10}, Sawtooth},
		{"churn jitter", []float64{5, 5.2, 4.9, 5.1, 5}, Flat},
		{"constant", []float64{7, 7, 7, 7}, Flat},
		{"intermittent", []float64{0, 3, 0, 4, 0, 3}, Sawtooth},
		{"gone", []float64{5, 6, 0, 0}, Gone},
		{"shrinking", []float64{50, 40, 30, 20, 10}, Shrinking},
		{"noisy shrink", []float64{50, 40, 42, 30, 20, 22, 10}, Shrinking},
		{"two snapshots down", []float64{2, 1}, Shrinking},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := Analyze(idxAxis(len(c.v)), c.v, DefaultNoise, 0)
			if tr.Class != c.want {
				t.Errorf("%v: class %s (tau %.2f up %d down %d noise %.3g), want %s", c.v, tr.Class, tr.Tau, tr.Up, tr.Down, tr.Noise, c.want)
			}
			if (tr.Class == Growing) != (tr.Score > 0) {
				t.Errorf("%v: class %s with score %g", c.v, tr.Class, tr.Score)
			}
		})
	}
}

func TestTheilSenRobust(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4, 5, 6}
	y := []float64{0, 2, 4, 100, 8, 10, 12} // one outlier
	if got := theilSen(x, y); got != 2 {
		t.Errorf("theilSen = %g, want 2", got)
	}
}

func TestNewAxis(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ax := NewAxis([]time.Time{t0, t0.Add(30 * time.Minute), t0.Add(2 * time.Hour)})
	if !ax.PerHour || ax.X[1] != 0.5 || ax.X[2] != 2 {
		t.Errorf("axis %+v", ax)
	}
	ax = NewAxis([]time.Time{t0, {}, t0.Add(time.Hour)})
	if ax.PerHour || ax.X[2] != 2 {
		t.Errorf("axis with a missing time %+v", ax)
	}
	ax = NewAxis([]time.Time{t0, t0})
	if ax.PerHour {
		t.Errorf("axis with equal times is per hour")
	}
}

// TestMannKendallExact checks the exact p-values against a brute-force count
// over all permutations.
func TestMannKendallExact(t *testing.T) {
	for n := 2; n <= 7; n++ {
		counts := map[int]int{}
		total := 0
		perm := make([]float64, n)
		for i := range perm {
			perm[i] = float64(i)
		}
		var rec func(k int)
		rec = func(k int) {
			if k == n {
				_, s := kendall(perm, 0)
				counts[s]++
				total++
				return
			}
			for i := k; i < n; i++ {
				perm[k], perm[i] = perm[i], perm[k]
				rec(k + 1)
				perm[k], perm[i] = perm[i], perm[k]
			}
		}
		rec(0)
		pairs := n * (n - 1) / 2
		for s := -pairs; s <= pairs; s++ {
			ge := 0
			for k, c := range counts {
				if k >= s {
					ge += c
				}
			}
			want := float64(ge) / float64(total)
			if got := mannKendallP(n, s); math.Abs(got-want) > 1e-12 {
				t.Fatalf("n=%d s=%d: p=%g, want %g", n, s, got, want)
			}
		}
	}
	// The normal approximation beyond 40 agrees with the exact value at 40.
	exact := mannKendallP(40, 200)
	approx := 0.5 * math.Erfc((199/math.Sqrt(40*39*85/18.0))/math.Sqrt2)
	if math.Abs(exact-approx) > 0.01 {
		t.Errorf("exact %g vs normal %g", exact, approx)
	}
	if p := mannKendallP(5, 10); math.Abs(p-1.0/120) > 1e-12 {
		t.Errorf("n=5 monotone p = %g, want 1/120", p)
	}
}

// TestBelowNoise: a series that rises in every step but within the noise
// level is "below noise" — not growing, and not the plateau or flat it is
// not either; one that goes up and down within the noise stays flat.
func TestBelowNoise(t *testing.T) {
	kib := func(v ...float64) []float64 {
		for i := range v {
			v[i] *= 1024
		}
		return v
	}
	cases := []struct {
		name  string
		v     []float64
		noise Noise
		total float64
		want  Class
	}{
		// A site of a sampled profile of 80 MiB (ε = 80 KiB) that rose in
		// each of five snapshots, 16 KiB → 61 KiB.
		{"small site in a big profile", kib(16, 27, 38, 49, 61), DefaultNoise, 80 << 20, BelowNoise},
		// The same site in a small profile is a leak.
		{"same site, small profile", kib(16, 27, 38, 49, 61), DefaultNoise, 1 << 20, Growing},
		// Counts one object per snapshot, within CountNoise's two.
		{"one more per snapshot", []float64{3, 4, 5, 6}, CountNoise, 0, BelowNoise},
		// A group with one or two in flight now and then: new, not
		// growing.
		{"in flight", []float64{0, 0, 1, 2, 1}, CountNoise, 0, New},
		{"two snapshots, one more", []float64{3, 4}, CountNoise, 0, Flat},
	}
	for _, c := range cases {
		tr := Analyze(idxAxis(len(c.v)), c.v, c.noise, c.total)
		if tr.Class != c.want {
			t.Errorf("%s %v: class %s (tau %.2f up %d noise %.3g), want %s", c.name, c.v, tr.Class, tr.Tau, tr.Up, tr.Noise, c.want)
		}
	}
}
