# Verity python-code supervisor: the trusted half of the test harness (see PythonCodeSuite).
#
# It runs as pid 1 of the sandbox and never executes candidate code. It starts the candidate's own
# process (candidate.py), asks it for the values of the candidate-dependent parts of each test,
# and evaluates each test's comparisons itself on plain-data copies of those values. Only this
# process knows the nonce and writes to the sandbox's stdout, where it reports exactly once.
import ast
import base64
import builtins
import ctypes
import json
import math
import os
import signal
import subprocess
import sys

PAYLOAD = "@PAYLOAD@"

REPORT_PREFIX = "VERITY-PYTHON-REPORT"
PR_SET_DUMPABLE = 4
PROBE = "__verity_probe__"
# Names a test may use that always mean the supervisor's own objects; every other name belongs to
# the candidate. The candidate cannot change this split, so it cannot make the supervisor reveal
# an expected value by shadowing a builtin.
SUPERVISOR_NAMES = frozenset(dir(builtins)) | {"math"}
# Candidate-dependent nodes that are evaluated whole in the candidate's process.
PROBED = (
    ast.Name,
    ast.Call,
    ast.Attribute,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.NamedExpr,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
)
MAX_REPLY_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 100
CHILDREN = []


class Verdict(Exception):
    """Ends the run with a report: the facts the Java judge maps to an outcome."""

    def __init__(self, verdict, **facts):
        super().__init__(verdict)
        self.facts = dict(verdict=verdict, **facts)


class Unreadable(Exception):
    """An answer from the candidate's process that is not the wire format of plain data."""


def free_names(node):
    """Names an expression reads from its enclosing scope (comprehension and lambda variables
    are bound inside it)."""
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        bound, names = set(), set()
        for i, gen in enumerate(node.generators):
            it = free_names(gen.iter)
            names |= it if i == 0 else it - bound
            bound |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
            for cond in gen.ifs:
                names |= free_names(cond) - bound
        elts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for e in elts:
            names |= free_names(e) - bound
        return names
    if isinstance(node, ast.Lambda):
        a = node.args
        params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
        params |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
        names = free_names(node.body) - params
        for d in a.defaults + [d for d in a.kw_defaults if d is not None]:
            names |= free_names(d)
        return names
    names = set()
    for child in ast.iter_child_nodes(node):
        names |= free_names(child)
    return names


def candidate_side(node):
    return bool(free_names(node) - SUPERVISOR_NAMES)


class Splitter(ast.NodeTransformer):
    """Replaces each maximal candidate-dependent operand of a test by a probe call, so that the
    test's own logic (comparisons, arithmetic, builtins, literals) stays in the supervisor."""

    def __init__(self, source):
        self.source = source
        self.probes = []

    def visit(self, node):
        if not isinstance(node, ast.expr):
            return self.generic_visit(node)
        if not candidate_side(node):
            return node
        whole = isinstance(node, PROBED) and not (
            isinstance(node, ast.Call) and not candidate_side(node.func)
        )
        if not whole:
            return self.generic_visit(node)
        text = ast.get_source_segment(self.source, node) or ast.unparse(node)
        self.probes.append(text)
        call = ast.Call(
            func=ast.Name(id=PROBE, ctx=ast.Load()),
            args=[ast.Constant(len(self.probes) - 1)],
            keywords=[],
        )
        return ast.copy_location(call, node)


class TestPlan:
    """One assert: its supervisor-side code and the probes it asks the candidate for."""

    def __init__(self, index, source):
        tree = ast.parse(source, filename="<test %d>" % index)
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
            raise ValueError("test %d is not a single assert statement" % index)
        splitter = Splitter(source)
        expr = ast.fix_missing_locations(ast.Expression(splitter.visit(tree.body[0].test)))
        self.code = compile(expr, "<test %d>" % index, "eval", dont_inherit=True)
        self.probes = splitter.probes
        self.index = index


def decode(x, depth=0):
    """Plain data from its wire form; anything else is Unreadable."""
    if depth > MAX_DEPTH or not isinstance(x, list) or not x or not isinstance(x[0], str):
        raise Unreadable()
    tag, rest = x[0], x[1:]

    def one(kind):
        if len(rest) != 1 or not isinstance(rest[0], kind):
            raise Unreadable()
        return rest[0]

    def items():
        return [decode(e, depth + 1) for e in one(list)]

    if tag == "N" and not rest:
        return None
    if tag == "b":
        return one(bool)
    if tag == "i":
        return int(one(str), 16)
    if tag == "f":
        return float.fromhex(one(str))
    if tag == "c" and len(rest) == 2 and all(isinstance(r, str) for r in rest):
        return complex(float.fromhex(rest[0]), float.fromhex(rest[1]))
    if tag == "s":
        return one(str)
    if tag == "y":
        return bytes.fromhex(one(str))
    if tag == "Y":
        return bytearray.fromhex(one(str))
    if tag == "t":
        return tuple(items())
    if tag == "l":
        return items()
    if tag == "S":
        return set(items())
    if tag == "F":
        return frozenset(items())
    if tag == "it":
        return iter(items())
    if tag == "r" and len(rest) == 3 and all(isinstance(r, str) for r in rest):
        return range(*(int(r, 16) for r in rest))
    if tag == "d":
        pairs = one(list)
        out = {}
        for p in pairs:
            if not isinstance(p, list) or len(p) != 2:
                raise Unreadable()
            out[decode(p[0], depth + 1)] = decode(p[1], depth + 1)
        return out
    raise Unreadable()


class Candidate:
    """The candidate's process and the two pipes the harness talks to it through."""

    def __init__(self, code, child_source):
        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        self.proc = subprocess.Popen(
            # The candidate gets the standard library only, like the supervisor.
            [sys.executable, "-I", "-S", "-c", child_source, str(req_r), str(rep_w)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(req_r, rep_w),
        )
        CHILDREN.append(self.proc)
        os.close(req_r)
        os.close(rep_w)
        self.buf = bytearray()
        self.test = None
        self.send({"code": code})

    def send(self, message):
        data = (json.dumps(message) + "\n").encode()
        try:
            while data:
                data = data[os.write(self.req_w, data) :]
        except OSError:
            pass  # the process is gone; its end shows as end-of-file on the reply pipe

    def receive(self):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 1]
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    raise self.tampered("a garbled message on the harness channel")
                if not isinstance(message, dict):
                    raise self.tampered("a garbled message on the harness channel")
                return message
            if len(self.buf) > MAX_REPLY_BYTES:
                raise self.tampered("an answer larger than %d bytes" % MAX_REPLY_BYTES)
            chunk = os.read(self.rep_r, 1 << 16)
            if not chunk:
                raise self.ended()
            self.buf += chunk

    def tampered(self, detail):
        return Verdict("tampered", test=self.test, detail=detail)

    def ended(self):
        """The process closed the channel: why, from its exit status."""
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            raise self.tampered("closed the harness channel and kept running")
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = "signal %d" % -code
            return Verdict("exited", test=self.test, signal=name)
        return Verdict("exited", test=self.test, code=code)

    def stopped(self, message):
        """Turns a message that is not an answer into the verdict it reports."""
        kind = message.get("t")
        if kind == "raised":
            return Verdict(
                "raised",
                test=self.test,
                type=str(message.get("type"))[:100],
                errno=str(message.get("errno"))[:20] if message.get("errno") else None,
                detail=str(message.get("detail"))[:300],
            )
        if kind == "exit":
            code = message.get("code")
            return Verdict("exited", test=self.test, code=code if isinstance(code, int) else 1)
        return self.tampered("an unexpected message on the harness channel")

    def start(self):
        message = self.receive()
        if message.get("t") != "ready":
            raise self.stopped(message)

    def probe(self, k, source):
        self.send({"k": k, "src": source})
        message = self.receive()
        if message.get("k") != k:
            raise self.tampered("an answer to a question the harness did not ask")
        if message.get("t") == "opaque":
            raise Verdict("opaque", test=self.test, type=str(message.get("type"))[:100])
        if message.get("t") != "value":
            raise self.stopped(message)
        try:
            return decode(message.get("v"))
        except (Unreadable, ValueError, TypeError, OverflowError, RecursionError):
            raise self.tampered("an answer that is not plain data")


def judge(payload):
    tests = payload["tests"]
    try:
        plans = [TestPlan(i + 1, t) for i, t in enumerate(tests)]
    except (SyntaxError, ValueError) as e:
        raise Verdict("harness", detail="bad test: %s" % e)
    try:
        compile(payload["candidate"], "<candidate>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        line = getattr(e, "lineno", None)
        where = " (line %d)" % line if line else ""
        raise Verdict("malformed", detail="%s: %s%s" % (type(e).__name__, getattr(e, "msg", e), where))
    candidate = Candidate(payload["candidate"], payload["child"])
    candidate.start()
    passed = 0
    for plan in plans:
        candidate.test = plan.index

        def ask(k, plan=plan):
            return candidate.probe(k, plan.probes[k])

        scope = {"__builtins__": builtins, "math": math, PROBE: ask}
        try:
            ok = eval(plan.code, scope)
        except Verdict:
            raise
        except BaseException as e:
            raise Verdict("raised", test=plan.index, type=type(e).__name__, errno=None,
                          detail=str(e)[:300])
        if not ok:
            raise Verdict("failed", test=plan.index, passed=passed, total=len(plans))
        passed += 1
    return Verdict("passed", passed=passed, total=len(plans))


def main():
    payload = json.loads(base64.b64decode(PAYLOAD))
    nonce = payload["nonce"]
    try:
        # Not dumpable: the candidate's process (same uid) can read neither this process's memory
        # nor its file descriptors through /proc, nor ptrace it.
        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise Verdict("harness", detail="cannot make the supervisor undumpable")
        # Standard input held this program, nonce included.
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.close(null)
        verdict = judge(payload)
    except Verdict as v:
        verdict = v
    except BaseException as e:
        verdict = Verdict("harness", detail="%s: %s" % (type(e).__name__, str(e)[:300]))
    line = "%s %s %s\n" % (REPORT_PREFIX, nonce, json.dumps(verdict.facts, sort_keys=True))
    os.write(1, line.encode())
    for child in CHILDREN:
        child.kill()
    # As pid 1 of the sandbox, exiting also kills anything the candidate left behind.
    os._exit(0)


main()
