"""leakscan_dump: a standard-library-only heap dumper for CPython 3.11+
(tested on 3.11; the 3.8-3.10 code paths are kept, nothing runs them).

Drop this file into a service and call::

    import leakscan_dump
    leakscan_dump.dump("/tmp/app.pydump.gz")          # one snapshot
    leakscan_dump.install_signal_handler()            # or: kill -USR1 <pid>

The output is the "leakscan-pydump" version 1 format (JSON lines, gzip when
the path ends in ".gz"); see FORMAT.md next to this file in the leakscan
repository.  Analyse it with leakscan.

Rules this module keeps so that it is safe to run inside a live service:

* it changes nothing the program can see: it never reads an instance's
  __dict__ (CPython 3.11+ would materialize one per instance), never creates
  frame objects or locals dicts for generators and finished frames, leaves
  gc's state, thresholds and gc.garbage alone (automatic collection is off
  while it runs, then restored); what remains is listed in FORMAT.md;
* it never calls an object's __repr__, __getattr__, __getattribute__,
  __eq__, __hash__, __sizeof__, properties or any other Python-level method
  of the program: values are read through C-level descriptors, the generic
  attribute lookup on names that are not descriptors, dict.items / list /
  tuple iteration, and gc.get_referents;
* it never calls gc.collect() unless asked to (collect=True);
* str/bytes values are written only with values=True; token-like dict keys
  are masked unless reveal_keys=True;
* the file is 0600, written under a temporary name and renamed when
  complete; on failure it is removed and DumpError raised;
* records are streamed to the file as they are produced;
* its own working objects (the queue, the id tables, its frames, the output
  file) are left out of the dump.
"""

import gc
import os
import sys
import time
import zlib

import _signal
import _thread

try:
    import _tracemalloc  # C module, built in; imported now, not while dumping
except ImportError:  # pragma: no cover
    _tracemalloc = None

__all__ = ["dump", "install_signal_handler", "DumpError", "FORMAT", "VERSION"]

FORMAT = "leakscan-pydump"
VERSION = 1

try:
    from _json import encode_basestring_ascii as _enc
except ImportError:  # pragma: no cover
    from json.encoder import encode_basestring_ascii as _enc

_HAVE_GC = 1 << 14          # Py_TPFLAGS_HAVE_GC
_IMMORTAL = 1 << 29         # refcounts above this are immortal objects (3.12+)
_FLUSH_LINES = 256          # lines buffered before a write (len() <= 256: no new int)
_STR_MAX = 64               # characters of a str value kept
_BYTES_MAX = 32             # bytes of a bytes value kept
_KEY_MAX = 64               # characters of a str dict key kept in a label

# The types module is not imported: the dumper imports nothing that a bare
# interpreter has not loaded already (except zlib), to disturb the heap less.
def _gen():
    yield


async def _coro():
    pass


async def _agen():
    yield


_c = _coro()
_FunctionType = type(_gen)
_GeneratorType = type(_gen())
_CoroutineType = type(_c)
_AsyncGeneratorType = type(_agen())
_c.close()
del _c
_FrameType = type(sys._getframe())
_MethodType = type(_gen.__get__(0))  # bound method
_GETSET = type(type.__dict__["__dict__"])
_MEMBER = type(_FunctionType.__dict__["__globals__"])
_DESC_TYPES = (_GETSET, _MEMBER)

_type_dict = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_type_bases = type.__dict__["__bases__"].__get__
_type_base = type.__dict__["__base__"].__get__
_type_module = type.__dict__["__module__"].__get__
_type_qualname = type.__dict__["__qualname__"].__get__
_type_name = type.__dict__["__name__"].__get__
_type_flags = type.__dict__["__flags__"].__get__

_dict_items = dict.items
_dict_get = dict.get
_list_iter = list.__iter__
_tuple_iter = tuple.__iter__
_getrefcount = sys.getrefcount
_getsizeof = sys.getsizeof
_get_referents = gc.get_referents
_is_tracked = gc.is_tracked
# A weak reference's referent, through the C slot of weakref.ref itself:
# subclasses that override __call__ (weakref.WeakMethod) run no Python
# code here, and nothing is created or changed.
try:
    import _weakref

    _WeakRef = _weakref.ref
    _weak_referent = _weakref.ref.__call__
except Exception:  # pragma: no cover - every CPython has _weakref
    _WeakRef = None
    _weak_referent = None
_WEAK = '"weakref",""'

_frame_desc = dict(
    (n, _FrameType.__dict__[n])
    for n in ("f_back", "f_code", "f_globals", "f_builtins", "f_locals", "f_trace", "f_lineno")
)
_GEN_TYPES = {
    _GeneratorType: "gi_",
    _CoroutineType: "cr_",
    _AsyncGeneratorType: "ag_",
}
_func_name = _FunctionType.__dict__["__name__"].__get__
_func_code = _FunctionType.__dict__["__code__"].__get__
_func_qualname = _FunctionType.__dict__["__qualname__"].__get__
_func_module = _FunctionType.__dict__["__module__"].__get__
_method_func = _MethodType.__dict__["__func__"].__get__
_StaticMethod = staticmethod
_ClassMethod = classmethod
_sm_func = staticmethod.__dict__["__func__"].__get__
_cm_func = classmethod.__dict__["__func__"].__get__
_prop_fget = property.__dict__["fget"].__get__
_prop_fset = property.__dict__["fset"].__get__
_prop_fdel = property.__dict__["fdel"].__get__
_OBJ_GETATTRIBUTE = object.__dict__["__getattribute__"]
_object_getattribute = object.__getattribute__
_METHOD_DESC = type(object.__dict__["__sizeof__"])  # C-level method


class _Probe(object):
    pass


def _gc_overheads():
    """What sys.getsizeof adds to __sizeof__: the GC header of GC objects
    and (3.12+) the pre-header of objects with a managed dict/weakref."""
    gch = _getsizeof([]) - list.__sizeof__([])
    p = _Probe()
    pre = _getsizeof(p) - object.__sizeof__(p) - gch
    return gch, pre


_GC_HEAD, _PRE_HEADER = _gc_overheads()
_PRE_BITS = (1 << 3) | (1 << 4)  # Py_TPFLAGS_MANAGED_WEAKREF / _MANAGED_DICT

# Attribute names read through C-level descriptors (getset/member) found in
# the type's MRO, and the edge kind/label given to the referent they return.
# Names whose getter has side effects are not here (__dict__, f_locals,
# gi_frame/cr_frame/ag_frame, __annotations__, co_code) and are handled apart.
_KNOWN = [
    # exceptions
    ("__traceback__", "traceback"), ("__context__", "context"),
    ("__cause__", "cause"), ("args", "attr"),
    # tracebacks
    ("tb_frame", "tb_frame"), ("tb_next", "tb_next"),
    # cells, bound methods, builtin methods
    ("cell_contents", "cell"), ("__self__", "self"), ("__func__", "func"),
    # functions
    ("__globals__", "global"), ("__builtins__", "global"),
    ("__defaults__", "attr"), ("__kwdefaults__", "attr"),
    ("__code__", "code"), ("__closure__", "closure"),
    ("__name__", "attr"), ("__qualname__", "attr"), ("__module__", "attr"),
    ("__doc__", "attr"), ("__wrapped__", "attr"),
    # generators / coroutines
    ("gi_code", "code"), ("cr_code", "code"), ("ag_code", "code"),
    ("gi_yieldfrom", "await"), ("cr_await", "await"), ("ag_await", "await"),
    # asyncio C Future / Task
    ("_coro", "attr"), ("_fut_waiter", "await"), ("_exception", "attr"),
    ("_result", "attr"), ("_loop", "attr"), ("_callbacks", "attr"),
    ("_source_traceback", "attr"),
    # code objects
    ("co_consts", "attr"), ("co_names", "attr"), ("co_filename", "attr"),
    ("co_name", "attr"), ("co_qualname", "attr"), ("co_linetable", "attr"),
    ("co_exceptiontable", "attr"), ("co_lnotab", "attr"),
    # properties, classmethods, staticmethods, partials
    ("fget", "attr"), ("fset", "attr"), ("fdel", "attr"),
    ("func", "attr"), ("keywords", "attr"),
    # weakref callbacks
    ("__callback__", "attr"),
]


# getset names that C types other than functions compute when read
_COMPUTED = frozenset(("__qualname__", "__name__", "__doc__", "__module__", "__text_signature__", "co_lnotab"))
_getset_objclass = _GETSET.__dict__["__objclass__"].__get__


def _owned_by_function(d):
    try:
        return _getset_objclass(d) is _FunctionType
    except Exception:
        return False


def _frag(kind, label):
    return _enc(kind) + "," + _enc(label)


_REF = '"ref",""'
_ATTR_DICT = _frag("attr", "__dict__")
_MRO = _frag("mro", "__mro__")
_BASES = _frag("base", "__bases__")
_BASE = _frag("base", "__base__")
_CLASS = _frag("class", "__class__")


def _type_name_of(t):
    """module.qualname of a type, without running Python-level code."""
    try:
        mod = _type_module(t)
    except Exception:
        mod = None
    if type(mod) is not str:
        mod = "?"
    try:
        qn = _type_qualname(t)
    except Exception:
        qn = None
    if type(qn) is not str:
        try:
            qn = _type_name(t)
        except Exception:
            qn = "?"
    return mod + "." + qn


def _short_qualname(t):
    try:
        qn = _type_qualname(t)
    except Exception:
        qn = None
    return qn if type(qn) is str else "?"


_TOKEN_PREFIXES = ("eyJ", "ghp_", "gho_", "ghs_", "github_pat_", "sk-", "xox", "AKIA", "ASIA", "Bearer ", "Basic ")


def _looks_secret(k):
    """True for a str key that looks like a credential value rather than a
    name: a known token prefix, or 20+ characters without a space that mix
    at least two of upper case, lower case and digits, and have 6+ digits
    or no vowel-rich word shape (hex, base64, random ids)."""
    if len(k) < 8:
        return False
    for p in _TOKEN_PREFIXES:
        if k.startswith(p):
            return True
    if len(k) < 20 or " " in k:
        return False
    up = lo = dg = 0
    for ch in k[:256]:
        if "0" <= ch <= "9":
            dg += 1
        elif "a" <= ch <= "z":
            lo += 1
        elif "A" <= ch <= "Z":
            up += 1
    classes = (up > 0) + (lo > 0) + (dg > 0)
    return classes >= 2 and dg >= 4


_MASKED = "<masked>"


def _key_label(k, reveal=True):
    """Label of a dict key: repr of a str/int/float/bool/None/bytes key,
    else '<qualname of the key's type>'; "<masked>" for a str or bytes key
    that looks like a credential, unless reveal."""
    tk = type(k)
    if tk is str:
        if not reveal and _looks_secret(k):
            return _MASKED
        return str.__repr__(k[:_KEY_MAX])
    if tk is int:
        if int.bit_length(k) <= 128:
            return int.__repr__(k)
        return "<int>"
    if tk is bool:
        return bool.__repr__(k)
    if tk is float:
        return float.__repr__(k)
    if k is None:
        return "None"
    if tk is bytes:
        if not reveal and _looks_secret(k[:256].decode("latin-1")):
            return _MASKED
        return bytes.__repr__(k[:_BYTES_MAX])
    return "<" + _short_qualname(tk) + ">"


def _attr_label(k):
    return k if type(k) is str else _key_label(k)


def _short_value(o, t):
    """The "v" field, or None. Only for exact scalar types."""
    if t is str:
        return o[:_STR_MAX]
    if t is int:
        if int.bit_length(o) <= 256:
            return int.__repr__(o)
        return None
    if t is float:
        return float.__repr__(o)
    if t is bool:
        return bool.__repr__(o)
    if o is None:
        return "None"
    if t is complex:
        return complex.__repr__(o)
    if t is bytes:
        return bytes.__repr__(o[:_BYTES_MAX])
    return None


# plan kinds
_K_LEAF, _K_DICT, _K_SEQ, _K_GENERIC, _K_TYPE, _K_FRAME, _K_FUNC, _K_GEN, _K_CODE = range(9)
_CodeType = type(_gen.__code__)
_co_names = _CodeType.__dict__["co_names"].__get__
_co_consts = _CodeType.__dict__["co_consts"].__get__
# the names a code object is given edges for (it is not a GC type, so
# gc.get_referents shows none): what names a frame, function or coroutine
_CODE_NAMES = tuple(n for n in ("co_qualname", "co_name", "co_filename") if hasattr(_gen.__code__, n))


def _lookup_desc(mro, name, missing=None):
    """First entry called name in the MRO class dicts, or missing."""
    for c in mro:
        try:
            cd = _type_dict(c)
        except Exception:
            continue
        if name in cd:
            return cd[name]
    return missing


def _is_descriptor(v):
    """True when v's type defines __get__ (a descriptor: reading an
    attribute that resolves to it could run its code)."""
    try:
        mro = _type_mro(type(v))
    except Exception:
        return True
    return _lookup_desc(mro, "__get__", _MISSING) is not _MISSING


def _code_names(code, acc, depth=0):
    """co_names of code and of the code objects among its constants
    (nested functions, lambdas, comprehensions), into the dict acc."""
    try:
        names = _co_names(code)
        consts = _co_consts(code)
    except Exception:
        return
    for n in names:
        if type(n) is str:
            acc[n] = None
    if depth < 8:
        for c in consts:
            if type(c) is _CodeType:
                _code_names(c, acc, depth + 1)


def _attr_plan(t, mro, slot_names):
    """How instances of t get their attributes labelled, without reading
    __dict__ (which materializes a dict on CPython 3.11+): candidate
    attribute names (the names the class's own code uses: co_names of the
    functions, static/class methods and properties in the class dicts of
    its MRO, and the keys of __annotations__), read with the generic
    attribute lookup and matched by identity against gc.get_referents.

    Returns [getter, hits, rest, classvals, keyinfo, pool scans, label
    fragments by name]. A name that
    resolves on the type to a descriptor (method, property, any object
    whose type defines __get__) is dropped: reading it could run code, and
    an instance value of that name would hide nothing the lookup shows.
    A name whose class attribute is a plain value is kept in classvals: a
    lookup returning that very object is not an instance attribute."""
    acc = {}
    for c in mro:
        if c is object:
            continue
        try:
            cd = _type_dict(c)
        except Exception:
            continue
        try:
            items = list(cd.items())
        except Exception:
            continue
        for k, v in items:
            tv = type(v)
            fns = ()
            if tv is _FunctionType:
                fns = (v,)
            elif tv is _StaticMethod or tv is _ClassMethod:
                try:
                    fns = (_sm_func(v) if tv is _StaticMethod else _cm_func(v),)
                except Exception:
                    fns = ()
            elif tv is property:
                fns = []
                for g in (_prop_fget, _prop_fset, _prop_fdel):
                    try:
                        fns.append(g(v))
                    except Exception:
                        pass
            elif k == "__annotations__" and tv is dict:
                for n in _dict_items(v):
                    if type(n[0]) is str:
                        acc[n[0]] = None
            for f in fns:
                if type(f) is _FunctionType:
                    try:
                        _code_names(_func_code(f), acc)
                    except Exception:
                        pass
    if _lookup_desc(mro, "__getattribute__", _MISSING) is _OBJ_GETATTRIBUTE and \
            _lookup_desc(mro, "__getattr__", _MISSING) is _MISSING:
        getter = _fast_get
    else:
        getter = _generic_get
    plan = [getter, [], [], {}, {}, 0, {}]
    rest = plan[2]
    for n in acc:
        if n in slot_names or n in ("__dict__", "__class__", "__weakref__"):
            continue
        if _classify_name(plan, mro, n) is not _SKIP:
            rest.append(n)
    return plan


_MISSING = object()
_SKIP = object()


def _classify_name(aplan, mro, n):
    """_MISSING (no class attribute), _SKIP (a descriptor or unreadable),
    or the plain class attribute value; cached in aplan[4]."""
    ki = aplan[4]
    r = ki.get(n, ki)
    if r is not ki:
        return r
    d = _lookup_desc(mro, n, _MISSING)
    if d is _MISSING:
        r = _MISSING
    elif _is_descriptor(d):
        r = _SKIP
    else:
        r = d
        aplan[3][n] = d
    if len(ki) < 4096:
        ki[n] = r
    return r


def _fast_get(o, n):
    # the type's tp_getattro is PyObject_GenericGetAttr (no __getattr__,
    # no __getattribute__ in the MRO): getattr with a default does not even
    # create the AttributeError
    return getattr(o, n, _MISSING)


def _generic_get(o, n):
    # PyObject_GenericGetAttr itself: no __getattribute__/__getattr__ hook
    try:
        return _object_getattribute(o, n)
    except Exception:
        return _MISSING


_POOL_SCANS = 2           # instances per type tried against the name pool
_POOL_BUDGET = 2000000    # lookups per dump spent on the name pool


def _name_pool(ctx):
    """Every name in the co_names of the functions and running frames of
    the heap: attributes set from outside the class (obj.x = ... in another
    module's code) are found here. Built once per dump, when needed."""
    pool = ctx[0]
    if pool is None:
        acc = {}
        for o in ctx[2]:
            if type(o) is _FunctionType:
                try:
                    _code_names(_func_code(o), acc)
                except Exception:
                    pass
        for c in ctx[3]:
            _code_names(c, acc)
        o = None
        pool = ctx[0] = tuple(n for n in acc if not (n[:2] == "__" and n[-2:] == "__"))
    return pool


def _put(refs, labs, v, frag):
    """labs[j] = frag for every unlabelled position j where refs[j] is v;
    True when v is among refs at all."""
    found = False
    j = 0
    for r in refs:
        if r is v:
            found = True
            if labs[j] is None:
                labs[j] = frag
        j += 1
    return found


def _label_attrs(o, refs, labs, aplan, mro, ctx):
    """Labels instance attributes among refs, by position (see _attr_plan)."""
    pend = 0
    last = -1
    j = 0
    for x in labs:
        if x is None:
            pend += 1
            last = j
        j += 1
    if not pend:
        return
    get, hits, rest, classvals = aplan[0], aplan[1], aplan[2], aplan[3]
    if pend == 1:
        d = refs[last]
        if type(d) is dict and _is_instance_dict(o, d, aplan, mro):
            labs[last] = _ATTR_DICT
            return
    elsewhere = None
    moved = None
    for names in (hits, rest):
        for n in names:
            v = get(o, n)
            if v is _MISSING or v is classvals.get(n, _MISSING):
                continue
            fr = _attr_frag(aplan, n)
            before = pend
            j = 0
            found = False
            for r in refs:
                if r is v:
                    found = True
                    if labs[j] is None:
                        labs[j] = fr
                        pend -= 1
                j += 1
            if pend < before:
                if names is rest:
                    if moved is None:
                        moved = []
                    moved.append(n)
                if not pend:
                    break
            elif not found:
                if elsewhere is None:
                    elsewhere = []
                elsewhere.append((n, v))
        if not pend:
            break
    if pend and aplan[5] < _POOL_SCANS and ctx is not None and ctx[1] > 0:
        aplan[5] += 1
        pool = _name_pool(ctx)
        ctx[1] -= len(pool)
        known = set(hits)
        known.update(rest)
        for n in pool:
            if n in known:
                continue
            c = _classify_name(aplan, mro, n)
            if c is _SKIP:
                continue
            v = get(o, n)
            if v is _MISSING or v is classvals.get(n, _MISSING):
                continue
            before = pend
            fr = _attr_frag(aplan, n)
            j = 0
            for r in refs:
                if r is v and labs[j] is None:
                    labs[j] = fr
                    pend -= 1
                j += 1
            if pend < before:
                hits.append(n)
                if not pend:
                    break
        known = None
    if moved:
        for n in moved:
            rest.remove(n)
            hits.append(n)
    if elsewhere and pend:
        # attributes held in a real __dict__ (3.8-3.10, or materialized
        # before the dump): the dict referent that maps the name to the
        # value is the instance's __dict__
        j = 0
        for d in refs:
            if labs[j] is None and type(d) is dict:
                try:
                    for k, val in list(_dict_items(d)):
                        if type(k) is str and any(val is v and k == n for n, v in elsewhere):
                            _put(refs, labs, d, _ATTR_DICT)
                            break
                except Exception:
                    pass
            j += 1


def _attr_frag(aplan, n):
    frags = aplan[6]
    f = frags.get(n)
    if f is None:
        f = frags[n] = '"attr",' + _enc(n)
    return f


def _is_instance_dict(o, d, aplan, mro):
    """True when dict d, the only unlabelled referent of instance o, is its
    __dict__: every str key (up to 16) that the generic lookup reads on o
    gives the very value d holds, at least one of them not a class value."""
    get = aplan[0]
    classvals = aplan[3]
    n = 0
    ok = False
    try:
        for k, val in _dict_items(d):
            if type(k) is not str:
                return False
            n += 1
            if n > 16:
                break
            c = _classify_name(aplan, mro, k)
            if c is _SKIP:
                continue
            v = get(o, k)
            if v is not val:
                return False
            if c is _MISSING or v is not classvals.get(k, _MISSING):
                ok = True
    except Exception:
        return False
    return ok


def _sizer(mro, flags):
    """None when sys.getsizeof runs only C code for this type (its
    __sizeof__ is a C method); else (C __sizeof__ nearest in the MRO,
    what sys.getsizeof adds): a Python-level __sizeof__ is never called."""
    d = _lookup_desc(mro, "__sizeof__")
    if type(d) is _METHOD_DESC:
        return None
    base = object.__sizeof__
    for c in mro:
        try:
            d = _type_dict(c).get("__sizeof__")
        except Exception:
            continue
        if type(d) is _METHOD_DESC:
            base = d
            break
    extra = 0
    if flags & _HAVE_GC:
        extra += _GC_HEAD
        if flags & _PRE_BITS:
            extra += _PRE_HEADER
    return (base, extra)


def _make_plan(t, ti, garbage_types):
    """Per-type facts, computed once per dump per type."""
    try:
        mro = _type_mro(t)
    except Exception:
        mro = (t,)
    if type(mro) is not tuple:
        mro = (t,)
    try:
        flags = _type_flags(t)
    except Exception:
        flags = _HAVE_GC
    fin = 0
    for c in mro:
        try:
            if "__del__" in _type_dict(c):
                fin = 2
                break
        except Exception:
            pass
    if t in _GEN_TYPES:
        fin = 2
    sizer = _sizer(mro, flags)
    if t is _CodeType:
        return (ti, fin, _K_CODE, (), (), None, False, False, sizer, None, mro)
    if not flags & _HAVE_GC:
        return (ti, fin, _K_LEAF, (), (), None, False, False, sizer, None, mro)
    if t is dict:
        return (ti, fin, _K_DICT, (), (), None, False, False, sizer, None, mro)
    if t is list or t is tuple:
        return (ti, fin, _K_SEQ, (), (), None, False, False, sizer, None, mro)
    if t is _FrameType:
        return (ti, fin, _K_FRAME, (), (), None, False, False, sizer, None, mro)
    if t in _GEN_TYPES:
        kind = _K_GEN
    elif t is _FunctionType:
        kind = _K_FUNC
    elif type in mro:
        kind = _K_TYPE
    else:
        kind = _K_GENERIC
    # __slots__ members declared by Python classes
    slots = []
    slot_names = set()
    for c in mro:
        try:
            cd = _type_dict(c)
            s = cd.get("__slots__")
        except Exception:
            continue
        if s is None:
            continue
        if type(s) is str:
            s = (s,)
        elif type(s) not in (tuple, list):
            continue
        cname = _short_qualname(c).rpartition(".")[2].lstrip("_")
        for n in s:
            if type(n) is not str or n in ("__dict__", "__weakref__"):
                continue
            m = n
            if n.startswith("__") and not n.endswith("__") and cname:
                m = "_" + cname + n
            d = cd.get(m)
            if type(d) is _MEMBER:
                slots.append((d.__get__, _frag("slot", n)))
                slot_names.add(m)
    known = []
    if kind != _K_TYPE:
        for name, ek in _KNOWN:
            if name in slot_names:
                continue
            d = _lookup_desc(mro, name)
            if type(d) in _DESC_TYPES:
                if type(d) is _GETSET and name in _COMPUTED and not _owned_by_function(d):
                    # computed, never a referent; a method descriptor's
                    # __qualname__ is even cached on it for good
                    continue
                known.append((d.__get__, _frag(ek, name)))
    dictget = None
    aplan = None
    if kind == _K_GENERIC:
        d = _lookup_desc(mro, "__dict__")
        if type(d) is _MEMBER:
            # a C struct member (module.__dict__): reading it creates nothing
            dictget = d.__get__
        elif d is not None:
            # the getset of heap types, exceptions, partials...: reading it
            # would create (3.8-3.10: an empty one) or materialize (3.11+)
            # the dict; label the attributes by name instead
            aplan = _attr_plan(t, mro, slot_names)
    isdict = kind == _K_GENERIC and dict in mro
    isseq = kind == _K_GENERIC and (list in mro or tuple in mro)
    return (ti, fin, kind, tuple(known), tuple(slots), dictget, isdict, isseq, sizer, aplan, mro)


def _frame_locals_map(fr, lab, kind_local, refs=()):
    """Label map entries for a frame's locals; returns the f_locals dict when
    reading it made a dict the dump did not see (3.8-3.12 FastToLocals)."""
    try:
        fl = _frame_desc["f_locals"].__get__(fr)
        g = _frame_desc["f_globals"].__get__(fr)
    except Exception:
        return None
    if fl is g:
        return None
    try:
        if type(fl) is dict:
            items = _dict_items(fl)
        else:  # 3.13 FrameLocalsProxy (C type): safe to iterate
            items = fl.items()
        for k, v in items:
            i = id(v)
            if i not in lab:
                lab[i] = kind_local + _enc(_attr_label(k))
    except Exception:
        return None
    if type(fl) is not dict or any(r is fl for r in refs):
        return None
    return fl


class DumpError(OSError):
    """The dump could not be written. The partial file has been removed;
    the process is otherwise as before. The cause is chained."""

    def __str__(self):
        return str(self.args[0]) if self.args else "leakscan_dump: dump failed"


def dump(path, collect=False, values=False, reveal_keys=False):
    """Write one heap snapshot to path (gzip if it ends in .gz); return path.

    values: write the text of str and bytes objects ("v"), which may hold
    secrets; off by default (names of code and functions are always
    written). reveal_keys: write dict keys that look like credentials
    (long token-like strings) as they are; by default their label is
    "<masked>". The file is written to a temporary file in the same
    directory, created readable by its owner only (0600), and renamed to
    path when complete; on failure it is removed and DumpError is raised.
    """
    if collect:
        gc.collect()
    was_enabled = gc.isenabled()
    # no collection (and no finalizer) runs because of the dump's own
    # allocations; the thresholds and gc.garbage are not touched
    gc.disable()
    try:
        args = (path, bool(values), bool(reveal_keys), was_enabled, _get_ident())
        if _tracemalloc is not None and _tracemalloc.is_tracing():
            return _in_thread(args)
        # no local name for the object list: _dump drops it after filtering
        return _dump(args, time.time(), gc.get_objects())
    finally:
        if was_enabled:
            gc.enable()


def _in_thread(args):
    """Runs the dump in a new thread and waits for it. Under tracemalloc
    every allocation records the traceback of the allocating thread, and
    computes the line number of each of its frames (a scan of the code's
    line table up to the current instruction): the caller's stack (a
    service's deep one, a long module body) would make each of the dump's
    allocations dear. The new thread's stack holds only the dumper."""
    res = [None, None]
    lock = _thread.allocate_lock()
    lock.acquire()
    try:
        _thread.start_new_thread(_thread_main, (args, res, lock))
    except RuntimeError:  # no threads (WebAssembly builds): dump here
        return _dump(args, time.time(), gc.get_objects())
    lock.acquire()
    lock.release()
    e = res[1]
    if e is not None:
        res[1] = None
        try:
            raise e
        finally:
            e = None
    return res[0]


def _thread_main(args, res, lock):
    try:
        res[0] = _dump(args, time.time(), gc.get_objects())
    except BaseException as e:
        res[1] = e
    finally:
        lock.release()


def _skip_own(f, excl):
    """The first frame from f outwards that does not run dumper code; the
    dumper's frames go into excl."""
    codes = _OWN_CODES
    while f is not None and f.f_code in codes:
        excl.add(id(f))
        f = f.f_back
    return f


_PY311 = sys.version_info >= (3, 11)
_PY313 = sys.version_info >= (3, 13)
_f_locals = _frame_desc["f_locals"].__get__
_f_globals = _frame_desc["f_globals"].__get__
_f_back = _frame_desc["f_back"].__get__
_f_code = _frame_desc["f_code"].__get__


def _exec_frames(tops, excl):
    """Locals of every executing frame (the thread stacks), read before the
    walk: {id(frame): [(name, value)...]}, and the f_locals dicts that
    reading created or refreshed (CPython 3.8-3.12: PyFrame_FastToLocals;
    one per running function frame, for as long as it runs), which are
    left out of the dump. Reading f_back creates the frame objects of the
    callers (3.11+), also for as long as they run."""
    res = {}
    fls = []
    codes = []
    for f in tops:
        depth = 0
        while f is not None and depth < 10000:
            depth += 1
            try:
                codes.append(_f_code(f))
                fl = _f_locals(f)
                if fl is not _f_globals(f):
                    if type(fl) is dict:
                        items = list(_dict_items(fl))
                        excl.add(id(fl))
                        fls.append(fl)
                    else:  # 3.13+: a FrameLocalsProxy, made for this read
                        items = list(fl.items())
                    res[id(f)] = items
                fl = None
                f = _f_back(f)
            except Exception:
                break
    return res, fls, codes


def _dump(args, t0, objs):
    # small on purpose: its line when it calls _walk is looked up for every
    # allocation under tracemalloc (see _walk)
    p = _prepare(args, t0, objs)
    objs = None
    out = p[0]
    try:
        r = _walk(p[1], p[2], p[3], p[4], p[5], p[6], out, p[7])
        _finish(p, r)
        p = r = None
        out.commit()
    except BaseException as e:
        out.abort()
        if isinstance(e, Exception):
            path = args[0]
            err = DumpError("leakscan_dump: writing %s failed (%s: %s); the partial file was removed"
                            % (path, type(e).__name__, e))
            err.filename = path
            raise err from e
        raise
    return args[0]


def _prepare(args, t0, objs):
    """Everything before the walk; opens the output. Returns [out, queue,
    seen, excl, garbage ids, get_tb, buf, ctx, roots, fl_dicts, t0]."""
    path, values, reveal_keys, gc_enabled, caller = args
    # ---- exclude our own objects -------------------------------------
    excl = set()
    me = _get_ident()
    _skip_own(sys._getframe(0), excl)
    excl.add(id(objs))
    tops = []
    for ident, f in list(sys._current_frames().items()):
        if ident == me and me != caller:
            continue  # the dumper's own thread (_in_thread)
        f = _skip_own(f, excl)
        if f is not None:
            tops.append((ident, f))
    f = None
    exec_locals, fl_dicts, run_codes = _exec_frames([f for _, f in tops], excl)
    excl.add(id(exec_locals))
    excl.add(id(fl_dicts))
    queue = [o for o in objs if id(o) not in excl]
    del objs
    excl.add(id(queue))
    seen = dict.fromkeys(map(id, queue), 0)
    excl.add(id(seen))
    excl.add(id(excl))

    # ---- roots known before the walk ------------------------------------
    roots = []
    for name, m in list(sys.modules.items()):
        roots.append((id(m), "module", name))
    name = m = None
    thread_names = {}
    th = sys.modules.get("threading")
    if th is not None:
        try:
            for ident, t in list(_object_getattribute(th, "_active").items()):
                try:
                    thread_names[ident] = _object_getattribute(t, "_name")
                except Exception:
                    pass
        except Exception:
            pass
    th = t = None
    for ident, f in tops:
        label = thread_names.get(ident)
        if type(label) is not str:
            label = "thread-%d" % ident
        fid = id(f)
        roots.append((fid, "thread", label))
        if fid not in seen and fid not in excl:
            seen[fid] = 0
            queue.append(f)
    tops = f = None
    garbage_ids = set(map(id, gc.garbage))
    tracing = False
    get_tb = None
    if _tracemalloc is not None:
        try:
            tracing = bool(_tracemalloc.is_tracing())
            if tracing:
                get_tb = _tracemalloc._get_object_traceback
        except Exception:
            pass

    # ---- output --------------------------------------------------------
    header = {
        "format": FORMAT,
        "version": VERSION,
        "pid": os.getpid(),
        "time": _utc(t0, "%Y-%m-%dT%H:%M:%S", "Z"),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "implementation": sys.implementation.name,
        "gc": {
            "enabled": gc_enabled,
            "debug": gc.get_debug(),
            "saveall": bool(gc.get_debug() & gc.DEBUG_SAVEALL),
            "thresholds": list(gc.get_threshold()),
            "counts": list(gc.get_count()),
        },
        "tracemalloc": tracing,
        "values": values,
    }
    try:
        out = _Out(path, path.endswith(".gz"))
    except Exception as e:
        err = DumpError("leakscan_dump: cannot create a file next to %s (%s: %s)" % (path, type(e).__name__, e))
        err.filename = path
        raise err from e
    buf = [_json(header) + "\n"]
    # [name pool, its budget, the objects, codes of running frames,
    #  executing frames' locals, ids of str that are names, values,
    #  reveal_keys]
    ctx = [None, _POOL_BUDGET, queue, run_codes, exec_locals, set(), values, reveal_keys]
    return [out, queue, seen, excl, garbage_ids, get_tb, buf, ctx, roots, fl_dicts, t0]


def _finish(p, r):
    """Everything after the walk: roots, fds, asyncio records, trailer."""
    out, queue, seen, buf, roots, fl_dicts, t0 = p[0], p[1], p[2], p[6], p[8], p[9], p[10]
    del p[:]  # the context holds the running frames' locals
    nobj, nedge, socks = r
    # the f_locals dicts hold one more reference to each local value
    for fl in fl_dicts:
        try:
            for v in list(fl.values()):
                i = id(v)
                if i in seen:
                    seen[i] += 1
        except Exception:
            pass
    fl = v = fl_dicts = None
    # external roots: refcount (minus the dumper's own references)
    # exceeds the number of edges found into the object. seen[id] is
    # the number of edges found into the object.
    roots.extend(_externals(queue, seen))
    w = buf.append
    for oid, kind, label in roots:
        if oid in seen:
            w('{"k":"r","id":%d,"kind":"%s","label":%s}\n' % (oid, kind, _enc(label)))
    _flush(buf, out)
    for rec in _fds(socks, out.fileno()):
        w(_json(rec) + "\n")
    _flush(buf, out)
    for rec in _tasks(queue, seen):
        w(_json(rec) + "\n")
    queue = seen = None
    w('{"k":"end","objects":%d,"edges":%d,"seconds":%.3f}\n' % (nobj, nedge, time.time() - t0))
    _flush(buf, out)


def _externals(queue, seen):
    """Objects whose reference count is higher than the number of edges
    found into them. Runs after the walk, when the only references the
    dumper holds to an object are the queue and the loop variable; the
    size of that correction is measured on a probe object the same way."""
    getrefcount = _getrefcount
    res = []
    cal = [object()]
    for o in cal:
        base = getrefcount(o)
    cal = o = None
    for o in queue:
        rc = getrefcount(o) - base
        if rc < _IMMORTAL and rc - seen[id(o)] > 0 and _type_flags(type(o)) & _HAVE_GC:
            res.append((id(o), "external", ""))
    o = None
    return res


def _utc(t, fmt, suffix):
    """UTC time t formatted with fmt, then .microseconds and suffix."""
    return time.strftime(fmt, time.gmtime(t)) + ".%06d" % (int(t * 1e6) % 1000000) + suffix


def _json(v):
    """Minimal JSON encoder for the dumper's own records (no json import)."""
    tv = type(v)
    if tv is str:
        return _enc(v)
    if v is None:
        return "null"
    if tv is bool:
        return "true" if v else "false"
    if tv is int:
        return int.__repr__(v)
    if tv is float:
        return float.__repr__(v)
    if tv is dict:
        return "{" + ",".join(_enc(str(k)) + ":" + _json(x) for k, x in v.items()) + "}"
    if tv in (list, tuple):
        return "[" + ",".join(_json(x) for x in v) + "]"
    return _enc(str(v))


_fdopen = os.fdopen  # a seam for tests (a file whose write fails)


class _Out(object):
    """Output file: plain, or gzip (zlib with a gzip wrapper, level 3).
    Written to ".<name>.part-<pid>-<n>" in the target directory, mode 0600,
    then renamed over path by commit(); abort() removes it."""

    def __init__(self, path, compress):
        d, name = os.path.split(path)
        self.path = path
        self.f = None
        fd = -1
        for n in range(100):
            tmp = os.path.join(d, ".%s.part-%d-%d" % (name, os.getpid(), n))
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                break
            except FileExistsError:
                continue
        if fd < 0:
            raise FileExistsError("no free temporary name next to " + path)
        self.tmp = tmp
        try:
            self.f = _fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        self.z = zlib.compressobj(3, zlib.DEFLATED, 31) if compress else None

    def fileno(self):
        try:
            return self.f.fileno()
        except Exception:
            return -1

    def write(self, data):
        if self.z is not None:
            data = self.z.compress(data)
        self.f.write(data)

    def commit(self):
        if self.z is not None:
            self.f.write(self.z.flush())
            self.z = None
        self.f.flush()
        try:
            os.fsync(self.f.fileno())
        except (OSError, AttributeError, ValueError):
            pass
        self.f.close()
        os.replace(self.tmp, self.path)
        self.tmp = None

    def abort(self):
        try:
            if self.f is not None:
                self.f.close()
        except Exception:
            pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


def _flush(buf, out):
    if buf:
        out.write("".join(buf).encode("ascii"))
        del buf[:]


def _get_ident():
    return _thread.get_ident()


class _State(object):
    """What the walk shares between its small functions."""

    __slots__ = ("seen", "excl", "append", "w", "buf", "out", "plans", "garbage", "get_tb", "ctx",
                 "names", "values", "reveal", "keys", "tbs", "ntypes", "nedge", "ecounts", "socks",
                 "sock_base", "fileio", "fmt_ref", "fmt_idx", "fmt_lab")


def _walk(queue, seen, excl, garbage_ids, get_tb, buf, out, ctx):
    """Breadth-first walk over queue (which grows); writes type and object
    records into buf/out. Returns (objects, edges, sockets).

    seen[id] counts the edges found into each object. The work per object
    is done in small functions, and allocates little (no int above 256,
    cached key labels, edge text made by one format per object): under
    tracemalloc every allocation records a traceback whose line numbers
    cost a scan of each frame's line table up to its current instruction."""
    st = _walk_state(queue, seen, excl, garbage_ids, get_tb, buf, out, ctx)
    one = _one
    for o in queue:
        one(o, st)
    o = None
    _flush_lines(st)
    sockinfo = []
    for s in st.socks:
        sockinfo.append(_sock_info(s, st.sock_base, st.fileio))
    return len(queue), st.nedge, sockinfo


def _walk_state(queue, seen, excl, garbage_ids, get_tb, buf, out, ctx):
    st = _State()
    st.seen = seen
    st.excl = excl
    st.append = queue.append
    st.w = buf.append
    st.buf = buf
    st.out = out
    st.plans = {}
    st.garbage = garbage_ids
    st.get_tb = get_tb
    st.ctx = ctx
    st.names = names = ctx[5]  # ids of str objects that are names of code
    st.values = ctx[6]
    st.reveal = ctx[7]
    st.keys = {}
    st.tbs = {}
    st.ntypes = 0
    st.nedge = 0
    st.ecounts = []
    st.socks = []
    sockmod = sys.modules.get("_socket")
    st.sock_base = getattr(sockmod, "socket", None) if sockmod is not None else None
    io_mod = sys.modules.get("_io")
    st.fileio = getattr(io_mod, "FileIO", None) if io_mod is not None else None
    st.fmt_ref = {-1: '[%d,"ref",""]'}
    st.fmt_idx = {-1: '[%d,"index","[%d]"]'}
    st.fmt_lab = {-1: "[%d,%s]"}
    for o in queue:
        if type(o) is _FunctionType:
            for g in (_func_name, _func_qualname, _func_module):
                try:
                    names.add(id(g(o)))
                except Exception:
                    pass
            try:
                for r in _code_refs(_func_code(o)):
                    names.add(id(r))
            except Exception:
                pass
    return st


def _one(o, st):
    t = type(o)
    plan = st.plans.get(t if type(t) is type else id(t))
    if plan is None:
        plan = _new_type(t, st)
    kind = plan[2]
    # id, type, size, flags, extra fields, then the edges' values: the
    # object's line is one format applied to one tuple
    args = [0, 0, 0, 0, ""]
    if kind == _K_LEAF:
        fmts = st.fmt_ref
        n = 0
    elif kind == _K_SEQ:
        fmts = st.fmt_idx
        n = _seq_edges(o, args, st)
    elif kind == _K_DICT:
        fmts = st.fmt_lab
        n = _dict_edges(o, args, st)
    elif kind == _K_GENERIC:
        fmts = st.fmt_lab
        try:
            refs = _get_referents(o)
        except Exception:
            refs = []
        n = _generic_edges(o, t, plan, refs, args, st)
        if plan[12]:
            n += _weak_edge(o, args, st)
    else:
        fmts = st.fmt_lab
        n = _other_edges(o, t, plan, args, st)
    _write_obj(o, t, plan, kind, fmts, n, args, st)


def _weak_edge(o, args, st):
    """The edge of a weak reference to its referent, of kind "weakref" (it
    does not keep the referent alive); 0 when the referent is gone or is
    the dumper's own. A referent first met here is queued uncounted: the
    edge counts of the walk are of strong references, which the reference
    counts of the external-root check are made of."""
    try:
        r = _weak_referent(o)
    except Exception:
        return 0
    if r is None:
        return 0
    rid = id(r)
    if rid in st.excl:
        return 0
    if rid not in st.seen:
        st.seen[rid] = 0
        st.append(r)
    r = None
    args.append(rid)
    args.append(_WEAK)
    return 1


def _new_type(t, st):
    plan = _make_plan(t, st.ntypes, None)
    sock = False
    try:
        mro = _type_mro(t)
        sb, fio = st.sock_base, st.fileio
        sock = (sb is not None and sb in mro) or (fio is not None and fio in mro)
    except Exception:
        pass
    weak = False
    try:
        weak = _WeakRef is not None and _WeakRef in _type_mro(t)
    except Exception:
        pass
    plan = plan + (sock, weak)
    st.plans[t if type(t) is type else id(t)] = plan
    st.w('{"k":"t","i":%d,"n":%s}\n' % (st.ntypes, _enc(_type_name_of(t))))
    st.ntypes += 1
    return plan


def _write_obj(o, t, plan, kind, fmts, n, args, st):
    oid = id(o)
    try:
        sz = plan[8]
        s = _getsizeof(o) if sz is None else sz[0](o) + sz[1]
    except Exception:
        s = 0
    f = plan[1]
    if oid in st.garbage:
        f |= 1
    if _is_tracked(o):
        f |= 4
    x = ""
    if kind == _K_LEAF and (st.values or (t is not str and t is not bytes) or oid in st.names):
        v = _short_value(o, t)
        if v is not None:
            x = ',"v":' + _enc(v)
    if st.get_tb is not None:
        x += _tb_json(o, st)
    args[0] = oid
    args[1] = plan[0]
    args[2] = s
    args[3] = f
    args[4] = x
    fmt = fmts.get(n)
    if fmt is None:
        fmt = _obj_fmt(fmts, n)
    st.w(fmt % tuple(args))
    st.ecounts.append(n)
    if plan[11]:
        st.socks.append(o)
    if len(st.buf) >= _FLUSH_LINES:
        _flush_lines(st)


def _obj_fmt(fmts, n):
    """The format of an object line with n edges, cached in fmts (one per
    edge shape: fmts[-1] is the shape of one edge)."""
    f = '{"k":"o","id":%d,"t":%d,"s":%d,"f":%d%s,"e":[' + ",".join((fmts[-1],) * n) + ']}\n'
    if n <= 4096:
        fmts[n] = f
    return f


def _flush_lines(st):
    buf = st.buf
    if buf:
        st.out.write("".join(buf).encode("ascii"))
        del buf[:]
    st.nedge += sum(st.ecounts)
    del st.ecounts[:]


def _tb_json(o, st):
    """The "tb" field: the allocation traceback, oldest frame first, as
    JSON; the text is cached per traceback (most objects share a few)."""
    try:
        tb = st.get_tb(o)
    except Exception:
        return ""
    if tb is None:
        return ""
    j = st.tbs.get(tb)
    if j is None:
        # raw frames are most recent first; write oldest first
        j = ',"tb":' + _json([[fr[0], fr[1]] for fr in reversed(tb)])
        if len(st.tbs) < 100000:
            st.tbs[tb] = j
    return j


def _seq_edges(o, args, st):
    # list_traverse and tupletraverse (CPython 3.8-3.14) visit the items
    # last to first: the first referent is item len-1.
    try:
        refs = _get_referents(o)
    except Exception:
        return 0
    seen = st.seen
    excl = st.excl
    a = args.append
    i = len(refs) - 1
    n = 0
    for r in refs:
        rid = id(r)
        c = seen.get(rid)
        if c is not None:
            seen[rid] = c + 1
        elif rid in excl:
            i -= 1
            continue
        else:
            seen[rid] = 1
            st.append(r)
        a(rid)
        a(i)
        i -= 1
        n += 1
    return n


def _lab_edges(refs, lab, args, st):
    seen = st.seen
    excl = st.excl
    lg = lab.get
    a = args.append
    n = 0
    for r in refs:
        rid = id(r)
        c = seen.get(rid)
        if c is not None:
            seen[rid] = c + 1
        elif rid in excl:
            continue
        else:
            seen[rid] = 1
            st.append(r)
        a(rid)
        a(lg(rid, _REF))
        n += 1
    return n


def _dict_edges(o, args, st):
    """A dict's edges from one copy of its items (list() copies them in a
    single C call, which no other thread can interleave with; two calls,
    gc.get_referents then items, could see two different dicts): one edge
    per value labelled with its key, preceded for a key that is not a str
    by an edge to the key (dictkey), in insertion order."""
    try:
        items = list(_dict_items(o))
    except Exception:
        return 0
    keys = st.keys
    reveal = st.reveal
    seen = st.seen
    excl = st.excl
    a = args.append
    n = 0
    for k, v in items:
        if type(k) is str:
            fr = keys.get(k)
            if fr is None:
                fr = '"key",' + _enc(_key_label(k, reveal))
                if len(keys) < 100000:
                    keys[k] = fr
        else:
            fr = _key_label(k, reveal)
            n += _edge(k, '"dictkey",' + _enc(fr), seen, excl, a, st)
            fr = '"key",' + _enc(fr)
        n += _edge(v, fr, seen, excl, a, st)
    return n


def _edge(r, fr, seen, excl, a, st):
    rid = id(r)
    c = seen.get(rid)
    if c is not None:
        seen[rid] = c + 1
    elif rid in excl:
        return 0
    else:
        seen[rid] = 1
        st.append(r)
    a(rid)
    a(fr)
    return 1


def _other_edges(o, t, plan, args, st):
    if plan[2] == _K_CODE:
        refs = _code_refs(o)
        for r in refs:
            st.names.add(id(r))
    else:
        try:
            refs = _get_referents(o)
        except Exception:
            refs = []
    lab, extra, fl = _labels(o, t, plan, refs, st.ctx)
    if extra:
        refs = list(refs) + extra
    if fl is not None:
        # an f_locals dict made by reading frame.f_locals (3.8-3.10): it
        # holds one more reference to each local value
        seen = st.seen
        try:
            for v in list(fl.values()):
                i = id(v)
                c = seen.get(i)
                if c is not None:
                    seen[i] = c + 1
        except Exception:
            pass
    return _lab_edges(refs, lab or {}, args, st)


def _code_refs(code):
    refs = []
    for n in _CODE_NAMES:
        try:
            refs.append(getattr(code, n))
        except Exception:
            pass
    return refs


def _labels(o, t, plan, refs, ctx=None):
    """(label map id->fragment, extra referents, f_locals dict to discount)."""
    kind = plan[2]
    if kind == _K_FRAME:
        return _labels_frame(o, t, plan, refs, ctx)
    if kind == _K_CODE:
        lab = {}
        for n, r in zip(_CODE_NAMES, refs):
            if id(r) not in lab:
                lab[id(r)] = _frag("attr", n)
        return lab, None, None
    lab = _labels_known(o, t, plan)
    if kind == _K_TYPE:
        _labels_type(o, lab)
    elif kind == _K_FUNC:
        _labels_func(o, refs, lab)
    elif kind == _K_GEN:
        _labels_gen(o, t, refs, lab)
    return lab, None, None


def _labels_known(o, t, plan):
    lab = {}
    for get, frag in plan[3]:
        try:
            v = get(o, t)
        except Exception:
            continue
        if v is not None:
            i = id(v)
            if i not in lab:
                lab[i] = frag
    for get, frag in plan[4]:
        try:
            v = get(o, t)
        except Exception:
            continue
        i = id(v)
        if i not in lab:
            lab[i] = frag
    return lab


def _generic_edges(o, t, plan, refs, args, st):
    """Edges of an instance, labelled by position: no id() per candidate."""
    labs = [None] * len(refs)
    for get, frag in plan[3]:
        try:
            v = get(o, t)
        except Exception:
            continue
        if v is not None:
            _put(refs, labs, v, frag)
    for get, frag in plan[4]:
        try:
            v = get(o, t)
        except Exception:
            continue
        _put(refs, labs, v, frag)
    _put(refs, labs, t, _CLASS)
    dget = plan[5]
    if dget is not None:
        try:
            dd = dget(o, t)
        except Exception:
            dd = None
        if type(dd) is dict:
            _put(refs, labs, dd, _ATTR_DICT)
    elif plan[9] is not None:
        _label_attrs(o, refs, labs, plan[9], plan[10], st.ctx)
    if plan[6] or plan[7]:
        _container_labels(o, plan, refs, labs, st.reveal)
    seen = st.seen
    excl = st.excl
    a = args.append
    j = 0
    n = 0
    for r in refs:
        rid = id(r)
        c = seen.get(rid)
        if c is not None:
            seen[rid] = c + 1
        elif rid in excl:
            j += 1
            continue
        else:
            seen[rid] = 1
            st.append(r)
        a(rid)
        x = labs[j]
        a(_REF if x is None else x)
        j += 1
        n += 1
    return n


def _container_labels(o, plan, refs, labs, reveal):
    """Keys and indexes of instances of dict, list and tuple subclasses."""
    m = {}
    if plan[6]:
        try:
            for k, v in list(_dict_items(o)):
                i = id(v)
                if i not in m:
                    m[i] = '"key",' + _enc(_key_label(k, reveal))
        except Exception:
            pass
    if plan[7]:
        try:
            it = _list_iter(o) if isinstance(o, list) else _tuple_iter(o)
            n = 0
            for v in it:
                i = id(v)
                if i not in m:
                    m[i] = '"index","[%d]"' % n
                n += 1
        except Exception:
            pass
    j = 0
    for r in refs:
        if labs[j] is None:
            labs[j] = m.get(id(r))
        j += 1


def _labels_type(o, lab):
    try:
        lab.setdefault(id(_get_referents(_type_dict(o))[0]), _ATTR_DICT)
    except Exception:
        pass
    for get, frag in ((_type_mro, _MRO), (_type_bases, _BASES), (_type_base, _BASE)):
        try:
            v = get(o)
        except Exception:
            continue
        if v is not None:
            lab.setdefault(id(v), frag)


def _labels_func(o, refs, lab):
    # func.__dict__ would create a dict: find it by position instead
    # (func_traverse visits func_name, then func_dict).
    try:
        nm = _func_name(o)
        j = -1
        for i, r in enumerate(refs):
            if r is nm:
                j = i
        if 0 <= j < len(refs) - 1 and type(refs[j + 1]) is dict and id(refs[j + 1]) not in lab:
            lab[id(refs[j + 1])] = _ATTR_DICT
    except Exception:
        pass


def _labels_frame(o, t, plan, refs, ctx):
    lab = {}
    extra = None
    fl = None
    d = _frame_desc
    names = (("f_back", "frame"), ("f_code", "code"), ("f_globals", "global"),
             ("f_builtins", "global"), ("f_trace", "attr"))
    vals = []
    for n, k in names:
        try:
            v = d[n].__get__(o)
        except Exception:
            v = None
        vals.append(v)
        if v is not None and id(v) not in lab:
            lab[id(v)] = _frag(k, n)
    code = vals[1]
    executing = code is not None and not any(r is code for r in refs)
    if not _PY311:
        # 3.8-3.10 (not run by the tests): f_locals as before
        fl = _frame_locals_map(o, lab, '"local",', refs)
    if executing:
        # The frame is running: gc.get_referents() shows only f_back and
        # f_trace; add what the interpreter frame holds, and its locals
        # as read before the walk (_exec_frames).
        have = set(map(id, refs))
        extra = []
        for v in vals[:4]:
            if v is not None and id(v) not in have:
                extra.append(v)
                have.add(id(v))
        items = ctx[4].get(id(o)) if ctx is not None else None
        if items:
            for k, v in items:
                i = id(v)
                if i not in lab:
                    lab[i] = '"local",' + _enc(_attr_label(k))
                if i not in have:
                    extra.append(v)
                    have.add(i)
    elif _PY311 and code is not None:
        _finished_frame_locals(o, code, refs, lab)
    return lab, extra, fl


def _labels_gen(o, t, refs, lab):
    pre = _GEN_TYPES[t]
    if not _PY311:
        # 3.8-3.10 (not run by the tests): the frame is its own object
        try:
            fr = getattr(t, pre + "frame").__get__(o, t)
        except Exception:
            fr = None
        if fr is not None and any(r is fr for r in refs):
            lab.setdefault(id(fr), _frag("frame", pre + "frame"))
        return
    # 3.11+: the frame lives inside the generator and its locals are the
    # generator's own referents. Reading gi_frame/cr_frame would create a
    # frame object for good: only when one exists already (it is then a
    # referent) is it read.
    fr = None
    for r in refs:
        if type(r) is _FrameType:
            try:
                fr = getattr(t, pre + "frame").__get__(o, t)
            except Exception:
                fr = None
            if fr is not None and not any(x is fr for x in refs):
                fr = None
            break
    r = None
    if fr is not None:
        lab.setdefault(id(fr), _frag("frame", pre + "frame"))
    try:
        code = getattr(t, pre + "code").__get__(o, t)
    except Exception:
        code = None
    if code is not None:
        _suspended_locals(fr, code, refs, lab)


def _localsplus_names(code):
    """Names of a code object's local slots in frame order (3.11+):
    co_varnames, then the cell variables that are not arguments, then the
    free variables; and the number of argument slots."""
    vn = code.co_varnames
    cells = tuple(c for c in code.co_cellvars if c not in vn)
    names = vn + cells + code.co_freevars
    flags = code.co_flags
    nargs = code.co_argcount + code.co_kwonlyargcount + (1 if flags & 4 else 0) + (1 if flags & 8 else 0)
    return names, nargs


def _locals_tail(code, refs):
    """Index in refs after the frame's function and code (3.11+
    _PyFrame_Traverse visits frame object, f_locals, function, code, then
    the local slots that are not empty, then the value stack), and the
    f_locals dict among what comes before, if one exists."""
    p = -1
    for i, r in enumerate(refs):
        if r is code and i > 0 and type(refs[i - 1]) is _FunctionType:
            p = i
            break
    if p < 0:
        for i, r in enumerate(refs):
            if r is code:
                p = i
                break
    if p < 0:
        return -1, None
    fl = None
    for r in refs[:p]:
        if type(r) is dict:
            fl = r
    return p + 1, fl


def _map_locals(items, lab):
    for k, v in items:
        i = id(v)
        if i not in lab:
            lab[i] = '"local",' + _enc(_attr_label(k))


def _positional_locals(code, refs, lab, exact):
    """Label local slots by position without reading f_locals (which on
    3.11-3.12 creates a dict for the frame, for good). Empty slots are not
    visited, so a position is certain only when no slot is empty: all slots
    when the referents after the code are exactly one per slot (exact: a
    frame whose function has returned, whose value stack is empty), else
    only the arguments (bound from the call on; a function that del's an
    argument would shift them). An f_locals dict that exists already (the
    program called locals()) names the rest by identity."""
    try:
        names, nargs = _localsplus_names(code)
    except Exception:
        return
    start, fl = _locals_tail(code, refs)
    if start < 0:
        return
    tail = refs[start:]
    n = len(names) if exact and len(tail) == len(names) else min(nargs, len(tail))
    for i in range(n):
        v = tail[i]
        j = id(v)
        if j not in lab:
            lab[j] = '"local",' + _enc(names[i])
    if fl is not None:
        try:
            _map_locals(list(_dict_items(fl)), lab)
        except Exception:
            pass


def _finished_frame_locals(fr, code, refs, lab):
    """Locals of a frame whose function has returned (held by a traceback,
    a generator that finished...), 3.11+."""
    if _PY313:
        # f_locals is a FrameLocalsProxy made for this read: nothing stays
        try:
            fl = _f_locals(fr)
            if fl is not _f_globals(fr):
                _map_locals(list(fl.items()), lab)
            return
        except Exception:
            pass
    _positional_locals(code, refs, lab, True)


def _suspended_locals(fr, code, refs, lab):
    """Locals of a generator/coroutine (3.11+): through its frame object's
    f_locals proxy when the object exists (3.13+), else by position."""
    if _PY313 and fr is not None:
        try:
            _map_locals(list(_f_locals(fr).items()), lab)
            return
        except Exception:
            pass
    _positional_locals(code, refs, lab, False)


def _sock_info(o, sock_base, fileio):
    try:
        if sock_base is not None and isinstance(o, sock_base):
            fd = sock_base.fileno(o)
            local = remote = ""
            try:
                local = _addr(sock_base.getsockname(o))
            except Exception:
                pass
            try:
                remote = _addr(sock_base.getpeername(o))
            except Exception:
                pass
            return (fd, id(o), "socket", local + ("->" + remote if remote else ""))
        fd = fileio.fileno(o)
        return (fd, id(o), "file", "")
    except Exception:
        return (-1, id(o), "", "")


def _addr(a):
    if type(a) is tuple and len(a) >= 2:
        h, p = a[0], a[1]
        if type(h) is str and ":" in h:
            return "[%s]:%s" % (h, p)
        return "%s:%s" % (h, p)
    if type(a) is bytes:
        return a.decode("ascii", "backslashreplace")
    if type(a) is str:
        return a
    return ""


def _proc_net():
    """inode -> "local->remote" from /proc/net/{tcp,tcp6,udp,udp6}."""
    res = {}
    for name in ("tcp", "tcp6", "udp", "udp6"):
        try:
            with open("/proc/net/" + name) as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for ln in lines:
            p = ln.split()
            if len(p) < 10:
                continue
            try:
                res[p[9]] = _hexaddr(p[1]) + "->" + _hexaddr(p[2])
            except Exception:
                pass
    return res


def _hexaddr(s):
    h, _, port = s.partition(":")
    port = int(port, 16)
    b = bytes.fromhex(h)
    if len(b) == 4:
        return "%d.%d.%d.%d:%d" % (b[3], b[2], b[1], b[0], port)
    # IPv6: four little-endian 32-bit words
    words = [b[i:i + 4][::-1] for i in range(0, 16, 4)]
    raw = b"".join(words)
    import socket
    return "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, raw), port)


def _fds(sockinfo, out_fd):
    base = "/proc/self/fd"
    if not os.path.isdir(base):
        return []
    try:
        names = os.listdir(base)
    except OSError:
        return []
    byfd = {}
    for fd, oid, kind, detail in sockinfo:
        if fd >= 0 and (fd not in byfd or kind == "socket"):
            byfd[fd] = (oid, kind, detail)
    net = None
    recs = []
    for n in sorted(names, key=lambda x: int(x) if x.isdigit() else -1):
        if not n.isdigit():
            continue
        fd = int(n)
        if fd == out_fd:
            continue
        try:
            target = os.readlink(base + "/" + n)
        except OSError:
            continue  # e.g. the directory handle of listdir, now closed
        rec = {"k": "fd", "fd": fd}
        known = byfd.get(fd)
        if target.startswith("socket:["):
            rec["what"] = "socket"
            detail = known[2] if known and known[1] == "socket" else ""
            if not detail:
                if net is None:
                    net = _proc_net()
                detail = net.get(target[8:-1], target)
            rec["detail"] = detail
        elif target.startswith("pipe:["):
            rec["what"] = "pipe"
            rec["detail"] = target
        elif target.startswith("anon_inode:"):
            rec["what"] = "anon_inode"
            rec["detail"] = target[11:]
        elif target.startswith("/"):
            rec["what"] = "file"
            rec["detail"] = target
        else:
            rec["what"] = "other"
            rec["detail"] = target
        if known:
            rec["id"] = known[0]
        recs.append(rec)
    return recs


def _field(o, cls, name):
    """Attribute name of o as class cls (asyncio's own) defines it, without
    running a Python-level override a subclass may have: cls's C descriptor
    (getset/member), else the generic lookup when no class of o's MRO makes
    name a descriptor. Raises AttributeError when neither applies."""
    d = _lookup_desc(_type_mro(cls), name, _MISSING)
    if type(d) in _DESC_TYPES:
        return d.__get__(o, type(o))
    dd = _lookup_desc(_type_mro(type(o)), name, _MISSING)
    if dd is not _MISSING and dd is not d and _is_descriptor(dd):
        raise AttributeError(name)
    return _object_getattribute(o, name)


def _tasks(queue, seen):
    """Asyncio records: one per event loop object in the heap, one per task
    that is not done (and per done task whose exception nobody retrieved),
    one per coroutine that was created and never started."""
    aio = sys.modules.get("asyncio")
    if aio is None:
        return []
    base_loop = aio.base_events.BaseEventLoop
    fut_type = aio.Future
    task_type = aio.Task
    # one isinstance test per type, not per object
    cat = {}
    loops = []
    futs = []
    coros = []
    for o in queue:
        t = type(o)
        c = cat.get(t)
        if c is None:
            c = 0
            try:
                if issubclass(t, base_loop):
                    c = 1
                elif issubclass(t, fut_type):
                    c = 2
                elif t is _CoroutineType:
                    c = 3
            except Exception:
                pass
            cat[t] = c
        if c == 1:
            loops.append(o)
        elif c == 2:
            futs.append(o)
        elif c == 3:
            coros.append(o)
    o = None
    recs = []
    done = set()
    for loop in loops:
        recs.append(_loop_rec(loop))
        try:
            running = _field(loop, base_loop, "_thread_id") is not None
            tasks = aio.all_tasks(loop) if running else _loop_tasks(aio, loop)
        except Exception:
            tasks = _loop_tasks(aio, loop)
        for t in tasks:
            if id(t) in done or id(t) not in seen:
                continue
            done.add(id(t))
            recs.append(_task_rec(t))
    # done tasks whose exception was never retrieved (reading _exception
    # does not mark it retrieved, unlike Future.exception())
    task_coros = set()
    for f in futs:
        if not isinstance(f, task_type):
            continue
        try:
            task_coros.add(id(_field(f, task_type, "_coro")))
        except Exception:
            pass
        if id(f) in done:
            continue
        try:
            # the C Future's fields, not its (overridable) methods
            state = _field(f, fut_type, "_state")
            if state != "PENDING" and state != "CANCELLED" and _field(f, fut_type, "_log_traceback"):
                rec = _task_rec(f)
                rec["exception"] = _type_name_of(type(_field(f, fut_type, "_exception")))
                recs.append(rec)
        except Exception:
            pass
    f = None
    for c in coros:
        if id(c) in task_coros:
            continue
        rec = _unstarted(c)
        if rec is not None:
            recs.append(rec)
    return recs


def _unstarted(c):
    """A coro record when coroutine c was created and never started."""
    try:
        if c.cr_running:
            return None
        fr = c.cr_frame
        if fr is None:
            return None
        susp = getattr(c, "cr_suspended", None)  # 3.11+
        if susp is None:
            if fr.f_lasti != -1:
                return None
        elif susp:
            return None
        code = c.cr_code
        return {"k": "coro", "id": id(c), "coro": _coro_name(c), "file": code.co_filename, "line": code.co_firstlineno}
    except Exception:
        return None


def _loop_rec(loop):
    rec = {"k": "loop", "id": id(loop), "type": _type_name_of(type(loop))}
    aio = sys.modules.get("asyncio")
    base = aio.base_events.BaseEventLoop
    handle = aio.events.Handle
    # BaseEventLoop's fields, read without its (overridable) methods:
    # is_running() is _thread_id is not None, is_closed() is _closed
    try:
        rec["running"] = _field(loop, base, "_thread_id") is not None
    except Exception:
        pass
    try:
        rec["closed"] = bool(_field(loop, base, "_closed"))
    except Exception:
        pass
    try:
        r = _field(loop, base, "_ready")
        if type(r) is sys.modules["collections"].deque:
            rec["ready"] = len(r)
    except Exception:
        pass
    try:
        timers = {}
        n = 0
        for h in list(_field(loop, base, "_scheduled")):
            if _field(h, handle, "_cancelled"):
                continue
            n += 1
            name = _callback_name(_field(h, handle, "_callback"))
            timers[name] = timers.get(name, 0) + 1
        rec["timers"] = n
        rec["timer_callbacks"] = sorted(([k, v] for k, v in timers.items()), key=lambda kv: (-kv[1], kv[0]))[:20]
    except Exception:
        pass
    return rec


def _callback_name(cb):
    """module.qualname of a handle's callback, looking through bound
    methods and functools.partial."""
    ft = sys.modules.get("functools")
    partial = getattr(ft, "partial", None) if ft is not None else None
    for _ in range(5):
        if type(cb) is _MethodType:
            cb = _method_func(cb)
        elif partial is not None and type(cb) is partial:
            cb = _field(cb, partial, "func")
        else:
            break
    if type(cb) is _FunctionType:
        try:
            mod = _func_module(cb)
            qn = _func_qualname(cb)
            if type(qn) is str:
                return (mod + "." + qn) if type(mod) is str else qn
        except Exception:
            pass
    return _type_name_of(type(cb))


def _loop_tasks(aio, loop):
    res = []
    try:
        for t in list(aio.tasks._all_tasks):
            try:
                if aio.futures._get_loop(t) is loop and not t.done():
                    res.append(t)
            except Exception:
                pass
    except Exception:
        pass
    return res


def _task_rec(t):
    aio = sys.modules.get("asyncio")
    rec = {"k": "task", "id": id(t)}
    try:
        st = _field(t, aio.Future, "_state")
        rec["state"] = st.lower() if type(st) is str else "?"
    except Exception:
        rec["state"] = "?"
    stack = []
    coro = None
    try:
        coro = _field(t, aio.Task, "_coro")
    except Exception:
        pass
    rec["coro"] = _coro_name(coro)
    inner = coro
    c = coro
    depth = 0
    while c is not None and depth < 100:
        depth += 1
        tc = type(c)
        pre = _GEN_TYPES.get(tc)
        if pre is None:
            break
        inner = c
        try:
            code = getattr(tc, pre + "code").__get__(c, tc)
            fr = getattr(tc, pre + "frame").__get__(c, tc)
            line = fr.f_lineno if fr is not None else code.co_firstlineno
            stack.append([code.co_filename, line, code.co_name])
        except Exception:
            pass
        try:
            c = getattr(tc, "cr_await" if pre == "cr_" else (pre + ("yieldfrom" if pre == "gi_" else "await"))).__get__(c, tc)
        except Exception:
            c = None
    rec["stack"] = stack
    waiting = ""
    if inner is not None and inner is not coro:
        waiting = _coro_name(inner, qual_only=True)
    else:
        try:
            fw = _field(t, aio.Task, "_fut_waiter")
            if fw is not None:
                waiting = _short_qualname(type(fw))
        except Exception:
            pass
    if waiting:
        rec["waiting_on"] = waiting
    return rec


def _coro_name(c, qual_only=False):
    if c is None:
        return ""
    tc = type(c)
    pre = _GEN_TYPES.get(tc)
    if pre is None:
        return _type_name_of(tc)
    try:
        code = getattr(tc, pre + "code").__get__(c, tc)
        qn = getattr(code, "co_qualname", None) or code.co_name
    except Exception:
        return "?"
    if qual_only:
        return qn
    mod = None
    try:
        fr = getattr(tc, pre + "frame").__get__(c, tc)
        if fr is not None:
            mod = fr.f_globals.get("__name__")
    except Exception:
        pass
    if type(mod) is not str:
        mod = os.path.splitext(os.path.basename(code.co_filename))[0]
    return mod + "." + qn


_dumping = [False]


def install_signal_handler(signum=_signal.SIGUSR1, directory=".", values=False, reveal_keys=False):
    """Dump to directory/leakscan-<pid>-<UTC yyyymmddThhmmss.ffffffZ>.pydump.gz
    whenever signum arrives (default SIGUSR1), with dump()'s options. The
    file appears under its name only when complete (see dump()); a failed
    attempt leaves no file and writes one line to stderr. Returns the
    previous handler."""

    def _on_signal(sig, frame):
        if _dumping[0]:
            return
        _dumping[0] = True
        try:
            name = "leakscan-%d-%s.pydump.gz" % (os.getpid(), _utc(time.time(), "%Y%m%dT%H%M%S", "Z"))
            path = os.path.join(directory, name)
            frame = None
            try:
                dump(path, values=values, reveal_keys=reveal_keys)
            except Exception as e:  # never kill the service
                try:
                    sys.stderr.write("%s\n" % (e,))
                except Exception:
                    pass
        finally:
            _dumping[0] = False

    _OWN_CODES.add(_on_signal.__code__)
    return _signal.signal(signum, _on_signal)


_OWN_CODES = set(f.__code__ for f in (dump, _dump, _prepare, _finish, _walk, _skip_own, _externals, _in_thread, _thread_main,
                                       _one, _write_obj, _other_edges, _dict_edges, _seq_edges,
                                       _generic_edges))
