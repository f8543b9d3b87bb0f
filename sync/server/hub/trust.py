"""What the central server trusts a district hub with, and what a hub tells a refused device.

A hub signs in upstream with a coordinator's token (or an admin's). It reads the users of its
district, so a device's one token works at the office as at HQ; and it vouches for the
enumerators whose interviews it forwards, of its own district only (an admin's hub: any).
"""

from __future__ import annotations

from sync.protocol import HubUser, SubmissionItem
from sync.server.errors import BadRequest, Forbidden
from sync.server.storage import Storage, SubmissionRecord, User

HUB_ROLES = ("coordinator", "admin")
USERS_AT_KEY = "hub_users_at"
"""On a hub: when its user list last came from upstream (a setting)."""
USERS_EVERY = 120.0
"""Seconds between two refreshes of a hub's users (`relay --users-every`)."""


def hub_district(user: User) -> str | None:
    """The district whose users a hub signed in as `user` reads (None = all: an admin)."""
    if user.role not in HUB_ROLES:
        raise Forbidden("only a district hub (a coordinator's or an admin's token) reads users")
    if user.role == "coordinator":
        if not user.district:
            raise Forbidden(
                f"coordinator {user.name!r} has no district: a hub needs one"
                " (users add NAME --role coordinator --district D)"
            )
        return user.district
    return None


def users_for_hub(storage: Storage, hub: User) -> list[HubUser]:
    """The enumerators of the hub's district, revoked ones too (so the hub refuses them)."""
    return [
        HubUser(
            name=user.name,
            role=user.role,
            district=user.district,
            token_sha256=token_hash,
            revoked=user.revoked,
        )
        for user, token_hash in storage.hub_users(hub_district(hub))
    ]


def maker_of(storage: Storage, sender: User, item: SubmissionItem) -> User:
    """Who made the item's interview: its sender, or the enumerator a hub names for it.

    BadRequest (the item is refused, the rest of the batch is not) for a device naming
    another user, or a hub naming an enumerator it cannot vouch for. An enumerator revoked
    since is still vouched for: the hub took the interview while the token was good."""
    if item.enumerator is None or item.enumerator == sender.name:
        return sender
    if sender.role not in HUB_ROLES:
        raise BadRequest(
            f"item {item.instance_id}: names enumerator {item.enumerator!r}; only a district"
            " hub (a coordinator's token) forwards another user's interviews"
        )
    named = storage.user(item.enumerator)
    if named is None or named.role != "enumerator":
        raise BadRequest(
            f"item {item.instance_id}: no enumerator {item.enumerator!r} on this server;"
            " a hub forwards only interviews of enumerators the server knows"
        )
    district = hub_district(sender)
    if district is not None and named.district != district:
        raise BadRequest(
            f"item {item.instance_id}: enumerator {item.enumerator!r} is not of district"
            f" {district!r}; hub {sender.name!r} vouches only for its own district's enumerators"
        )
    return named


def sends_files_of(user: User, submission: SubmissionRecord) -> bool:
    """Who may send a submission's files: its enumerator, and a hub that could vouch for
    them (the device may have sent the XML to HQ itself, its photos through the office)."""
    if user.name in (submission.enumerator, submission.via) or user.role == "admin":
        return True
    return (
        user.role == "coordinator"
        and bool(user.district)
        and (submission.district == user.district)
    )


def served(storage: Storage) -> str:
    """The districts a hub's users are of, as its messages name them: `district north`."""
    districts = sorted({u.district for u, _ in storage.hub_users(None) if u.district})
    if not districts:
        return "no district yet"
    return ("district " if len(districts) == 1 else "districts ") + ", ".join(districts)


def unknown_token_message(storage: Storage, upstream: str | None) -> str:
    """Why a token is refused; on a hub, which district it serves (a tablet of another
    district is not one of its users) and when its list of users came."""
    if upstream is None:
        return "unknown or revoked token"
    refreshed = storage.get_setting(USERS_AT_KEY)
    if refreshed is None:
        return (
            f"this district hub has not yet received its users from {upstream}: sync with"
            " the central server, or again once the hub has reached it"
        )
    district = served(storage)
    return (
        f"unknown or revoked token: this hub serves {district} only; a tablet of another"
        f" district syncs with its own district's hub or with {upstream}. A user of"
        f" {district} added or revoked at the central server since {refreshed} is known"
        " here after the hub's next refresh"
    )
