"""Dumps under tracemalloc (the walk then runs in a thread of its own);
used by dumper_test.go (TestDumperUnderTracemalloc).

usage: python3 traced.py DUMPER_DIR OUT_PATH
Prints one JSON line: the id of an object allocated at a known line, that
line, and the error a dump into a missing directory raised.
"""
import json
import os
import sys
import tracemalloc

tracemalloc.start(4)
sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402


def make():
    # a list: on 3.11 tracemalloc does not find the traceback of instances
    # of classes with a managed dict (it looks before the GC header only)
    return ["marker"]


marker = make()
line = make.__code__.co_firstlineno + 3
leakscan_dump.dump(sys.argv[2])
err = ""
try:
    leakscan_dump.dump(os.path.join(os.path.dirname(sys.argv[2]), "missing", "x.pydump.gz"))
except leakscan_dump.DumpError as e:
    err = type(e.__cause__).__name__
print(json.dumps({"marker": id(marker), "line": line, "error": err, "tracing": tracemalloc.is_tracing()}))
