#!/bin/sh
# Side by side: memlab find-leaks and leakscan diff on the same three
# snapshots, each under /usr/bin/time -v (BENCHMARKS.md, "V8 heap
# snapshots against memlab").
#
# usage: testdata/gen/memlab/bench.sh BASELINE TARGET FINAL
# Needs: node, npm, a leakscan binary on PATH (go build -o bin/ ./cmd/...).
# memlab is installed here from the lock file, without Chrome:
#   (cd testdata/gen/memlab && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts)
set -e
here=$(cd "$(dirname "$0")" && pwd)
b=$1 t=$2 f=$3
echo "== memlab 2.0.5"
/usr/bin/time -v node --expose-gc --max-old-space-size=8192 "$here/node_modules/@memlab/cli/bin/memlab.js" \
  find-leaks --baseline "$b" --target "$t" --final "$f" --trace-all-objects 2>&1 |
  grep -E "│ [0-9] |User time|System time|Elapsed|Maximum resident"
echo "== leakscan"
/usr/bin/time -v leakscan diff "$b" "$t" "$f" 2>&1 | grep -E "^  [0-9]\.|User time|System time|Elapsed|Maximum resident"
