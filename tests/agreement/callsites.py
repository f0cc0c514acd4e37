"""Find every GitHub request the product's source can make, without running it.

Only ``github/`` (and the few services that call ``GhClient`` directly) talk to GitHub, all
through ``GhClient.get/post/patch/put/delete/paginate/request/graphql``. This module reads
the source (``ast``) and turns each such call into a ``CallSite``: the HTTP method, the path
template (``repos/{owner}/{repo}/issues/{}/comments``), the body's literal field names, or
the GraphQL document expression. A call whose path it cannot work out is reported as such:
a new request must be written in a shape this check understands, so it is checked too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import maverick_ext

PRODUCT = Path(maverick_ext.__file__).resolve().parent
# The emulator answers requests; it never sends any. The client is the sending machinery.
NOT_SENDERS = ("emulator/", "github/client.py")
VERBS = {"get": "GET", "post": "POST", "patch": "PATCH", "put": "PUT", "delete": "DELETE"}
CLIENT_METHODS = {*VERBS, "paginate", "request", "graphql"}


@dataclass
class CallSite:
    module: str  # dotted module name
    function: str  # enclosing function ("" at module level)
    line: int
    verb: str  # the GhClient method called
    method: str
    path: str | None  # template with {} placeholders; None when unknown
    fields: list[str] = field(default_factory=list)  # literal body keys
    query: ast.expr | None = None  # the GraphQL document expression, for graphql calls
    problem: str | None = None

    @property
    def where(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.line}"


def product_files() -> list[Path]:
    return [
        path
        for path in sorted(PRODUCT.rglob("*.py"))
        if not any(str(path.relative_to(PRODUCT)).startswith(skip) for skip in NOT_SENDERS)
    ]


def module_name(path: Path) -> str:
    relative = path.relative_to(PRODUCT.parent).with_suffix("")
    return ".".join(relative.parts)


def call_sites(source: str, module: str) -> list[CallSite]:
    """Every client call in one module's source."""
    tree = ast.parse(source)
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    sites: list[CallSite] = []
    # Innermost function first (ast.walk is breadth-first), the module itself last.
    for func in [*reversed(functions.values()), tree]:
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and _is_client_call(node):
                name = "" if func is tree else func.name  # type: ignore[union-attr]
                site = _site(node, module, name, functions, _assignments(func))
                if not any(s.line == site.line for s in sites):
                    sites.append(site)
    return sorted(sites, key=lambda s: s.line)


def _is_client_call(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in CLIENT_METHODS:
        return False
    receiver = func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return name == "client"


def _assignments(func: ast.AST) -> dict[str, ast.expr]:
    return {
        target.id: node.value
        for node in ast.walk(func)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _site(
    call: ast.Call,
    module: str,
    function: str,
    functions: dict[str, ast.AST],
    local: dict[str, ast.expr],
) -> CallSite:
    verb = call.func.attr  # type: ignore[attr-defined]
    args = list(call.args)
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}
    if verb == "graphql":
        return CallSite(module, function, call.lineno, verb, "POST", "graphql", query=args[0])
    if verb == "request":
        method = _constant(args[0]) if args else None
        path_expr = args[1] if len(args) > 1 else None
        body = kwargs.get("body")
    else:
        method = "GET" if verb == "paginate" else VERBS[verb]
        path_expr = args[0] if args else None
        body = args[1] if len(args) > 1 else kwargs.get("body")
    site = CallSite(module, function, call.lineno, verb, str(method), None)
    paths = _paths(path_expr, functions, local) if path_expr is not None else set()
    if method is None or len(paths) == 0:
        site.problem = "cannot tell which method and path this call sends"
        return site
    if isinstance(body, ast.Dict):
        site.fields = [k for k in (_constant(key) for key in body.keys) if k]
        if "query" in site.fields:  # client.request("POST", "graphql", body={"query": ...})
            site.query = body.values[site.fields.index("query")]
    site.path = "|".join(sorted(paths))
    return site


def _constant(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _paths(
    node: ast.AST,
    functions: dict[str, ast.AST],
    local: dict[str, ast.expr],
    unset: frozenset[str] = frozenset(),
) -> set[str]:
    """Every path template ``node`` can evaluate to (empty when unknown).

    ``unset`` names a helper's parameters the call left at their default ``None``, so
    ``x if label is not None else y`` picks its branch as Python would.
    """
    text = _constant(node)
    if text is not None:
        return {text}
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for part in node.values:
            piece = _constant(part)
            if piece is not None:
                out = [o + piece for o in out]
                continue
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            known = _paths(inner, functions, local) if isinstance(inner, ast.Name) else set()
            out = [o + k for o in out for k in known] if known else [o + "{}" for o in out]
        return set(out)
    if isinstance(node, ast.IfExp):
        branch = _decided(node.test, unset)
        if branch is not None:
            return _paths(node.body if branch else node.orelse, functions, local, unset)
        body = _paths(node.body, functions, local, unset)
        return body | _paths(node.orelse, functions, local, unset)
    if isinstance(node, ast.Name) and node.id in local:
        return _paths(local[node.id], functions, local, unset)
    repo_path = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    if repo_path and node.func.attr == "repo_path":  # type: ignore[attr-defined]
        args = node.args  # type: ignore[attr-defined]
        suffixes = _paths(args[0], functions, local, unset) if args else {""}
        return {f"repos/{{owner}}/{{repo}}/{s}".rstrip("/") for s in suffixes}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        helper = functions.get(node.func.id)
        if isinstance(helper, ast.FunctionDef):
            inner_local = _assignments(helper)
            params = helper.args.args
            passed = {p.arg for p in params[: len(node.args)]} | {k.arg for k in node.keywords}
            unset_here = frozenset(p.arg for p in params if p.arg not in passed)
            return {
                path
                for ret in ast.walk(helper)
                if isinstance(ret, ast.Return) and ret.value is not None
                for path in _paths(ret.value, functions, inner_local, unset_here)
            }
    return set()


def _decided(test: ast.expr, unset: frozenset[str]) -> bool | None:
    """``name is None`` / ``name is not None`` for a parameter left at None, else unknown."""
    if not (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return None
    is_none = test.left.id in unset
    if isinstance(test.ops[0], ast.Is):
        return is_none
    if isinstance(test.ops[0], ast.IsNot):
        return not is_none
    return None


def all_call_sites() -> list[CallSite]:
    return [
        site
        for path in product_files()
        for site in call_sites(path.read_text(encoding="utf-8"), module_name(path))
    ]
