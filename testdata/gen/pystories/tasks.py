"""tasks: asyncio tasks, coroutines and timers that never finish.

usage: python3 testdata/gen/pystories/tasks.py --out testdata/pydump/tasks [-n 6]

Writes heap-1.pydump.gz ... heap-N.pydump.gz with graph/pydump/leakscan_dump.py.
It re-executes itself once as "python3 -S -I -B" with an empty environment
and imports this file as the module "tasks" (so the classes are
tasks.WebServer ..., and task records name coroutines
"tasks.WebServer.handle_request" ...), and closes the file descriptors it
inherited (>= 3). The story needs no TLS, so it sets sys.modules["ssl"]
= None before importing asyncio (~140 KB less per dump). No randomness: object
counts and task records are the same on every run (ids and times are not).

Everything runs inside one asyncio.run(serve(...)). Per checkpoint, WebServer
gets a batch of "requests" and leaks, in five ways:

  STUCK HANDLERS (10): asyncio.create_task(server.handle_request(rid)), the
    task reference dropped. handle_request awaits self._read_body(rid),
    which stores an asyncio.Event in server._body_events[rid] and awaits
    event.wait(); the body never arrives, the Event is never set. The task
    stays reachable through the Event (server._body_events -> Event ->
    _waiters deque -> Future -> its done callback -> the task). Coroutine
    stack, outermost first: handle_request -> _read_body -> Event.wait.
  FIRE-AND-FORGET (5): asyncio.create_task(server._notify(mid)), reference
    dropped; _notify puts a Future in server._acks[mid] and awaits it; the
    ack never comes (reachable through server._acks).
  NEVER-AWAITED COROUTINES (4): PENDING.append(prefetch(url)) - coroutine
    objects created and kept in the module-level list PENDING, never
    awaited or scheduled (state: created, no task).
  TIMERS (8): loop.call_later(3600, server._expire_session, sid), the
    handle dropped - one asyncio.events.TimerHandle per session, held only
    by loop._scheduled, holding a bound method of the server; never
    cancelled, not due for an hour.
  UNRETRIEVED EXCEPTIONS (2): asyncio.create_task(server._refresh_token(n))
    which raises TokenRefreshError; the finished tasks are kept in
    server._background and their exception is never retrieved (asyncio
    would log "Task exception was never retrieved" only when they are
    collected). Each holds the exception, whose traceback holds the
    coroutine's frame.

CONTROL (10): handle_request tasks whose bodies do arrive
(server.body_arrived sets their Event): they are awaited with
asyncio.gather, finish, and are dropped; their Events, bodies and tasks are
freed.

The dump is taken from the serve() coroutine (the main task, running in
the loop) after gc.collect() and a few `await asyncio.sleep(0)`, so every
task has reached its await point. Exact growth per checkpoint (same every
run):
  task records "tasks.WebServer.handle_request", pending,
    waiting_on "Event.wait", stack depth 3          +10  (10k at checkpoint k)
  task records "tasks.WebServer._notify", pending,
    waiting_on "Future", stack depth 1               +5   (5k)
  task records "tasks.WebServer._refresh_token", finished,
    exception "tasks.TokenRefreshError"              +2   (2k)
  task record "tasks.serve", pending (the running main task): 1 in every dump
  coro records "tasks.prefetch" (never started)      +4   (4k)
  loop record (one, running): timers 8k, timer_callbacks
    [["tasks.WebServer._expire_session", 8k]]
  objects, per checkpoint:
    _asyncio.Task +17 (10 stuck, 5 fire-and-forget, 2 failed)
    builtins.coroutine +41 (10 x 3 for the stuck chains, 5 _notify, 4 never
      awaited, and the 2 finished coroutines the failed tasks still hold)
    builtins.frame +41 (from checkpoint 2 on: the frames of the 2 failed
      coroutines, held by their tracebacks, plus the frame objects the dumper
      creates for the 39 suspended/unstarted coroutines it read)
    asyncio.locks.Event +10, collections.deque +10 (Event._waiters),
    _asyncio.Future +15 (10 Event waiters, 5 acks), _asyncio.FutureIter +15,
    builtins.builtin_function_or_method +15 (the tasks' wakeup callbacks),
    asyncio.events.TimerHandle +8, builtins.method +8, builtins.float +8,
    _contextvars.Context +25 (17 tasks, 8 timers), weakref.ReferenceType +17,
    tasks.TokenRefreshError +2, builtins.traceback +2, builtins.int +25
    (request ids), builtins.str +23 (17 task names, 4 urls, 2 messages),
    builtins.tuple +10, builtins.dict +53 (from checkpoint 2 on).
The control leaves nothing: no finished handler task, no Event or body.
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

STUCK = 10
FIRE_AND_FORGET = 5
NEVER_AWAITED = 4
TIMERS = 8
FAILED = 2
CONTROL = 10

PENDING = []  # coroutines created "for later" and never awaited


class TokenRefreshError(Exception):
    """The token endpoint failed."""


async def prefetch(url):
    """Warms a cache entry (never run: the coroutine is only created)."""
    await asyncio.sleep(0)
    return url


class WebServer(object):
    """Request handling with per-request background work (aiohttp-like)."""

    def __init__(self):
        self._body_events = {}  # request id -> Event set when the body is in
        self._bodies = {}       # request id -> body
        self._acks = {}         # message id -> Future resolved by the ack
        self._background = []   # background tasks, never looked at again
        self.handled = 0
        self.expired = 0

    async def handle_request(self, rid):
        body = await self._read_body(rid)
        self.handled += 1
        return len(body)

    async def _read_body(self, rid):
        event = asyncio.Event()
        self._body_events[rid] = event
        await event.wait()
        del self._body_events[rid]
        return self._bodies.pop(rid)

    def body_arrived(self, rid, body):
        self._bodies[rid] = body
        self._body_events[rid].set()

    async def _notify(self, mid):
        fut = asyncio.get_running_loop().create_future()
        self._acks[mid] = fut
        await fut  # the ack never comes

    async def _refresh_token(self, attempt):
        raise TokenRefreshError("token endpoint returned 503 (attempt %d)" % attempt)

    def _expire_session(self, sid):
        self.expired += 1


async def settle():
    """Let every ready task run to its next await point."""
    for _ in range(5):
        await asyncio.sleep(0)


async def serve(out, n):
    server = WebServer()
    loop = asyncio.get_running_loop()
    rid = 10000  # ids above 256: not CPython's shared small ints
    for k in range(1, n + 1):
        # the leaks
        for i in range(STUCK):
            rid += 1
            asyncio.create_task(server.handle_request(rid))
        for i in range(FIRE_AND_FORGET):
            rid += 1
            asyncio.create_task(server._notify(rid))
        for i in range(NEVER_AWAITED):
            rid += 1
            PENDING.append(prefetch("/cache/%d" % rid))
        for i in range(TIMERS):
            rid += 1
            loop.call_later(3600, server._expire_session, rid)
        for i in range(FAILED):
            rid += 1
            server._background.append(asyncio.create_task(server._refresh_token(rid)))
        # the control: handlers whose bodies arrive
        good_ids = []
        good = []
        for i in range(CONTROL):
            rid += 1
            good_ids.append(rid)
            good.append(asyncio.create_task(server.handle_request(rid)))
        await settle()
        for g in good_ids:
            server.body_arrived(g, b"%0256d" % g)
        await asyncio.gather(*good)
        good = good_ids = g = None
        await settle()
        gc.collect()
        path = os.path.join(out, "heap-%d.pydump.gz" % k)
        # synthetic data, no secrets: keep the str/bytes values (off by default)
        # so that fixtures and reports can show them
        leakscan_dump.dump(path, values=True)
        print("%s: %d bytes, %d tasks" % (path, os.path.getsize(path), len(asyncio.all_tasks())),
              flush=True)
    # tidy exit (after the last dump): no "never awaited" / "never
    # retrieved" warnings; asyncio.run cancels the stuck tasks and closing
    # the loop drops the timers
    for c in PENDING:
        c.close()
    for t in server._background:
        t.exception()


def main():
    out, n = story.setup("tasks")
    asyncio.run(serve(out, n))
