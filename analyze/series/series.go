package series

import (
	"math"
	"sort"
	"time"
)

// Class is the shape of one key's series of values.
//
// The rules, applied in this order to values v[0..n-1] (n ≥ 2, a key absent
// from a snapshot counts as 0) with a noise level ε (see Noise):
//
//  1. growing: the last value exceeds the first by more than ε; the series is
//     still rising at the end (its last new high lies within the final third
//     of the steps, at least the final step); it rose in at least two steps
//     (one is enough when n ≤ 3); and it rose steadily: Kendall's τ-b
//     between snapshot order and value, with differences within ε counted
//     as ties, is at least 0.5. These are the leak suspects.
//  2. new: absent from the first snapshot, present from its first appearance
//     to the last snapshot, and not growing by rule 1 — unless it then
//     filled up and held for at least one snapshot, which is a plateau
//     (rule 6).
//  3. gone: present from the first snapshot until it disappeared, and absent
//     from the last.
//  4. below noise: rose in every step (three snapshots or more) but not
//     by enough to be growing by rule 1 — each step, or the whole rise,
//     within ε. It may be a slow leak the noise hides, or nothing: more
//     snapshots, further apart, tell. Not a suspect, and not a plateau or
//     flat, which it is neither.
//  5. flat: the range (max−min) is within ε; or the series went up and down
//     within a band of 20% of its largest value (noise around a level, such
//     as churn that happened to be alive at the snapshot).
//  6. plateau: rose by more than ε, then stopped: every value after the last
//     new high stays within 2ε of it (a cache that filled up; also a single
//     jump, which a one-off load explains as well as a leak).
//  7. shrinking: the last value is below the first by more than ε and τ-b
//     is at most −0.5, or the series only ever went down.
//  8. sawtooth: everything else that goes up and down — a buffer that fills
//     and is released, a batch that is reset.
//
// What a short series can tell: two snapshots give one step, so growing,
// shrinking, flat, new and gone are all they can say, and a cache warming up
// or a buffer caught at its peak looks exactly like a leak. Three snapshots
// can tell a plateau ([0 10 10]) and a single tooth ([0 10 0]) from growth,
// but not a slow sawtooth. From five snapshots on, the Mann–Kendall test
// gives a p-value for "rising by chance" (reported only then: below five
// snapshots the smallest achievable p-value is above 0.04 and says nothing).
type Class string

// The classes, in the order the rules above test them.
const (
	Growing    Class = "growing"
	New        Class = "new"
	Gone       Class = "gone"
	Flat       Class = "flat"
	BelowNoise Class = "below noise"
	Plateau    Class = "plateau"
	Shrinking  Class = "shrinking"
	Sawtooth   Class = "sawtooth"
)

// classOrder ranks classes for listing: suspects first, then the shapes a
// reader most wants to see.
var classOrder = map[Class]int{Growing: 0, New: 1, BelowNoise: 2, Plateau: 3, Sawtooth: 4, Shrinking: 5, Gone: 6, Flat: 7}

// Thresholds of the classification rules documented on Class.
const (
	minTau       = 0.5 // Kendall τ-b for a steady trend
	flatBand     = 0.2 // a mixed series within this fraction of its max is flat
	minPSnapshot = 5   // fewest snapshots for which a p-value is reported
)

// Noise says which changes are too small to mean anything. The noise level
// of a key is the largest of Abs, Rel times the key's largest absolute value,
// and OfTotal times the largest total of any snapshot. Profile values are
// statistical estimates: a site sampled a few times jitters between
// snapshots, and one step up is not growth.
type Noise struct {
	Abs     float64 // absolute floor, in the values' unit
	Rel     float64 // fraction of the key's own largest |value|
	OfTotal float64 // fraction of the largest snapshot total
}

// CountNoise suits exact counts of objects, tasks and cycles: a count
// that moves by two or fewer is one request in flight at one snapshot and
// not the next, not growth.
var CountNoise = Noise{Abs: 2}

// DefaultNoise suits sampled heap profiles: 2% of the key's own size, or
// 0.1% of the whole profile, whichever is larger.
var DefaultNoise = Noise{Rel: 0.02, OfTotal: 0.001}

// Axis is the time axis of a series: one coordinate per snapshot, in hours
// when every snapshot has a time, else in snapshots (0, 1, 2 …).
type Axis struct {
	X       []float64
	PerHour bool // X is in hours since the first snapshot; else X is the index
}

// NewAxis builds an axis from snapshot times. A zero time anywhere, or times
// that do not increase strictly, make it fall back to snapshot indexes.
func NewAxis(times []time.Time) Axis {
	x := make([]float64, len(times))
	ok := len(times) > 0
	for i, t := range times {
		if t.IsZero() || (i > 0 && !t.After(times[i-1])) {
			ok = false
			break
		}
		x[i] = t.Sub(times[0]).Hours()
	}
	if ok {
		return Axis{X: x, PerHour: true}
	}
	for i := range x {
		x[i] = float64(i)
	}
	return Axis{X: x}
}

// Trend is what the series analysis found for one key.
type Trend struct {
	Values   []float64
	First    float64
	Last     float64
	Min      float64
	Max      float64
	Delta    float64 // Last − First
	DeltaPct float64 // 100·Delta/First; meaningless when First is 0 (HasPct false)
	HasPct   bool
	// Slope is the Theil–Sen estimate of growth per hour (Axis.PerHour) or
	// per snapshot: the median of the slopes between every pair of
	// snapshots, robust to a minority of outliers (Sen 1968).
	Slope   float64
	Up      int     // steps that went up (strictly)
	Down    int     // steps that went down (strictly)
	Tau     float64 // Kendall's τ-b between order and value, ties within noise
	PValue  float64 // one-sided Mann–Kendall p-value for an upward trend
	HasP    bool    // PValue is set (n ≥ 5)
	Noise   float64 // the noise level ε used
	Class   Class
	Score   float64 // ranking score: robust growth × steadiness (growing only)
	Present int     // snapshots in which the value is non-zero
}

// Analyze computes the trend of one series of values over the axis. total
// is the largest snapshot total, used by Noise.OfTotal.
func Analyze(ax Axis, values []float64, noise Noise, total float64) Trend {
	n := len(values)
	t := Trend{Values: values}
	if n == 0 {
		t.Class = Flat
		return t
	}
	t.First, t.Last = values[0], values[n-1]
	t.Min, t.Max = values[0], values[0]
	maxAbs := 0.0
	for _, v := range values {
		t.Min = math.Min(t.Min, v)
		t.Max = math.Max(t.Max, v)
		maxAbs = math.Max(maxAbs, math.Abs(v))
		if v != 0 {
			t.Present++
		}
	}
	t.Delta = t.Last - t.First
	if t.First != 0 {
		t.DeltaPct = 100 * t.Delta / math.Abs(t.First)
		t.HasPct = true
	}
	t.Noise = math.Max(noise.Abs, math.Max(noise.Rel*maxAbs, noise.OfTotal*math.Abs(total)))
	for i := 1; i < n; i++ {
		switch {
		case values[i] > values[i-1]:
			t.Up++
		case values[i] < values[i-1]:
			t.Down++
		}
	}
	t.Slope = theilSen(ax.X, values)
	var s int
	t.Tau, s = kendall(values, t.Noise)
	if n >= minPSnapshot {
		t.PValue = mannKendallP(n, s)
		t.HasP = true
	}
	t.Class = classify(&t)
	if t.Class == Growing {
		span := ax.X[n-1] - ax.X[0]
		t.Score = t.Slope * span * t.Tau
	}
	return t
}

// classify applies the rules documented on Class.
func classify(t *Trend) Class {
	v, eps := t.Values, t.Noise
	n := len(v)
	// Last new high (strictly above every earlier value).
	lastHigh, runMax := 0, v[0]
	for i := 1; i < n; i++ {
		if v[i] > runMax {
			runMax, lastHigh = v[i], i
		}
	}
	tail := max(1, (n-1+2)/3) // ⌈(n−1)/3⌉ steps
	stillRising := lastHigh > 0 && lastHigh >= n-tail
	minUps := 2
	if n <= 3 {
		minUps = 1
	}
	if t.Delta > eps && stillRising && t.Up >= minUps && t.Tau >= minTau {
		return Growing
	}
	firstIn, lastIn := -1, -1
	for i, x := range v {
		if x != 0 {
			if firstIn < 0 {
				firstIn = i
			}
			lastIn = i
		}
	}
	plateau := t.Delta > eps
	for _, x := range v[lastHigh+1:] {
		if x < runMax-2*eps {
			plateau = false
			break
		}
	}
	contiguous := firstIn >= 0 && t.Present == lastIn-firstIn+1
	if contiguous && firstIn > 0 && lastIn == n-1 {
		if plateau && lastHigh < n-1 {
			return Plateau // appeared, filled up, then held
		}
		return New
	}
	if contiguous && firstIn == 0 && lastIn < n-1 {
		return Gone
	}
	if n >= 3 && t.Up == n-1 {
		return BelowNoise
	}
	rng := t.Max - t.Min
	if rng <= eps || (t.Up > 0 && t.Down > 0 && rng <= flatBand*math.Max(math.Abs(t.Max), math.Abs(t.Min))) {
		return Flat
	}
	if plateau {
		return Plateau
	}
	if (t.Delta < -eps && t.Tau <= -minTau) || t.Up == 0 {
		return Shrinking
	}
	return Sawtooth
}

// theilSen returns the median of the pairwise slopes (y[j]−y[i])/(x[j]−x[i])
// over i < j with x[j] ≠ x[i] (Theil 1950; Sen 1968).
func theilSen(x, y []float64) float64 {
	n := len(y)
	slopes := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if dx := x[j] - x[i]; dx != 0 {
				slopes = append(slopes, (y[j]-y[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0
	}
	sort.Float64s(slopes)
	m := len(slopes) / 2
	if len(slopes)%2 == 1 {
		return slopes[m]
	}
	return (slopes[m-1] + slopes[m]) / 2
}

// kendall returns Kendall's τ-b between snapshot order and value, counting
// value differences within eps as ties, and the Mann–Kendall statistic S
// (concordant minus discordant pairs).
func kendall(v []float64, eps float64) (tau float64, s int) {
	n := len(v)
	pairs, ties := n*(n-1)/2, 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			switch d := v[j] - v[i]; {
			case d > eps:
				s++
			case d < -eps:
				s--
			default:
				ties++
			}
		}
	}
	if pairs == 0 || pairs == ties {
		return 0, s
	}
	return float64(s) / math.Sqrt(float64(pairs)*float64(pairs-ties)), s
}

// mannKendallP returns the one-sided p-value P(S' ≥ s) of the Mann–Kendall
// trend test (Mann 1945; Kendall 1975) for n values without a trend. Up to
// 40 values it is exact: S = n(n−1)/2 − 2·inversions, and the number of
// inversions of a random permutation follows the Mahonian distribution,
// built here one element at a time. Beyond that it uses the normal
// approximation with a continuity correction. Ties are not corrected for.
func mannKendallP(n, s int) float64 {
	pairs := n * (n - 1) / 2
	if n <= 40 {
		// dist[k] = P(inversions = k).
		dist := []float64{1}
		for m := 2; m <= n; m++ {
			next := make([]float64, len(dist)+m-1)
			for k, p := range dist {
				for j := 0; j < m; j++ {
					next[k+j] += p / float64(m)
				}
			}
			dist = next
		}
		// S ≥ s  ⇔  inversions ≤ (pairs − s)/2.
		limit := (pairs - s) / 2 // pairs ≥ s, so this floors
		p := 0.0
		for k := 0; k <= limit && k < len(dist); k++ {
			p += dist[k]
		}
		return math.Min(1, p)
	}
	sd := math.Sqrt(float64(n*(n-1)*(2*n+5)) / 18)
	z := (float64(s) - 1) / sd
	if s <= 0 {
		z = float64(s) / sd
	}
	return 0.5 * math.Erfc(z/math.Sqrt2)
}

// Less orders trends for listing: by class (suspects first), then by score
// or by the size of the change, largest first. It returns 0 when the two
// are equal in every respect, and the caller breaks the tie by key.
func Less(a, b *Trend) int {
	if ca, cb := classOrder[a.Class], classOrder[b.Class]; ca != cb {
		return ca - cb
	}
	if a.Score != b.Score {
		if a.Score > b.Score {
			return -1
		}
		return 1
	}
	da, db := math.Abs(a.Delta), math.Abs(b.Delta)
	if da != db {
		if da > db {
			return -1
		}
		return 1
	}
	if a.Last != b.Last {
		if a.Last > b.Last {
			return -1
		}
		return 1
	}
	return 0
}
