"""Actors (users, bots, organisations) and the viewer."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.resolvers import WEB_BASE, GitHubError, avatar_url, ctx, resolves
from maverick_ext.emulator.store import BOT_SUFFIX, User


@resolves("Query", "viewer")
def q_viewer(_: None, info: GraphQLResolveInfo) -> User:
    return ctx(info).viewer.user


@resolves("Query", "user")
def q_user(_: None, info: GraphQLResolveInfo, login: str) -> User:
    user = ctx(info).store.users.get(login.lower())
    if user is None:
        raise GitHubError("NOT_FOUND", f"Could not resolve to a User with the login of '{login}'.")
    return user


# -- actors ----------------------------------------------------------------------------


@resolves("User", "avatarUrl")
@resolves("Bot", "avatarUrl")
@resolves("Organization", "avatarUrl")
@resolves("Mannequin", "avatarUrl")
def actor_avatar(user: User, _: GraphQLResolveInfo, **__: Any) -> str:
    return avatar_url(user)


@resolves("User", "url")
@resolves("Bot", "url")
@resolves("Organization", "url")
@resolves("Mannequin", "url")
def actor_url(user: User, info: GraphQLResolveInfo) -> str:
    return WEB_BASE + actor_path(user, info)


@resolves("User", "resourcePath")
@resolves("Bot", "resourcePath")
@resolves("Organization", "resourcePath")
@resolves("Mannequin", "resourcePath")
def actor_path(user: User, _: GraphQLResolveInfo) -> str:
    if user.type == "Bot":
        return f"/apps/{user.login.removesuffix(BOT_SUFFIX)}"
    return f"/{user.login}"


@resolves("Bot", "login")
def bot_login(user: User, _: GraphQLResolveInfo) -> str:
    # GraphQL names a Bot by its slug; REST and `viewer.login` say `slug[bot]`.
    return user.login.removesuffix(BOT_SUFFIX)


@resolves("User", "email")
def user_email(_: User, __: GraphQLResolveInfo) -> str:
    return ""  # GitHub answers "" unless the email is public
