"""Measures what one leakscan_dump.dump() costs a process: wall time and
peak extra memory, with and without tracemalloc.

usage: python3 testdata/gen/pyleak/bench_overhead.py OBJECTS [--tracemalloc N] [--out PATH] [--dumper DIR]

Builds a heap of about OBJECTS objects (instances with four attributes,
their strings, lists, dicts and numbers, as bench_1m.py), runs
gc.collect(), then dumps once and prints one JSON line:
  objects: object records in the dump; seconds: dump() wall time;
  cpu_seconds: CPU time of the process during it (all threads);
  peak_extra_mb: peak RSS during the dump minus RSS before it (Linux: the
  peak is reset through /proc/self/clear_refs first); traced_extra_mb:
  under tracemalloc, its peak during the dump minus its current before;
  left_mb: under tracemalloc, traced memory after the dump minus before.
With --tracemalloc N, tracing starts (N frames) before the heap is built,
as in a service run with python3 -X tracemalloc=N. --dumper DIR imports
leakscan_dump from DIR instead of graph/pydump (to compare versions:
git show REV:graph/pydump/leakscan_dump.py > DIR/leakscan_dump.py).
"""
import gc
import gzip
import json
import os
import sys
import time
import tracemalloc

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
dumper = os.path.join(here, "..", "..", "..", "graph", "pydump")
if "--dumper" in args:
    i = args.index("--dumper")
    dumper = args[i + 1]
    del args[i:i + 2]
sys.path.insert(0, dumper)
import leakscan_dump  # noqa: E402

target = int(args.pop(0))
nframes = 0
out = "/tmp/bench-overhead.pydump.gz"
while args:
    a = args.pop(0)
    if a == "--tracemalloc":
        nframes = int(args.pop(0))
    elif a == "--out":
        out = args.pop(0)
    else:
        sys.exit(__doc__)
if nframes:
    tracemalloc.start(nframes)


class Session(object):
    def __init__(self, i):
        self.id = i
        self.name = "session-%d" % i
        self.tags = [i, float(i)]
        self.meta = {"n": i}


# about 6 objects per session (instance, str, list, float, dict, ints),
# plus the ~25k of the interpreter and the modules this script imports
store = [Session(i) for i in range(max(0, (target - 25000) // 6))]
gc.collect()


def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset VmHWM to the current RSS
except OSError:
    pass
rss0 = status("VmRSS")
if nframes:
    traced0 = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
t = time.perf_counter()
c = time.process_time()
leakscan_dump.dump(out)
dt = time.perf_counter() - t
dc = time.process_time() - c
res = {"python": "%d.%d.%d" % sys.version_info[:3], "tracemalloc": nframes, "seconds": round(dt, 3),
       "cpu_seconds": round(dc, 3),
       "peak_extra_mb": round((status("VmHWM") - rss0) / 1e6, 1)}
if nframes:
    cur, peak = tracemalloc.get_traced_memory()
    res["traced_extra_mb"] = round((peak - traced0) / 1e6, 1)
    res["left_mb"] = round((cur - traced0) / 1e6, 3)
last = None
with gzip.open(out, "rt") as fh:
    for last in fh:
        pass
res["objects"] = json.loads(last)["objects"]
res["file_bytes"] = os.path.getsize(out)
print(json.dumps(res))
