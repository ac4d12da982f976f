"""containers: three containers that keep what requests leave in them.

usage: python3 testdata/gen/pystories/containers.py \
           --out testdata/pydump/containers [-n 6]

Writes heap-1.pydump.gz ... heap-N.pydump.gz with graph/pydump/leakscan_dump.py,
re-executed as in the other stories (story.py). No randomness: the object
counts are the same on every run (ids and times are not).

Each checkpoint serves REQUESTS_PER_CHECKPOINT requests (containers.Request),
then collects and dumps. Each request leaks in three places, the way
services do:

LEAK 1, a listener never removed: the request subscribes its bound method
on_event to the class-level EventBus._listeners list and never
unsubscribes; the list keeps a builtins.method per request, whose __self__
keeps the request (and its payload) alive.

LEAK 2, an unbounded cache keyed by request: price() is wrapped in
functools.lru_cache(maxsize=None) and called with the request, so the
cache's dict keeps every request as a key.

LEAK 3, a logging handler added per request: each request adds a
logging.StreamHandler (with its own lock) to the logger "containers.audit"
and never removes it; Logger.handlers grows by one per request.

CONTROLS, which must not be reported as leaks: a functools.lru_cache of 16
entries keyed by the request's number (fills at the first checkpoint, then
stays), and a per-request scratch list that is cleared.
"""
import functools
import gc
import io
import logging
import os
import sys

if __name__ == "__main__":
    import story
    story.reexec(__file__)  # the dumps are made by the import, in main

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402
import story  # noqa: E402

REQUESTS_PER_CHECKPOINT = 20
AUDIT = io.StringIO()


class EventBus(object):
    _listeners = []  # every subscriber ever; nobody unsubscribes

    @classmethod
    def subscribe(cls, callback):
        cls._listeners.append(callback)


class Request(object):
    def __init__(self, number):
        self.number = number
        self.payload = bytearray(512)

    def on_event(self, event):
        return (self.number, event)


@functools.lru_cache(maxsize=None)
def price(request):
    return request.number * 3


@functools.lru_cache(maxsize=16)
def rate(number):
    return number % 16


SCRATCH = []


def serve(number):
    request = Request(number)
    EventBus.subscribe(request.on_event)
    price(request)
    log = logging.getLogger("containers.audit")
    log.addHandler(logging.StreamHandler(AUDIT))
    rate(number % 16)
    SCRATCH.append(number)
    SCRATCH.clear()


def main():
    out, n = story.setup("containers")
    logging.getLogger("containers.audit").propagate = False
    number = 0
    for k in range(1, n + 1):
        for i in range(REQUESTS_PER_CHECKPOINT):
            serve(number)
            number += 1
        gc.collect()
        path = os.path.join(out, "heap-%d.pydump.gz" % k)
        leakscan_dump.dump(path)
        print("%s: %d bytes, %d listeners, %d handlers"
              % (path, os.path.getsize(path), len(EventBus._listeners),
                 len(logging.getLogger("containers.audit").handlers)), flush=True)
