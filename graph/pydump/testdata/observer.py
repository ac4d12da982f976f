"""Dumps a process twice and reports what the dumps changed in it; used by
dumper_test.go (TestDumperNoObserverEffect).

usage: python3 observer.py DUMPER_DIR OUT_PREFIX
writes OUT_PREFIXa.pydump.gz and OUT_PREFIXb.pydump.gz.
Prints four JSON lines: the process's state before the first dump, after
it and after the second; then the ids the Go test checks and how often
user-defined code ran.
"""
import gc
import json
import sys

FrameType = type(sys._getframe())
sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402

calls = {"sizeof": 0, "property": 0, "getattr": 0}


class Plain(object):
    def __init__(self, i):
        self.a = i
        self.b = "s%d" % i
        self.c = (i,)


class Sized(object):
    """Claims 10 GB: the dumper must not ask it."""

    def __init__(self):
        self.x = [1]

    def __sizeof__(self):
        calls["sizeof"] += 1
        return 10 ** 10


class Twin(object):
    """Sized without the override: what sys.getsizeof would say."""

    def __init__(self):
        self.x = [1]


class Prop(object):
    def __init__(self):
        self._v = ["held"]

    @property
    def v(self):
        calls["property"] += 1
        return self._v

    def __getattr__(self, name):
        calls["getattr"] += 1
        raise AttributeError(name)


class Outside(object):
    pass


def fail(arg, other):
    local_list = [arg]
    raise ValueError(local_list)


def gen(first):
    held = [first]
    yield held


plain = [Plain(i) for i in range(100000)]
sized = Sized()
prop = Prop()
prop.v  # the getter runs once here, never in the dump
outside = Outside()
outside.set_from_module = {"k": 1}
argv = ["arg"]
try:
    fail(argv, "other")
except ValueError as e:
    err = e
frame = err.__traceback__.tb_next.tb_frame  # fail()'s frame, returned
first = ["first"]
g = gen(first)
next(g)

# something in gc.garbage: a cycle the collector saved
gc.set_debug(gc.DEBUG_SAVEALL)
cyc = [[]]
cyc[0].append(cyc)
del cyc
gc.collect()
gc.set_debug(0)
gc.set_threshold(900, 11, 12)
calls["property"] = 0

samples = {"plain": plain[7], "sized": sized, "prop": prop, "outside": outside,
           "frame": frame, "gen": g, "err": err}


def running_functions():
    """Function frames running below this module's code (none when python3
    runs this file; a runner such as runpy adds some): on 3.8-3.12 the
    dumper gives each a locals dict for as long as it runs (FORMAT.md)."""
    n = 0
    f = sys._getframe(1)
    while f is not None:
        if f.f_code.co_flags & 1:  # CO_OPTIMIZED
            n += 1
        f = f.f_back
    return n


def state():
    """The process as the Go test compares it, printed at once so that
    nothing new stays in the heap between the dumps."""
    # a full collection: finds cyclic garbage (the dumps must leave none)
    # and empties the interpreter's free lists, which the dumper's freed
    # tuples, lists and dicts refill
    unreachable = gc.collect()
    blocks = sys.getallocatedblocks()
    refs = {}
    for k, o in samples.items():
        refs[k] = [[id(r), type(r).__name__] for r in gc.get_referents(o)]
    print(json.dumps({
        "refs": refs,
        "gc": [gc.isenabled(), gc.get_debug(), list(gc.get_threshold()), gc.is_tracked(plain[7])],
        "garbage": [id(x) for x in gc.garbage],
        # frame objects apart: reading the running frames' f_back creates
        # theirs (on 3.12 they are tracked at once), for as long as they run
        "objects": sum(1 for o in gc.get_objects() if type(o) is not FrameType),
        "frames": sum(1 for o in gc.get_objects() if type(o) is FrameType),
        "running_functions": running_functions(),
        "blocks": blocks,
        "unreachable": unreachable,
    }))


state()
leakscan_dump.dump(sys.argv[2] + "a.pydump.gz")
state()
leakscan_dump.dump(sys.argv[2] + "b.pydump.gz")
state()
print(json.dumps({
    "calls": calls,
    "ids": {k: id(o) for k, o in samples.items()},
    "plain_attrs": {"a": id(plain[7].a), "b": id(plain[7].b), "c": id(plain[7].c)},
    "outside_attr": id(outside.set_from_module),
    "prop_v": id(prop._v),
    "frame_arg": id(argv),
    "gen_arg": id(first),
    "sized_size": sys.getsizeof(Twin()),
}))
