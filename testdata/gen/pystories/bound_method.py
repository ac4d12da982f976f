"""bound_method: a bound method stored on its own instance.

usage: python3 testdata/gen/pystories/bound_method.py \
           --out testdata/pydump/bound_method [-n 6]

Writes heap-1.pydump.gz ... heap-N.pydump.gz with graph/pydump/leakscan_dump.py.
It re-executes itself once as "python3 -S -I -B" with an empty environment
and imports this file as the module "bound_method" (so the classes are
bound_method.Connection ...), and closes the file descriptors it inherited
(>= 3). No randomness: the object counts are the same on every run (ids and
times are not).

LEAK: Connection.__init__ does `self.recv = self.read` (a "fast path"
alias). The instance holds a bound method whose __self__ is the instance:

  Connection -attr recv-> method -__self__-> Connection

so every connection, once dropped by its pool, is a small reference cycle
that reference counting cannot free. The program runs with
gc.set_debug(gc.DEBUG_SAVEALL) and calls gc.collect() before each
checkpoint, so the collector finds these cycles unreachable and, instead of
freeing them, appends them to gc.garbage (flag bit 1 in the dump).

CONTROL: GoodConnection defines the alias on the class (`recv = read` in
the class body): the instance holds no method object, and reference
counting frees it as soon as its pool drops it. It never reaches gc.garbage.

Per checkpoint: 25 Connections (leak) and 25 GoodConnections (control) are
opened, used (one recv) and closed. Each connection carries an id (an int
above 1000, so not one of CPython's shared small ints), a peer (str), a
state (str, shared) and a 2048-byte bytearray buffer.
Exact growth per checkpoint (same every run):
  bound_method.Connection       +25  (25k at checkpoint k), all in gc.garbage
  builtins.method               +25  (their `recv`), all in gc.garbage
  objects with flag 1 (in gc.garbage): +50 (exactly the two above)
  builtins.bytearray            +25  (2048-byte buffers, s = 2105)
  builtins.str                  +25  (the peer "10.0.1.N:5432")
  builtins.int                  +25  (the connection ids, 1001, 1002, ...)
  in objects: +125 per checkpoint (the dumper reads attributes without
  making a __dict__ per instance; an older one added a dict each)
  bound_method.GoodConnection   0 in every dump (its peers "10.0.2.N": none)
gc.garbage holds nothing else: gc.collect() runs once before DEBUG_SAVEALL
is set, so the garbage of the interpreter's start is freed, not saved.
"""
import gc
import os
import sys

if __name__ == "__main__":
    import story
    story.reexec(__file__)  # the dumps are made by the import, in main

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402
import story  # noqa: E402

LEAKED_PER_CHECKPOINT = 25
CONTROL_PER_CHECKPOINT = 25
BUFFER_SIZE = 2048


class Connection(object):
    """A database connection that caches a bound method on itself (leak)."""

    def __init__(self, conn_id, peer):
        self.conn_id = conn_id
        self.peer = peer
        self.state = "idle"
        self._buffer = bytearray(BUFFER_SIZE)
        self.recv = self.read  # the cycle: instance -> method -> instance

    def read(self, n):
        self.state = "reading"
        data = bytes(self._buffer[:n])
        self.state = "idle"
        return data

    def close(self):
        self.state = "closed"


class GoodConnection(object):
    """The same connection with the alias on the class (control)."""

    def __init__(self, conn_id, peer):
        self.conn_id = conn_id
        self.peer = peer
        self.state = "idle"
        self._buffer = bytearray(BUFFER_SIZE)

    def read(self, n):
        self.state = "reading"
        data = bytes(self._buffer[:n])
        self.state = "idle"
        return data

    recv = read

    def close(self):
        self.state = "closed"


class ConnectionPool(object):
    """Opens connections of one class; release() closes and forgets them."""

    def __init__(self, connection_class, subnet, first_id):
        self.connection_class = connection_class
        self.subnet = subnet
        self.next_id = first_id
        self._in_use = {}

    def acquire(self):
        self.next_id += 1
        conn = self.connection_class(
            self.next_id, "10.0.%d.%d:5432" % (self.subnet, self.next_id % 250 + 1))
        self._in_use[conn.conn_id] = conn
        return conn

    def release(self, conn):
        conn.close()
        del self._in_use[conn.conn_id]


def query(pool):
    conn = pool.acquire()
    try:
        return len(conn.recv(16))
    finally:
        pool.release(conn)


def main():
    out, n = story.setup("bound_method")
    gc.collect()  # start with an empty gc.garbage
    gc.set_debug(gc.DEBUG_SAVEALL)
    leaky = ConnectionPool(Connection, 1, 1000)
    good = ConnectionPool(GoodConnection, 2, 5000)
    for k in range(1, n + 1):
        for i in range(LEAKED_PER_CHECKPOINT):
            query(leaky)
        for i in range(CONTROL_PER_CHECKPOINT):
            query(good)
        gc.collect()  # the Connection cycles go to gc.garbage
        path = os.path.join(out, "heap-%d.pydump.gz" % k)
        # synthetic data, no secrets: keep the str/bytes values (off by default)
        # so that fixtures and reports can show them
        leakscan_dump.dump(path, values=True)
        print("%s: %d bytes, gc.garbage %d" % (path, os.path.getsize(path), len(gc.garbage)),
              flush=True)
