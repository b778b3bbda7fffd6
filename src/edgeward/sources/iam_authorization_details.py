"""Transform `aws iam get-account-authorization-details` output into an IamEstate (pure).

Top-level keys: UserDetailList, GroupDetailList, RoleDetailList, Policies. Policy documents
are URL-encoded JSON strings in the raw API response and JSON objects in the AWS CLI output;
both are accepted. Only the default version of a managed policy is in force.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from edgeward.errors import InputError
from edgeward.iam.estate import Group, IamEstate, ManagedPolicy, Role, Tags, User
from edgeward.iam.policy import Policy, PolicyKind, loads_policy_json, parse_policy


def _fail(message: str, file: str, place: str) -> InputError:
    return InputError(message, file=file, place=place)


def _document(raw: Any, *, name: str, kind: PolicyKind, file: str, place: str) -> Policy:
    """Parse a policy document given as an object or a (URL-encoded) JSON string."""
    document = raw
    if isinstance(raw, str):
        text = raw if raw.lstrip().startswith("{") else urllib.parse.unquote(raw)
        try:
            document = loads_policy_json(text, file=file)
        except InputError as exc:
            raise _fail(exc.detail, file, place) from None
    try:
        return parse_policy(document, name=name, kind=kind, file=file)
    except InputError as exc:
        inner = f"{place}.{exc.place}" if exc.place else place
        raise _fail(exc.detail, file, inner) from None


def _list(doc: Mapping[str, Any], key: str, file: str, place: str) -> list[Any]:
    value = doc.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(f"{key} must be a list", file, f"{place}.{key}" if place else key)
    return value


def _str(doc: Mapping[str, Any], key: str, file: str, place: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise _fail(f"missing or empty {key}", file, place)
    return value


def _object(raw: Any, file: str, place: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail("expected an object", file, place)
    return raw


def _account(arn: str, file: str, place: str) -> str:
    parts = arn.split(":")
    if len(parts) < 6 or not parts[4]:
        raise _fail(f"not an IAM ARN: {arn!r}", file, place)
    return parts[4]


def _tags(doc: Mapping[str, Any], file: str, place: str) -> Tags:
    out: list[tuple[str, str]] = []
    for n, tag in enumerate(_list(doc, "Tags", file, place)):
        tag_place = f"{place}.Tags[{n}]"
        tag = _object(tag, file, tag_place)
        out.append((_str(tag, "Key", file, tag_place), str(tag.get("Value", ""))))
    return tuple(out)


def _inline(doc: Mapping[str, Any], key: str, owner: str, file: str, place: str) -> tuple[Policy, ...]:
    out: list[Policy] = []
    for n, item in enumerate(_list(doc, key, file, place)):
        item_place = f"{place}.{key}[{n}]"
        item = _object(item, file, item_place)
        name = _str(item, "PolicyName", file, item_place)
        out.append(
            _document(
                item.get("PolicyDocument"),
                name=f"{owner}/{name}",
                kind="identity",
                file=file,
                place=f"{item_place}.PolicyDocument",
            )
        )
    return tuple(out)


def _attached(doc: Mapping[str, Any], file: str, place: str) -> tuple[str, ...]:
    out: list[str] = []
    for n, item in enumerate(_list(doc, "AttachedManagedPolicies", file, place)):
        item_place = f"{place}.AttachedManagedPolicies[{n}]"
        out.append(_str(_object(item, file, item_place), "PolicyArn", file, item_place))
    return tuple(out)


def _boundary(doc: Mapping[str, Any], file: str, place: str) -> str | None:
    raw = doc.get("PermissionsBoundary")
    if not raw:
        return None
    return _str(_object(raw, file, f"{place}.PermissionsBoundary"), "PermissionsBoundaryArn", file, place)


def _managed(raw: Any, file: str, place: str) -> ManagedPolicy:
    item = _object(raw, file, place)
    arn = _str(item, "Arn", file, place)
    name = _str(item, "PolicyName", file, place)
    default_id = item.get("DefaultVersionId")
    versions = _list(item, "PolicyVersionList", file, place)
    chosen: tuple[int, Mapping[str, Any]] | None = None
    for n, version in enumerate(versions):
        version = _object(version, file, f"{place}.PolicyVersionList[{n}]")
        if version.get("IsDefaultVersion") is True or (default_id and version.get("VersionId") == default_id):
            chosen = (n, version)
            break
    if chosen is None:
        raise _fail(f"managed policy {arn} has no default version in PolicyVersionList", file, place)
    n, version = chosen
    document = _document(
        version.get("Document"),
        name=arn,
        kind="identity",
        file=file,
        place=f"{place}.PolicyVersionList[{n}].Document",
    )
    return ManagedPolicy(arn, name, document, str(item.get("Path") or "/"))


def estate_from_authorization_details(document: dict[str, Any], *, file: str) -> IamEstate:
    """The IamEstate described by one get-account-authorization-details output."""
    doc = _object(document, file, "")
    policies = tuple(_managed(raw, file, f"Policies[{n}]") for n, raw in enumerate(_list(doc, "Policies", file, "")))
    accounts: set[str] = set()
    groups: list[Group] = []
    for n, raw in enumerate(_list(doc, "GroupDetailList", file, "")):
        place = f"GroupDetailList[{n}]"
        item = _object(raw, file, place)
        arn = _str(item, "Arn", file, place)
        name = _str(item, "GroupName", file, place)
        account = _account(arn, file, place)
        accounts.add(account)
        groups.append(
            Group(
                arn,
                name,
                account,
                str(item.get("Path") or "/"),
                _inline(item, "GroupPolicyList", f"group/{name}", file, place),
                _attached(item, file, place),
            )
        )
    users: list[User] = []
    for n, raw in enumerate(_list(doc, "UserDetailList", file, "")):
        place = f"UserDetailList[{n}]"
        item = _object(raw, file, place)
        arn = _str(item, "Arn", file, place)
        name = _str(item, "UserName", file, place)
        account = _account(arn, file, place)
        accounts.add(account)
        group_names = tuple(str(g) for g in _list(item, "GroupList", file, place))
        users.append(
            User(
                arn,
                name,
                account,
                str(item.get("Path") or "/"),
                _inline(item, "UserPolicyList", f"user/{name}", file, place),
                _attached(item, file, place),
                group_names,
                _boundary(item, file, place),
                _tags(item, file, place),
            )
        )
    roles: list[Role] = []
    for n, raw in enumerate(_list(doc, "RoleDetailList", file, "")):
        place = f"RoleDetailList[{n}]"
        item = _object(raw, file, place)
        arn = _str(item, "Arn", file, place)
        name = _str(item, "RoleName", file, place)
        account = _account(arn, file, place)
        accounts.add(account)
        trust_raw = item.get("AssumeRolePolicyDocument")
        trust = (
            _document(
                trust_raw,
                name=f"role/{name}/trust-policy",
                kind="trust",
                file=file,
                place=f"{place}.AssumeRolePolicyDocument",
            )
            if trust_raw
            else None
        )
        roles.append(
            Role(
                arn,
                name,
                account,
                str(item.get("Path") or "/"),
                _inline(item, "RolePolicyList", f"role/{name}", file, place),
                _attached(item, file, place),
                _boundary(item, file, place),
                trust,
                _tags(item, file, place),
            )
        )
    estate = IamEstate(
        account_ids=tuple(sorted(accounts)),
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        managed_policies=policies,
    )
    return estate.validated(file)


def merge_estates(estates: Sequence[IamEstate]) -> IamEstate:
    """One estate from several (several accounts or files); the first entry of an ARN wins."""

    def unique(items: Sequence[Any]) -> tuple[Any, ...]:
        seen: dict[str, Any] = {}
        for item in items:
            seen.setdefault(item.arn, item)
        return tuple(seen.values())

    scp_levels: dict[str, Any] = {}
    rcps: dict[str, Any] = {}
    for estate in estates:
        for account, levels in estate.scp_levels.items():
            scp_levels.setdefault(account, levels)
        for account, policies in estate.rcps.items():
            rcps.setdefault(account, policies)
    return IamEstate(
        account_ids=tuple(sorted({a for e in estates for a in e.account_ids})),
        users=unique([u for e in estates for u in e.users]),
        groups=unique([g for e in estates for g in e.groups]),
        roles=unique([r for e in estates for r in e.roles]),
        managed_policies=unique([p for e in estates for p in e.managed_policies]),
        scp_levels=MappingProxyType(scp_levels),
        rcps=MappingProxyType(rcps),
    )
