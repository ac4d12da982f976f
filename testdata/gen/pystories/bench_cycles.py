"""A 1,000,000-object heap full of the stories' leaks, for the benchmark
of the cycle, task and resource analyses (BenchmarkPythonFindings1M).

usage: python3 testdata/gen/pystories/bench_cycles.py [OUT.pydump.gz]

With the collector disabled: 60,000 bound-method cycles (instance and
method), 15,000 traceback cycles (response, stream, exception, traceback,
frame, plus a body), 5,000 asyncio tasks waiting on events that are never
set, 2,000 coroutines never awaited, 3,000 timers, and a bulk of 110,000
acyclic sessions (~7 objects each) that are reachable.
"""
import asyncio
import gc
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402

gc.disable()


class Connection(object):
    def __init__(self, i):
        self.n = i
        self.recv = self.read

    def read(self):
        return self.n


class StreamReader(object):
    def __init__(self):
        self._exception = None
        self._buffer = b"x" * 64


class ClientPayloadError(Exception):
    pass


class ClientResponse(object):
    def __init__(self):
        self.content = StreamReader()

    def read(self):
        try:
            raise ClientPayloadError("closed")
        except ClientPayloadError as exc:
            self.content._exception = exc


class Session(object):
    def __init__(self, i):
        self.id = i
        self.name = "session-%d" % i
        self.tags = [i, float(i)]
        self.meta = {"n": i}


store = [Session(i) for i in range(110000)]
for i in range(60000):
    Connection(i)
for i in range(15000):
    ClientResponse().read()


async def worker(i):
    pass


async def handler(ev):
    await ev.wait()


async def main(out):
    events = [asyncio.Event() for _ in range(100)]
    tasks = [asyncio.create_task(handler(events[i % 100])) for i in range(5000)]
    never = [worker(i) for i in range(2000)]
    loop = asyncio.get_running_loop()
    for i in range(3000):
        loop.call_later(3600, print)
    await asyncio.sleep(0)
    n = len(gc.get_objects())
    t = time.time()
    leakscan_dump.dump(out)
    print("%d gc objects, dumped in %.1f s to %s (%d bytes)" % (n, time.time() - t, out, os.path.getsize(out)))
    for c in never:
        c.close()
    for tk in tasks:
        tk.cancel()


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bench-cycles.pydump.gz"))
