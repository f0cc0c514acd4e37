"""Fields newer than some GitHub servers: read without them, say so once.

``Issue.blockedBy`` is newer than GitHub Enterprise Server up to 3.18 (and than the
published schema package); sub-issues (``subIssues``, ``parent``) are missing on older
servers. GitHub answers a query naming a field it does not have with HTTP 200 and an error
``Field 'X' doesn't exist on type 'Issue'`` (``extensions.code: undefinedField``), for
the whole query. The reader then drops that field and asks again, and later queries of
the same command leave it out from the start.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# The fields we can do without, and what a user loses with each.
OPTIONAL_FIELDS = {
    "blockedBy": "native blocked-by links (dependencies come from story text only)",
    "subIssues": "sub-issues (stories come from the epic's task list only)",
    "parent": "sub-issue parents",
}
_UNDEFINED_FIELD = re.compile(r"Field '(?P<field>\w+)' doesn't exist on type '(?P<type>\w+)'")


def missing_fields(errors: list[Any]) -> set[str]:
    """The optional fields GitHub said it does not have (empty if any other error)."""
    found: set[str] = set()
    for error in errors:
        if not isinstance(error, dict):
            return set()
        extensions = error.get("extensions") or {}
        field = extensions.get("fieldName")
        if not field and (match := _UNDEFINED_FIELD.search(str(error.get("message") or ""))):
            field = match["field"]
        if field not in OPTIONAL_FIELDS:
            return set()
        found.add(field)
    return found


def lacks_field(errors: list[Any], field: str) -> bool:
    """Whether GitHub said it has no field ``field`` (``undefinedField``), e.g. an older
    Enterprise Server without ``Mutation.updateRefs``."""
    for error in errors:
        if not isinstance(error, dict):
            continue
        named = (error.get("extensions") or {}).get("fieldName")
        match = _UNDEFINED_FIELD.search(str(error.get("message") or ""))
        if field in (named, match["field"] if match else None):
            return True
    return False


def without_fields(query: str, fields: set[str]) -> str:
    """``query`` with every selection of ``fields`` (alias, arguments, sub-selection) removed."""
    for field in fields:
        pattern = re.compile(rf"(?:\b\w+\s*:\s*)?\b{field}\b\s*(?:\([^)]*\))?\s*")
        position = 0
        while match := pattern.search(query, position):
            end = match.end()
            if end < len(query) and query[end] == "{":
                depth = 0
                for index in range(end, len(query)):
                    depth += {"{": 1, "}": -1}.get(query[index], 0)
                    if depth == 0:
                        end = index + 1
                        break
            query = query[: match.start()] + query[end:]
            position = match.start()
    return query


def report_missing(known: set[str], new: set[str]) -> None:
    """Say once per command which capability this server lacks."""
    for field in sorted(new - known):
        print(
            f"gh-maverick: this GitHub server has no Issue.{field}; reading without "
            f"{OPTIONAL_FIELDS[field]}",
            file=sys.stderr,
            flush=True,  # before the command's own output, whatever buffers stderr
        )
    known.update(new)
