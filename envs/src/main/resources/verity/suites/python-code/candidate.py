# Verity python-code candidate runner: the untrusted half of the test harness (see PythonCodeSuite).
#
# Runs the candidate's code, then evaluates each expression the supervisor asks for in the same
# namespace and answers with a plain-data copy of its value. Everything here is in reach of the
# candidate, which may rewrite it: the supervisor trusts none of it beyond "this is the answer".
import builtins
import errno
import json
import os
import sys

MAX_DEPTH = 100
MAX_ITEMS = 100_000


class Opaque(Exception):
    """A value that is not plain data, so the supervisor could not compare it honestly."""


def encode(v, depth=0):
    # Subclasses of the builtin types are copied through the base type's own methods, so an
    # overridden __eq__ or __iter__ never reaches the supervisor.
    if depth > MAX_DEPTH:
        raise Opaque("data nested deeper than %d" % MAX_DEPTH)
    if v is None:
        return ["N"]
    if isinstance(v, bool):
        return ["b", v is True]
    if isinstance(v, int):
        return ["i", format(int.__int__(v), "x")]
    if isinstance(v, float):
        return ["f", float.hex(v)]
    if isinstance(v, complex):
        return ["c", float.hex(complex.real.__get__(v)), float.hex(complex.imag.__get__(v))]
    if isinstance(v, str):
        return ["s", str.__str__(v)]
    if isinstance(v, bytes):
        return ["y", bytes.hex(v)]
    if isinstance(v, bytearray):
        return ["Y", bytearray.hex(v)]
    if isinstance(v, range):
        return ["r", format(v.start, "x"), format(v.stop, "x"), format(v.step, "x")]
    if isinstance(v, tuple):
        return ["t", [encode(e, depth + 1) for e in tuple.__iter__(v)]]
    if isinstance(v, list):
        return ["l", [encode(e, depth + 1) for e in list.__iter__(v)]]
    if isinstance(v, frozenset):
        return ["F", [encode(e, depth + 1) for e in frozenset.__iter__(v)]]
    if isinstance(v, set):
        return ["S", [encode(e, depth + 1) for e in set.__iter__(v)]]
    if isinstance(v, dict):
        return ["d", [[encode(k, depth + 1), encode(x, depth + 1)] for k, x in dict.items(v)]]
    if hasattr(type(v), "__next__"):
        items = []
        for e in v:
            if len(items) == MAX_ITEMS:
                raise Opaque("an iterator of more than %d items" % MAX_ITEMS)
            items.append(encode(e, depth + 1))
        return ["it", items]
    raise Opaque(type(v).__name__)


def raised(e, k=None):
    code = getattr(e, "errno", None)
    return {
        "t": "raised",
        "k": k,
        "type": type(e).__name__,
        "errno": errno.errorcode.get(code) if isinstance(code, int) else None,
        "detail": str(e)[:300],
    }


def exit_code(e):
    return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)


def main():
    requests = os.fdopen(int(sys.argv[1]), "rb")
    out = int(sys.argv[2])

    def send(message):
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[os.write(out, data) :]

    code = json.loads(requests.readline())["code"]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        exec(compile(code, "<candidate>", "exec", dont_inherit=True), namespace)
    except SystemExit as e:
        send({"t": "exit", "code": exit_code(e)})
        return
    except BaseException as e:
        send(raised(e))
        return
    send({"t": "ready"})
    for line in requests:
        request = json.loads(line)
        k = request["k"]
        try:
            value = eval(compile(request["src"], "<test>", "eval", dont_inherit=True), namespace)
            message = {"t": "value", "k": k, "v": encode(value)}
        except Opaque as e:
            message = {"t": "opaque", "k": k, "type": str(e)}
        except SystemExit as e:
            send({"t": "exit", "code": exit_code(e)})
            return
        except BaseException as e:
            message = raised(e, k)
        send(message)


main()
