"""event_loops: asyncio event loops created per call and never closed.

usage: python3 testdata/gen/pystories/event_loops.py \
           --out testdata/pydump/event_loops [-n 6]

Writes heap-1.pydump.gz ... heap-N.pydump.gz with graph/pydump/leakscan_dump.py.
It re-executes itself once as "python3 -S -I -B" with an empty environment
and imports this file as the module "event_loops" (so the classes are
event_loops.ApiClient ...), and closes the file descriptors it inherited
(>= 3), so the fd records show only its own. The story needs no TLS, so it sets
sys.modules["ssl"] = None before importing asyncio (asyncio then runs
without ssl support; this keeps each dump ~140 KB smaller). No randomness:
object and descriptor counts are the same on every run (ids, inodes and
times are not).

LEAK: ApiClient is the synchronous face of an async client library. Every
get() call, outside asyncio.run(), does asyncio.new_event_loop(), runs one
tiny coroutine with loop.run_until_complete(), and appends the loop to the
class-level registry ApiClient._loops "for reuse", never closing it. Each
such loop (asyncio.unix_events._UnixSelectorEventLoop) keeps open
  - its selector, a selectors.EpollSelector: an epoll descriptor
    (fd record "anon_inode", detail "[eventpoll]"), and
  - its self-pipe, a socket.socketpair() (two fd records "socket",
    AF_UNIX, held by _ssock and _csock),
and the objects around them (selector map, SelectorKey, the self-pipe
reader Handle, the _ready deque, ...).

CONTROL: GoodClient.get() runs the same coroutine with asyncio.run(), which
creates a loop, runs the coroutine and closes the loop (selector and
self-pipe closed); nothing of it is left.

Per checkpoint: 3 ApiClient.get() calls (leak), 3 GoodClient.get() calls
(control), then gc.collect() and the dump (from the main thread, outside
any loop). Exact growth per checkpoint (same every run):
  fd records "socket" (the self-pipes)       +6   (6k at checkpoint k)
  fd records "anon_inode" ([eventpoll])      +3   (3k)
  loop records (running false, closed false,
    0 timers)                                +3   (3k)
  ApiClient._loops                           +3 items
  objects: +35 per leaked loop (+105 per checkpoint from checkpoint 2):
    asyncio.unix_events._UnixSelectorEventLoop, selectors.EpollSelector,
    select.epoll, selectors._SelectorMapping, selectors.SelectorKey,
    asyncio.events.Handle (the self-pipe reader), collections.deque
    (_ready), _weakrefset.WeakSet (_asyncgens), weakref.WeakValueDictionary
    (_transports), _contextvars.Context, builtins.method
    (Handle._callback = loop._read_from_self), builtins.float
    (_clock_resolution): +3 each; socket.socket, builtins.function,
    weakref.ReferenceType: +6 each; builtins.list, builtins.set,
    builtins.tuple: +9 each; builtins.dict: +9 (an older dumper made a
    __dict__ for each instance it dumped: +24 from checkpoint 2 on).
The control leaves nothing: no closed loop, no fd, no loop record.
No task records: the leaked loops are not running and have no pending task.
"""
import gc
import os
import sys

if __name__ == "__main__":
    import story
    story.reexec(__file__)  # the dumps are made by the import, in main

sys.modules.setdefault("ssl", None)  # no TLS in this story: "import ssl" fails, asyncio copes
import asyncio  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402
import story  # noqa: E402

LEAKED_PER_CHECKPOINT = 3
CONTROL_PER_CHECKPOINT = 3


async def fetch(base_url, path):
    """The library's async core: one (pretend) request."""
    await asyncio.sleep(0)
    return (200, base_url + path)


class ApiClient(object):
    """Synchronous wrapper that makes a new loop per call (leak)."""

    _loops = []  # every loop ever made, "for reuse"; never closed

    def __init__(self, base_url):
        self.base_url = base_url

    def get(self, path):
        loop = asyncio.new_event_loop()
        ApiClient._loops.append(loop)
        return loop.run_until_complete(fetch(self.base_url, path))


class GoodClient(object):
    """The same call through asyncio.run(), which closes its loop (control)."""

    def __init__(self, base_url):
        self.base_url = base_url

    def get(self, path):
        return asyncio.run(fetch(self.base_url, path))


def main():
    out, n = story.setup("event_loops")
    leaky = ApiClient("http://api.internal")
    good = GoodClient("http://api.internal")
    for k in range(1, n + 1):
        for i in range(LEAKED_PER_CHECKPOINT):
            leaky.get("/v1/items")
        for i in range(CONTROL_PER_CHECKPOINT):
            good.get("/v1/items")
        gc.collect()
        path = os.path.join(out, "heap-%d.pydump.gz" % k)
        # synthetic data, no secrets: keep the str/bytes values (off by default)
        # so that fixtures and reports can show them
        leakscan_dump.dump(path, values=True)
        print("%s: %d bytes, %d loops, %d fds"
              % (path, os.path.getsize(path), len(ApiClient._loops),
                 len(os.listdir("/proc/self/fd"))), flush=True)
