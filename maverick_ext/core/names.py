"""Branch and worktree names derived from issues, and checks on names users type.

Pure: no git, no shell. Everything returned here is safe to pass as one argv element to
git (no leading ``-``, nothing git's ref syntax reads specially) and means nothing to a
shell either (ASCII letters, digits and ``._/+-`` only), so a hostile issue title or
branch argument can neither inject an option nor escape the worktree root.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from maverick_ext.errors import UsageError

DEFAULT_PREFIX = "feat"
MIN_SLUG_WORDS = 2
MAX_SLUG_WORDS = 5
MAX_SLUG_CHARS = 48
MAX_BRANCH_CHARS = 200
# Dropped from slugs when enough other words remain: they carry no meaning in a branch name.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "or",
        "is",
        "be",
        "as",
        "it",
    ]
)
# Labels such as "type: bug", "kind/bug" or "Type - Bug" name the same thing as "bug".
_LABEL_NAMESPACE = re.compile(r"^(?:type|kind|category)\s*[:/-]\s*")
_ALLOWED = re.compile(r"^[A-Za-z0-9._/+-]+$")
_DISALLOWED_RUN = re.compile(r"[^A-Za-z0-9._/+-]+")


def _ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of ``text``: accents folded, everything else a separator."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", folded.lower())


def slugify(title: str) -> str:
    """2–5 lowercase ASCII words of ``title`` joined by ``-`` ("issue" when nothing is left)."""
    words = _ascii_words(title)
    meaningful = [word for word in words if word not in _STOPWORDS]
    if len(meaningful) >= MIN_SLUG_WORDS:
        words = meaningful
    words = words[:MAX_SLUG_WORDS] or ["issue"]
    slug = "-".join(words)
    if len(slug) > MAX_SLUG_CHARS:
        # Cut at a word boundary when one exists, so the name still reads.
        cut = slug[:MAX_SLUG_CHARS]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def branch_prefix(labels: Iterable[str], prefixes: Mapping[str, str]) -> str:
    """The prefix for the first label the table knows (in the issue's order), else ``feat``."""
    table = {label.lower(): prefix for label, prefix in prefixes.items()}
    for label in labels:
        key = label.strip().lower()
        for candidate in (key, _LABEL_NAMESPACE.sub("", key)):
            if candidate in table:
                return table[candidate]
    return DEFAULT_PREFIX


def branch_name(number: int, title: str, labels: Iterable[str], prefixes: Mapping[str, str]) -> str:
    """``<prefix>/<issue>-<slug>``, e.g. ``fix/42-crash-empty-config``."""
    if number < 1:
        raise UsageError(f"issue number must be positive, got {number}")
    prefix = branch_prefix(labels, prefixes)
    return check_branch_name(f"{prefix}/{number}-{slugify(title)}")


def story_issue(branch: str) -> int | None:
    """The issue a story branch was named after (``feat/42-add-export`` → 42), if any."""
    match = re.match(r"^[^/]+/(\d+)(?:-|$)", branch)
    return int(match.group(1)) if match else None


def branch_problem(name: str) -> str | None:
    """Why ``name`` is not acceptable as a branch name, or None if it is.

    Git's own rules (``git check-ref-format --branch``) plus a conservative character set,
    because these names also become directory names and show up in shell commands.
    """
    if not name:
        return "is empty"
    if len(name) > MAX_BRANCH_CHARS:
        return f"is longer than {MAX_BRANCH_CHARS} characters"
    if not _ALLOWED.match(name):
        return "may only contain ASCII letters, digits and . _ / + -"
    if name.startswith("-"):
        return "starts with '-' (git would read it as an option)"
    if ".." in name:
        return "contains '..'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "has an empty path component"
    if name.endswith("."):
        return "ends with '.'"
    if name == "HEAD":
        return "is the reserved name 'HEAD'"
    for component in name.split("/"):
        if component.startswith("."):
            return "has a path component starting with '.'"
        if component.endswith(".lock"):
            return "has a path component ending with '.lock'"
    return None


def sanitize_branch_name(raw: str) -> str:
    """The closest acceptable branch name to ``raw``; UsageError if nothing usable remains."""
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    name = _DISALLOWED_RUN.sub("-", folded)
    name = re.sub(r"\.{2,}", ".", name)
    components = []
    for component in name.split("/"):
        # Stripping one suffix can expose another (``x.lock.``): repeat until stable.
        previous = None
        while component != previous:
            previous = component
            component = component.strip(".-").removesuffix(".lock")
        if component:
            components.append(component)
    name = "/".join(components)[:MAX_BRANCH_CHARS].strip("/.")
    if branch_problem(name) is not None:
        raise UsageError(f"no usable branch name can be made from {raw!r}")
    return name


def check_branch_name(name: str) -> str:
    """``name`` unchanged if acceptable; otherwise UsageError saying why, with a suggestion."""
    problem = branch_problem(name)
    if problem is None:
        return name
    try:
        hint = f"try {sanitize_branch_name(name)!r}"
    except UsageError:
        hint = "use letters, digits and - _ . / only, e.g. feat/12-short-title"
    raise UsageError(f"branch name {name!r} {problem}", hint)


def worktree_dirname(branch: str) -> str:
    """One directory name for ``branch`` (``feat/12-x`` → ``feat__12-x``, as the seeds lay out).

    The branch must already be acceptable, which rules out ``.``/``..`` and separators.
    """
    return check_branch_name(branch).replace("/", "__")
