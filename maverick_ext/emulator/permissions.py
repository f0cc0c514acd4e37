"""GitHub's repository permission model: who may label, edit, and move refs.

GitHub decides writes by the account's *permission* on the repository (read, triage, write,
maintain, admin), not by the ``author_association`` shown on its comments: a member of an
organisation whose membership is private shows as CONTRIBUTOR or NONE yet may push. The
sandbox spells both in the token: ``as:LOGIN:ASSOC:PERMISSION`` (PERMISSION optional; by
default OWNER is admin, MEMBER/COLLABORATOR write, CONTRIBUTOR/NONE read).

A refused write answers 403 on a public repository and 404 on a private one (GitHub hides
private repositories from accounts that cannot see them), and ``FORBIDDEN`` in GraphQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maverick_ext.emulator.store import LEVELS, NotFoundError, StoreError

if TYPE_CHECKING:
    from maverick_ext.emulator.store import Repo, Viewer

_FROM_ASSOCIATION = {"OWNER": "admin", "MEMBER": "write", "COLLABORATOR": "write"}
FORBIDDEN_MESSAGE = "Resource not accessible by personal access token"

# What each kind of write needs (GitHub's "Repository roles" table).
LABEL = "triage"
EDIT_ISSUE = "triage"  # others' issues; an author may edit their own
EDIT_OTHERS_COMMENT = "write"
CONTENTS = "write"  # git objects and refs


class Forbidden(StoreError):
    status = 403

    def __init__(self, message: str = FORBIDDEN_MESSAGE) -> None:
        super().__init__(message)


def permission(viewer: Viewer, repo: Repo) -> str:
    """The viewer's permission on ``repo``."""
    if viewer.user is repo.owner:
        return "admin"
    if viewer.permission is not None:
        return viewer.permission
    return _FROM_ASSOCIATION.get(viewer.association_for(repo), "read")


# GET /repos/{o}/{r}/collaborators/{user}/permission: ``permission`` is the legacy base
# role ("maintain is mapped to write and triage to read", OpenAPI), ``role_name`` the role.
LEGACY_BASE_ROLE = {
    "admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"
}  # fmt: skip
# Who may ask: GitHub answers others 403 "Must have push access to view collaborator
# permission." (yegor256/rultor#1407).
ASK_PERMISSION = "write"
ASK_PERMISSION_REFUSED = "Must have push access to view collaborator permission."


def allowed(viewer: Viewer, repo: Repo, needed: str) -> bool:
    return LEVELS.index(permission(viewer, repo)) >= LEVELS.index(needed)


def require(viewer: Viewer, repo: Repo, needed: str) -> None:
    """Raise what GitHub answers when ``viewer`` lacks ``needed`` on ``repo``."""
    if allowed(viewer, repo, needed):
        return
    if repo.private:
        raise NotFoundError()
    raise Forbidden()
