"""Users, Apps' bots, the identity behind a token and the association it gets."""

from __future__ import annotations

from typing import Literal

from maverick_ext.emulator.store.base import StoreBase, locked
from maverick_ext.emulator.store.model import (
    ASSOCIATIONS,
    BOT_SUFFIX,
    NotFoundError,
    Repo,
    User,
    Viewer,
    make_node_id,
    parse_level,
)


class IdentityStore(StoreBase):
    @locked
    def ensure_user(self, login: str, type_: Literal["User", "Bot"] = "User") -> User:
        """The user with ``login``, created on first sight."""
        key = login.lower()
        user = self.users.get(key)
        if user is None:
            uid = next(self._user_ids)
            user = User(uid, make_node_id("U", "User", uid), login, type_, created_at=self.now())
            self.users[key] = user
            self._register(user)
            if self.default_login is None:
                self.default_login = login
        return user

    def get_user(self, login: str) -> User:
        """An existing user; ``NotFoundError`` otherwise."""
        user = self.users.get(login.lower())
        if user is None:
            raise NotFoundError()
        return user

    @locked
    def ensure_bot(self, slug: str) -> User:
        """The Bot actor of a GitHub App ``slug``: login ``slug[bot]``, type ``Bot``."""
        login = slug if slug.endswith(BOT_SUFFIX) else f"{slug}{BOT_SUFFIX}"
        return self.ensure_user(login, "Bot")

    @locked
    def identify(self, token: str) -> Viewer:
        """The identity behind a token, else the default user.

        ``as:LOGIN[:ASSOC[:PERMISSION]]`` acts as that user; ``bot:SLUG[:ASSOC[:PERMISSION]]``
        as the Bot of App ``SLUG`` (an installation token or GITHUB_TOKEN). ``ASSOC`` is one
        of the eight ``author_association`` values (case-insensitive); ``PERMISSION`` one of
        read, triage, write, maintain, admin (an unknown one is read).
        """
        if (slug := self.apps.bot(token, self.clock())) is not None:
            # An installation token we issued: the App was granted contents/issues write.
            return self._stands(Viewer(self.ensure_bot(slug), None, "write"))
        kind, sep, rest = token.partition(":")
        if sep and kind in ("as", "bot"):
            login, _, rest = rest.partition(":")
            assoc, _, level = rest.partition(":")
            assoc = assoc.upper()
            if assoc and assoc not in ASSOCIATIONS:
                assoc = "NONE"
            if login:
                user = self.ensure_bot(login) if kind == "bot" else self.ensure_user(login)
                permission = (parse_level(level) or "read") if level else None
                return self._stands(Viewer(user, assoc or None, permission))
        return Viewer(self.ensure_user(self.default_login or "maverick-sandbox"))

    def _stands(self, viewer: Viewer) -> Viewer:
        self.standings[viewer.login.lower()] = viewer
        return viewer

    def standing(self, user: User) -> Viewer:
        """``user`` as its tokens present it: the association and permission last claimed
        for the account, else those derived per repository."""
        return self.standings.get(user.login.lower()) or Viewer(user)

    def association(self, viewer: Viewer, repo: Repo) -> str:
        """The ``author_association`` a new issue or comment by ``viewer`` gets on ``repo``.

        Under ``private_membership`` an organisation member shows as CONTRIBUTOR (with a
        merged pull request in the repository) or NONE, as GitHub shows private members.
        """
        association = viewer.association_for(repo)
        if association != "MEMBER" or not self.faults.private_membership:
            return association
        contributed = any(
            i.pull is not None and i.pull.merged and i.user is viewer.user
            for i in repo.issues.values()
        )
        return "CONTRIBUTOR" if contributed else "NONE"
