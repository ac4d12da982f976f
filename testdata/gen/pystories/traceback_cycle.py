"""traceback_cycle: reference cycles through a stored exception's traceback.

usage: python3 testdata/gen/pystories/traceback_cycle.py \
           --out testdata/pydump/traceback_cycle [-n 6]

Writes heap-1.pydump.gz ... heap-N.pydump.gz with graph/pydump/leakscan_dump.py.
It re-executes itself once as "python3 -S -I -B" with an empty environment
and imports this file as the module "traceback_cycle" (so the classes are
traceback_cycle.ClientResponse ...), and closes the file descriptors it
inherited (>= 3) so the fd records show only its own. No randomness: the
object counts are the same on every run (ids, ports and times are not).

The story (aiohttp-shaped classes, defined here):

A local HTTP/1.1 server (TestHTTPServer: a listening socket on 127.0.0.1
plus one threading.Thread per checkpoint that serves exactly 40 connections
and exits; it is joined before the dump, so no server thread is alive at a
checkpoint) answers
  /truncated  "Content-Length: 8192" but only 4096 body bytes, then closes;
  /full       "Content-Length: 8192" and all 8192 bytes.
ClientSession.request() connects, sends the request and returns a
ClientResponse whose status line and headers are read; the response's
`content` is a StreamReader.

LEAK: ClientResponse.read() raises ClientPayloadError when the body is
short, catches it in the same frame and stores it with
self.content.set_exception(exc). The caller then drops the response. The
program runs gc.collect() once and then gc.disable() (as services that
disable the collector for latency do), so each failed response stays in
the heap as an unreachable cycle:

  ClientResponse -content-> StreamReader -_exception-> ClientPayloadError
    -__traceback__-> traceback -tb_frame-> frame of ClientResponse.read
    -local self-> ClientResponse

The frame also keeps its other locals (`length`, the int 8192, and `data`,
the 4096 partial body bytes, which the StreamReader's _buffer holds too)
and, as every frame that outlives its call on CPython 3.11, f_back to its
caller's frame, here main() (executing at every checkpoint, shared by all
leaked frames). The socket is closed and dropped in read()'s finally
(ClientResponse.release), so the leak holds no file descriptor.

CONTROL: the same classes read /full to completion: no exception is
stored, nothing refers back to the response, and reference counting frees
it (and its 8192-byte body) as soon as the caller drops it.

Per checkpoint: 20 truncated responses (leak) and 20 full ones (control).
Each leaked response is 17 objects, all unreachable from the roots:
  traceback_cycle.ClientResponse, traceback_cycle.StreamReader,
  traceback_cycle.ClientPayloadError, builtins.traceback, builtins.frame
  (of read), builtins.dict (headers), builtins.list (StreamReader._buffer),
  builtins.tuple (the exception's args), builtins.bytes (the 4096-byte
  partial body, s = 4129), 6 builtins.str (url, reason, the 3 header
  values, the error message), 2 builtins.int (8192 and 4096).
Exact growth per checkpoint (same every run):
  ClientResponse, StreamReader, ClientPayloadError, traceback, frame,
  bytes, list, tuple: +20 each (20k at checkpoint k); str +120; int +40;
  dict +20 per checkpoint (an older dumper made a __dict__ for each
  instance it dumped and the frame's f_locals: +100 from checkpoint 2).
Nothing of the control (no "/full" url, 8192-byte body or second error)
is in any dump; file descriptors stay at the listening socket.
"""
import gc
import os
import sys

if __name__ == "__main__":
    import story
    story.reexec(__file__)  # the dumps are made by the import, in main

import socket  # noqa: E402
import threading  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "graph", "pydump"))
import leakscan_dump  # noqa: E402
import story  # noqa: E402

LEAKED_PER_CHECKPOINT = 20
CONTROL_PER_CHECKPOINT = 20
BODY_LENGTH = 8192
SENT_WHEN_TRUNCATED = 4096
BODY = bytes(range(256)) * (BODY_LENGTH // 256)


# ---------------------------------------------------------------- server --

class TestHTTPServer(object):
    """127.0.0.1 HTTP server; serve(n) handles n connections, one at a time."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.host, self.port = self.sock.getsockname()

    def serve(self, count):
        for _ in range(count):
            conn, _peer = self.sock.accept()
            try:
                self._handle(conn)
            finally:
                conn.close()
            conn = _peer = None

    def _handle(self, conn):
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        path = request.split(b" ", 2)[1]
        head = (b"HTTP/1.1 200 OK\r\n"
                b"Content-Type: application/octet-stream\r\n"
                b"Content-Length: %d\r\n"
                b"Connection: close\r\n\r\n" % BODY_LENGTH)
        if path == b"/truncated":
            # the upstream dies mid-body
            conn.sendall(head + BODY[:SENT_WHEN_TRUNCATED])
        else:
            conn.sendall(head + BODY)


# ---------------------------------------------------------------- client --

class ClientPayloadError(Exception):
    """Response payload error (aiohttp.ClientPayloadError)."""


class StreamReader(object):
    """The body stream of a response (aiohttp.StreamReader)."""

    def __init__(self, limit=2 ** 16):
        self._limit = limit
        self._buffer = []
        self._size = 0
        self._eof = False
        self._exception = None

    def feed_data(self, data):
        self._buffer.append(data)
        self._size += len(data)

    def feed_eof(self):
        self._eof = True

    def set_exception(self, exc):
        self._exception = exc

    def exception(self):
        return self._exception

    def read_nowait(self):
        data = b"".join(self._buffer)
        del self._buffer[:]
        self._size = 0
        return data


class Connection(object):
    """A pooled connection: the socket and a read buffer."""

    def __init__(self, sock):
        self._sock = sock
        self._buf = bytearray()

    def send(self, data):
        self._sock.sendall(data)

    def readline(self):
        while True:
            i = self._buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self._buf[:i])
                del self._buf[:i + 2]
                return line
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("connection closed in the headers")
            self._buf += chunk

    def read_up_to(self, n):
        """Up to n bytes: fewer only if the peer closes first."""
        while len(self._buf) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                break
            self._buf += chunk
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class ClientResponse(object):
    """An HTTP response (aiohttp.ClientResponse)."""

    def __init__(self, method, url, connection):
        self.method = method
        self.url = url
        self.status = None
        self.reason = None
        self.headers = {}
        self.content = StreamReader()
        self._connection = connection
        self._body = None

    def start(self):
        status_line = self._connection.readline()
        _version, status, reason = status_line.split(b" ", 2)
        self.status = int(status)
        self.reason = reason.decode("ascii")
        while True:
            line = self._connection.readline()
            if not line:
                break
            name, _sep, value = line.partition(b":")
            self.headers[name.decode("ascii")] = value.strip().decode("ascii")

    def read(self):
        length = int(self.headers["Content-Length"])
        try:
            data = self._connection.read_up_to(length)
            self.content.feed_data(data)
            if len(data) < length:
                raise ClientPayloadError(
                    "Response payload is not completed: %d of %d bytes"
                    % (len(data), length))
            self.content.feed_eof()
            self._body = self.content.read_nowait()
        except ClientPayloadError as exc:
            # the leak: the exception's traceback holds this frame, whose
            # local `self` is this response, which holds the exception
            self.content.set_exception(exc)
        finally:
            self.release()
        return self._body

    def release(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class ClientSession(object):
    """Makes requests to one host (aiohttp.ClientSession, synchronous)."""

    def __init__(self, host, port):
        self._host = host
        self._port = port

    def request(self, method, path):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.connect((self._host, self._port))
        conn = Connection(sock)
        conn.send(b"%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
                  % (method.encode("ascii"), path.encode("ascii"),
                     self._host.encode("ascii"), self._port))
        resp = ClientResponse(method, "http://%s:%d%s" % (self._host, self._port, path), conn)
        resp.start()
        return resp


# ------------------------------------------------------------------ main --

def main():
    out, n = story.setup("traceback_cycle")
    gc.collect()
    gc.disable()  # the collector stays off: unreachable cycles are never freed
    server = TestHTTPServer()
    session = ClientSession(server.host, server.port)
    failed = 0
    completed = 0
    for k in range(1, n + 1):
        server_thread = threading.Thread(
            target=server.serve, name="http-server",
            args=(LEAKED_PER_CHECKPOINT + CONTROL_PER_CHECKPOINT,))
        server_thread.start()
        for i in range(LEAKED_PER_CHECKPOINT):
            # leak: the upstream drops the connection mid-body
            resp = session.request("GET", "/truncated")
            resp.read()
            if resp.content.exception() is not None:
                failed += 1
            resp = None
            # control: a complete body, freed by reference counting
            resp = session.request("GET", "/full")
            body = resp.read()
            if len(body) == BODY_LENGTH:
                completed += 1
            resp = body = None
        server_thread.join()
        server_thread = None
        path = os.path.join(out, "heap-%d.pydump.gz" % k)
        # synthetic data, no secrets: keep the str/bytes values (off by default)
        # so that fixtures and reports can show them
        leakscan_dump.dump(path, values=True)
        print("%s: %d bytes, %d failed, %d completed"
              % (path, os.path.getsize(path), failed, completed), flush=True)
