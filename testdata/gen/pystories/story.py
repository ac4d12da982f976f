"""story: what the pystories generators share.

Each generator is run as a script, re-executes itself once (reexec) and,
in the child, calls setup() first thing in main().
"""

import os
import sys


def reexec(file):
    """Re-execute once as "python3 -S -I -B", with an empty environment,
    importing file as a module (so its classes are <name>.Class) and
    calling its main(). Why each: no site module (a bare interpreter: small
    dumps); the environment is in the heap (os.environ), so the dumps hold
    none of the caller's variables and do not depend on them; a script run
    as __main__ keeps its parser arena (a list of every name and constant
    of the source) alive until it ends, an import frees it. See
    testdata/README.md."""
    os.execve(sys.executable, [sys.executable, "-S", "-I", "-B", "-c",
                               "import sys; del sys.argv[0]; "
                               "sys.path.insert(0, sys.argv[0].rpartition('/')[0]); "
                               "__import__(sys.argv[0].rpartition('/')[2][:-3]).main()",
                               os.path.abspath(file)] + sys.argv[1:], {})


def setup(name):
    """Reads [--out DIR] [-n N] (default testdata/pydump/<name>, 6 dumps),
    closes the descriptors inherited (>= 3, so that the fd records are the
    program's own) and makes DIR. Returns DIR and N."""
    out = "testdata/pydump/" + name
    n = 6
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--out" and args:
            out = args.pop(0)
        elif a == "-n" and args:
            n = int(args.pop(0))
        else:
            sys.exit("usage: %s.py [--out DIR] [-n N]" % name)
    os.closerange(3, 1 << 16)
    os.makedirs(out, exist_ok=True)
    return out, n
