"""Secrets and failures; used by dumper_test.go (TestDumperSecretsAndFailures).

usage: python3 safety.py DUMPER_DIR WORK_DIR
Prints one JSON line: {"failures": [...], "checked": N}; each failure is a
sentence. Runs every case in this one process, to show that a failed dump
leaves it able to dump again.
"""
import errno
import gc
import gzip
import json
import os
import signal
import stat
import sys

sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402

work = sys.argv[2]
failures = []
checked = [0]


def check(ok, what):
    checked[0] += 1
    if not ok:
        failures.append(what)


os.environ["API_TOKEN"] = "tok-" + "ENVSECRET1234"
config = {"DB_PASSWORD": "hunter2-" + "PWSECRET", "user": "app"}
sessions = {"eyJhbGciOiJIUzI1NiJ9." + "SESSIONSECRET": 1, "a3f9c0d17be24e5a9f0c" + "11223344": 2}
note = "text-" + "STRSECRET"
blob = b"bytes-" + b"BYTESECRET"
SECRETS = ["ENVSECRET1234", "PWSECRET", "SESSIONSECRET", "a3f9c0d17be24e5a9f0c11223344", "STRSECRET", "BYTESECRET"]


class Holder(object):
    def __init__(self):
        self.name = "holder"


holder = Holder()


def text(path):
    with gzip.open(path, "rt") as fh:
        return fh.read()


def listing(d):
    return sorted(os.listdir(d))


# ---- secrets: off by default, on when asked -----------------------------
d = os.path.join(work, "secrets")
os.mkdir(d)
p = os.path.join(d, "default.pydump.gz")
leakscan_dump.dump(p)
t = text(p)
for s in SECRETS:
    check(s not in t, "default dump contains %r" % s)
check("<masked>" in t, "default dump masks no dict key")
check("'DB_PASSWORD'" in t, "default dump lost the key name 'DB_PASSWORD'")
check('"values":false' in t.split("\n", 1)[0], "header does not say values:false")
check("leakscan_dump.py" in t and '"v":"dump"' in t, "names of code and functions are not written")
check(stat.S_IMODE(os.stat(p).st_mode) == 0o600, "mode %o, want 600" % stat.S_IMODE(os.stat(p).st_mode))
check(listing(d) == ["default.pydump.gz"], "directory holds %s" % listing(d))

p = os.path.join(d, "all.pydump.gz")
leakscan_dump.dump(p, values=True, reveal_keys=True)
t = text(p)
for s in SECRETS:
    check(s in t, "values=True, reveal_keys=True dump lacks %r" % s)

# ---- failures: a clear exception, nothing left, the process unharmed ---
refs_before = [id(r) for r in gc.get_referents(holder)]


def expect_failure(path, cause, what):
    try:
        leakscan_dump.dump(path)
    except leakscan_dump.DumpError as e:
        check(path in str(e), "%s: message %r does not name the path" % (what, str(e)))
        check(isinstance(e.__cause__, cause), "%s: cause %r, want %s" % (what, e.__cause__, cause.__name__))
    except BaseException as e:  # noqa: B902
        check(False, "%s: raised %r, want DumpError" % (what, e))
    else:
        check(False, "%s: no exception" % what)
    check(gc.isenabled(), "%s: gc left disabled" % what)


expect_failure(os.path.join(work, "missing", "x.pydump.gz"), FileNotFoundError, "nonexistent directory")

ro = os.path.join(work, "readonly")
os.mkdir(ro, 0o555)
os.chmod(ro, 0o555)
if os.geteuid() == 0:
    os.seteuid(65534)  # root writes anywhere: be nobody for this case
try:
    expect_failure(os.path.join(ro, "x.pydump.gz"), PermissionError, "directory not writable")
finally:
    if os.getuid() == 0:
        os.seteuid(0)
check(listing(ro) == [], "not writable: directory holds %s" % listing(ro))


class FullDisk(object):
    """A file whose write fails as on a full disk, after some bytes."""

    def __init__(self, f):
        self.f = f
        self.n = 0

    def write(self, b):
        self.n += len(b)
        if self.n > 4096:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.f.write(b)

    def __getattr__(self, name):
        return getattr(self.f, name)


full = os.path.join(work, "full")
os.mkdir(full)
real = leakscan_dump._fdopen
leakscan_dump._fdopen = lambda fd, mode: FullDisk(real(fd, mode))
try:
    expect_failure(os.path.join(full, "x.pydump.gz"), OSError, "disk full")
finally:
    leakscan_dump._fdopen = real
check(listing(full) == [], "disk full: directory holds %s" % listing(full))

# the signal handler: a failed attempt leaves nothing, a good one a file
gone = os.path.join(work, "gone")
leakscan_dump.install_signal_handler(signal.SIGUSR1, gone)
os.kill(os.getpid(), signal.SIGUSR1)
check(not os.path.exists(gone), "signal handler made %s" % gone)
sig = os.path.join(work, "sig")
os.mkdir(sig)
leakscan_dump.install_signal_handler(signal.SIGUSR1, sig)
os.kill(os.getpid(), signal.SIGUSR1)
names = listing(sig)
check(len(names) == 1 and names[0].startswith("leakscan-") and names[0].endswith(".pydump.gz"),
      "signal handler wrote %s" % names)

# still able to dump, and nothing changed in the instance
p = os.path.join(d, "after.pydump.gz")
leakscan_dump.dump(p)
check(text(p).rstrip().split("\n")[-1].startswith('{"k":"end"'), "dump after the failures has no trailer")
check([id(r) for r in gc.get_referents(holder)] == refs_before, "referents of an instance changed")
print(json.dumps({"failures": failures, "checked": checked[0]}))
