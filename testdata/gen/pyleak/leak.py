"""A Python program that leaks on purpose, dumped with leakscan_dump.

usage: python3 testdata/gen/pyleak/leak.py --out testdata/pydump/leaky [-n 6] [--tracemalloc]

With --tracemalloc the child runs under `python3 -X tracemalloc=8`, so each
object record carries its allocation traceback (up to 8 frames).

Writes heap-1.pydump.gz ... heap-N.pydump.gz. To keep the dumps small it
re-executes itself once as "python3 -S -I" (no site module, so a bare
interpreter of ~10k objects). Everything is driven by a tick counter with no
randomness, so the object counts are the same on every run (ids differ).

Leaks, per checkpoint (10 ticks):
  REGISTRY      module-level dict: +100 entries  "req-N" -> bytes(64)
  Handler.seen  class attribute list: +60 Request instances (3 attributes)
  make_counter  closure over a list: +50 tuples (i, "event-i")
Benign: churn() builds and drops 500 dicts per tick; CACHE stays at 20 entries.
"""
import gc
import os
import sys

if "site" in sys.modules and os.environ.get("PYLEAK_CHILD") != "1":
    os.environ["PYLEAK_CHILD"] = "1"
    trace = ["-X", "tracemalloc=8"] if "--tracemalloc" in sys.argv else []
    os.execv(sys.executable, [sys.executable, "-S", "-I"] + trace + sys.argv)

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402

REGISTRY = {}   # leak 1: grows forever
CACHE = {}      # benign: bounded


class Request(object):
    def __init__(self, n):
        self.n = n
        self.path = "/api/item/%d" % n
        self.headers = ("accept", "json")


class Handler(object):
    seen = []   # leak 2: class attribute list

    def handle(self, n):
        Handler.seen.append(Request(n))


def make_counter():
    events = []  # leak 3: captured by the closure

    def record(i):
        events.append((i, "event-%d" % i))
        return len(events)

    return record


record = make_counter()


def churn(tick):
    tmp = [{"tick": tick, "i": i} for i in range(500)]
    return len(tmp)


def main():
    out = "testdata/pydump/leaky"
    n = 6
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--out":
            out = args.pop(0)
        elif a == "-n":
            n = int(args.pop(0))
        elif a == "--tracemalloc":
            pass  # handled by the re-execution: python3 -X tracemalloc=8
        else:
            sys.exit("usage: leak.py [--out DIR] [-n N] [--tracemalloc]")
    os.makedirs(out, exist_ok=True)
    h = Handler()
    req = 0
    ev = 0
    for tick in range(1, 10 * n + 1):
        for _ in range(10):
            REGISTRY["req-%d" % req] = b"%064d" % req
            req += 1
        for _ in range(6):
            h.handle(req)
            req += 1
        for _ in range(5):
            record(ev)
            ev += 1
        CACHE["k%d" % (tick % 20)] = tick
        churn(tick)
        if tick % 10 == 0:
            gc.collect()
            path = os.path.join(out, "heap-%d.pydump.gz" % (tick // 10))
            # synthetic data, no secrets: keep the str/bytes values (off by default)
            # so that fixtures and reports can show them
            leakscan_dump.dump(path, values=True)
            print("%s: %d bytes" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
