"""Builds a known object graph and dumps it; used by dumper_test.go.

usage: python3 known_graph.py DUMPER_DIR OUT_PATH
Prints one JSON line with the ids the Go test checks.
"""
import json
import sys
import weakref

sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402


class Exotic(object):
    """Every hook raises: the dumper must never call them."""

    def __getattr__(self, name):
        raise RuntimeError("__getattr__ called: " + name)

    def __getattribute__(self, name):
        raise RuntimeError("__getattribute__ called: " + name)

    def __repr__(self):
        raise RuntimeError("__repr__ called")

    def __eq__(self, other):
        raise RuntimeError("__eq__ called")

    def __hash__(self):
        raise RuntimeError("__hash__ called")


class Conn(object):
    def __init__(self):
        self.buffers = [{"payload": b"x" * 10}]
        self.recv = self.read   # bound method stored on its own instance
        self.exotic = Exotic()

    def read(self):
        return 1


def fail():
    raise ValueError("boom")


conn = Conn()
try:
    fail()
except ValueError as e:
    conn.error = e  # exception with its traceback

class LoudRef(weakref.ref):
    """A weak reference whose Python __call__ must never run."""

    def __call__(self):
        raise RuntimeError("LoudRef.__call__ called")


conn_ref = weakref.ref(conn)
loud_ref = LoudRef(conn)
read_ref = weakref.WeakMethod(conn.read)
dead_ref = weakref.ref(Exotic.__new__(Exotic))  # its referent is gone

buffers = conn.buffers
facts = {
    "conn_ref": id(conn_ref),
    "loud_ref": id(loud_ref),
    "read_ref": id(read_ref),
    "dead_ref": id(dead_ref),
    "conn": id(conn),
    "buffers": id(buffers),
    "payload_dict": id(buffers[0]),
    "error": id(conn.error),
    "traceback": id(conn.error.__traceback__),
    "recv": id(conn.recv),
}
buffers = None
leakscan_dump.dump(sys.argv[2])
print(json.dumps(facts))
