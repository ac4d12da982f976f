"""Dumps while other threads change a dict and a list; used by
dumper_test.go (TestDumperConcurrentMutation).

usage: python3 mutating.py DUMPER_DIR OUT_PREFIX
Writes OUT_PREFIX1.pydump.gz ... OUT_PREFIX3.pydump.gz and prints one JSON
line: the ids of the dict and the list, and the errors dump() raised.
"""
import json
import sys
import threading

sys.path.insert(0, sys.argv[1])
import leakscan_dump  # noqa: E402

shared = {"k%d" % i: [i] for i in range(5000)}
items = [[i] for i in range(5000)]
stop = []


def churn_dict(seed):
    n = seed
    while not stop:
        n = (n * 1103515245 + 12345) & 0x7FFFFFFF
        k = "k%d" % (n % 10000)
        if k in shared:
            del shared[k]
        else:
            shared[k] = [n]


def churn_list(seed):
    n = seed
    while not stop:
        n = (n * 1103515245 + 12345) & 0x7FFFFFFF
        if n & 1 and items:
            items.pop()
        else:
            items.append([n])


threads = [threading.Thread(target=f, args=(s,), daemon=True)
           for f, s in ((churn_dict, 1), (churn_list, 3))]
for t in threads:
    t.start()
sys.setswitchinterval(1e-4)  # hand the GIL over often
errors = []
for i in (1, 2, 3):
    try:
        leakscan_dump.dump("%s%d.pydump.gz" % (sys.argv[2], i))
    except Exception as e:  # noqa: B902
        errors.append(repr(e))
stop.append(True)
for t in threads:
    t.join()
print(json.dumps({"dict": id(shared), "list": id(items), "errors": errors}))
