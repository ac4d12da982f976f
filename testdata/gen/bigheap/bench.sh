#!/usr/bin/env bash
# Side-by-side run of `leakscan diff` and `go tool pprof -top -diff_base` on
# the same big heap profiles, in one run: wall time with hyperfine, peak RSS
# with /usr/bin/time. Results go to BENCHMARKS.md by hand.
#
#   testdata/gen/bigheap/bench.sh            # profiles in /tmp/bigheap (made if missing)
#   BIGHEAP=/some/dir testdata/gen/bigheap/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
D=${BIGHEAP:-/tmp/bigheap}
mkdir -p "$D"
[ -f "$D/a.pb.gz" ] || go run ./testdata/gen/bigheap -out "$D/a.pb.gz"
[ -f "$D/b.pb.gz" ] || go run ./testdata/gen/bigheap -out "$D/b.pb.gz" -grow 2
[ -d "$D/series" ] || go run ./testdata/gen/bigheap -series 10 -outdir "$D/series"

LS=/tmp/leakscan-bench
go build -o "$LS" ./cmd/leakscan
go tool pprof -top "$D/a.pb.gz" >/dev/null 2>&1 # pprof is built on first use
PPROF=$(go tool -n pprof)

pair_ls="$LS diff $D/a.pb.gz $D/b.pb.gz"
pair_pp="$PPROF -top -diff_base $D/a.pb.gz $D/b.pb.gz"
series_ls="$LS diff $D/series"
series_pp="$PPROF -top -diff_base $D/series/big-01.pb.gz $D/series/big-10.pb.gz"

go version
uptime
hyperfine --warmup 1 --runs "${RUNS:-10}" --style basic \
  --command-name "leakscan diff a b" "$pair_ls" \
  --command-name "pprof -top -diff_base a b" "$pair_pp" \
  --command-name "leakscan diff series(10)" "$series_ls" \
  --command-name "pprof -top -diff_base big-01 big-10" "$series_pp"

echo "peak RSS (3 runs each):"
for name in pair_ls pair_pp series_ls series_pp; do
  for i in 1 2 3; do
    /usr/bin/time -f "$name %M KB %e s" ${!name} >/dev/null 2>/tmp/bench-time.$$ || true
    tail -1 /tmp/bench-time.$$
  done
done
rm -f /tmp/bench-time.$$
