"""Times leakscan_dump.dump() on a process with about 1,000,000 objects.

usage: python3 testdata/gen/pyleak/bench_1m.py [OUT.pydump.gz]
"""
import gc
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402


class Session(object):
    def __init__(self, i):
        self.id = i
        self.name = "session-%d" % i
        self.tags = [i, float(i)]
        self.meta = {"n": i}


class Slotted(object):
    __slots__ = ("a", "b")

    def __init__(self, i):
        self.a = (i, "x%d" % i)
        self.b = None


store = [Session(i) for i in range(110000)]          # ~7 objects each
slotted = [Slotted(i) for i in range(60000)]          # ~4 objects each
blobs = {("k", i): b"%d" % i for i in range(30000)}   # tuple key, bytes
gc.collect()
n = len(gc.get_objects())
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/bench-1m.pydump.gz"
t = time.time()
leakscan_dump.dump(out)
dt = time.time() - t
import gzip, json  # noqa: E402
last = None
with gzip.open(out, "rt") if out.endswith(".gz") else open(out) as fh:
    for last in fh:
        pass
end = json.loads(last)
print("tracked objects %d, dumped objects %d, edges %d, dump %.2f s, file %d bytes"
      % (n, end["objects"], end["edges"], dt, os.path.getsize(out)))
