"""Builds a known asyncio state and dumps it; used by dumper_test.go.

usage: python3 asyncio_state.py DUMPER_DIR OUT_PATH

Inside a running loop: 3 tasks waiting on an Event never set, 1 task that
raised ValueError and was never awaited, 2 coroutines never started, 4
timers calling Clock.tick; outside it, one extra loop left open.
"""
import asyncio
import sys

sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402


class Clock(object):
    def tick(self):
        pass


async def boom():
    raise ValueError("lost")


async def never():
    pass


async def stuck(ev):
    await ev.wait()


async def main(out):
    failed = [asyncio.create_task(boom())]
    ev = asyncio.Event()
    waiting = [asyncio.create_task(stuck(ev)) for _ in range(3)]
    unstarted = [never(), never()]
    loop = asyncio.get_running_loop()
    clock = Clock()
    for i in range(4):
        loop.call_later(3600, clock.tick)
    loop.call_later(3600, clock.tick).cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    leakscan_dump.dump(out)
    # tidy up so that the interpreter exits quietly
    for c in unstarted:
        c.close()
    failed[0].exception()
    ev.set()
    await asyncio.gather(*waiting)


extra = asyncio.new_event_loop()
asyncio.run(main(sys.argv[2]))
extra.close()
