"""The `iam:` section of the native estate format: readable users, groups, roles and policies.

    iam:
      account: "111122223333"
      managed_policies:
        - name: CloudFrontEditors
          document: {Version: "2012-10-17", Statement: [...]}
      groups:
        - name: web
          managed_policies: [CloudFrontEditors]
      users:
        - name: alice
          groups: [web]
          inline_policies:
            ReadOnly: {Version: "2012-10-17", Statement: [...]}
          permissions_boundary: WebBoundary
          tags: {team: web}
      roles:
        - name: deployer
          trust_policy: {...}
          managed_policies: [arn:aws:iam::aws:policy/CloudFrontFullAccess]

Managed policies are referenced by name (defined under `managed_policies`) or by ARN; an AWS
managed policy must be defined there with its `arn` and document, since edgeward ships none.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from edgeward.errors import InputError, ModelError
from edgeward.iam.estate import Group, IamEstate, ManagedPolicy, Role, User
from edgeward.iam.policy import Policy, PolicyKind, parse_policy

PolicyDocument = dict[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NativeManagedPolicy(_Model):
    """A managed policy: `arn` defaults to a customer managed policy of the account."""

    name: str
    path: str = "/"
    arn: str | None = None
    document: PolicyDocument


class NativeNamedPolicy(_Model):
    name: str
    document: PolicyDocument


class NativeGroup(_Model):
    name: str
    path: str = "/"
    inline_policies: dict[str, PolicyDocument] = Field(default_factory=dict)
    managed_policies: list[str] = Field(default_factory=list)


class NativeUser(_Model):
    name: str
    path: str = "/"
    groups: list[str] = Field(default_factory=list)
    inline_policies: dict[str, PolicyDocument] = Field(default_factory=dict)
    managed_policies: list[str] = Field(default_factory=list)
    permissions_boundary: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class NativeRole(_Model):
    name: str
    path: str = "/"
    trust_policy: PolicyDocument | None = None
    inline_policies: dict[str, PolicyDocument] = Field(default_factory=dict)
    managed_policies: list[str] = Field(default_factory=list)
    permissions_boundary: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)


class NativeIam(_Model):
    """IAM of one account. `scp_levels`: the SCPs of each organization level, root first."""

    account: str = Field(pattern=r"^\d{12}$")
    partition: str = "aws"
    managed_policies: list[NativeManagedPolicy] = Field(default_factory=list)
    groups: list[NativeGroup] = Field(default_factory=list)
    users: list[NativeUser] = Field(default_factory=list)
    roles: list[NativeRole] = Field(default_factory=list)
    scp_levels: list[list[NativeNamedPolicy]] = Field(default_factory=list)
    rcps: list[NativeNamedPolicy] = Field(default_factory=list)

    def to_estate(self, file: str, *, place: str = "iam") -> IamEstate:
        """Build and validate the IamEstate; errors name `file` and the place under `iam:`."""
        return _Builder(self, file, place).build()


def _path(path: str) -> str:
    text = path if path.startswith("/") else f"/{path}"
    return text if text.endswith("/") else f"{text}/"


class _Builder:
    def __init__(self, model: NativeIam, file: str, place: str) -> None:
        self.model = model
        self.file = file
        self.place = place
        self.prefix = f"arn:{model.partition}:iam::{model.account}"
        self.by_name: dict[str, str] = {}

    def parse(self, document: PolicyDocument, *, name: str, kind: PolicyKind, place: str) -> Policy:
        try:
            return parse_policy(document, name=name, kind=kind, file=self.file)
        except InputError as exc:
            inner = f"{place}.{exc.place}" if exc.place else place
            raise InputError(exc.detail, file=self.file, place=inner) from None

    def ref(self, value: str, place: str) -> str:
        if value.startswith("arn:"):
            return value
        arn = self.by_name.get(value)
        if arn is None:
            raise ModelError(
                f"managed policy {value!r} is not defined under {self.place}.managed_policies",
                file=self.file,
                place=place,
            )
        return arn

    def inline(self, owner: str, policies: dict[str, PolicyDocument], place: str) -> tuple[Policy, ...]:
        return tuple(
            self.parse(doc, name=f"{owner}/{name}", kind="identity", place=f"{place}.inline_policies.{name}")
            for name, doc in policies.items()
        )

    def build(self) -> IamEstate:
        m, base = self.model, self.place
        managed: list[ManagedPolicy] = []
        for n, mp in enumerate(m.managed_policies):
            place = f"{base}.managed_policies[{n}]"
            arn = mp.arn or f"{self.prefix}:policy{_path(mp.path)}{mp.name}"
            if mp.name in self.by_name:
                raise ModelError(f"managed policy {mp.name!r} is defined twice", file=self.file, place=place)
            self.by_name[mp.name] = arn
            managed.append(
                ManagedPolicy(
                    arn,
                    mp.name,
                    self.parse(mp.document, name=arn, kind="identity", place=f"{place}.document"),
                    _path(mp.path),
                )
            )
        groups = []
        for n, g in enumerate(m.groups):
            place = f"{base}.groups[{n}]"
            groups.append(
                Group(
                    f"{self.prefix}:group{_path(g.path)}{g.name}",
                    g.name,
                    m.account,
                    _path(g.path),
                    self.inline(f"group/{g.name}", g.inline_policies, place),
                    tuple(self.ref(r, f"{place}.managed_policies") for r in g.managed_policies),
                )
            )
        users = []
        for n, u in enumerate(m.users):
            place = f"{base}.users[{n}]"
            users.append(
                User(
                    f"{self.prefix}:user{_path(u.path)}{u.name}",
                    u.name,
                    m.account,
                    _path(u.path),
                    self.inline(f"user/{u.name}", u.inline_policies, place),
                    tuple(self.ref(r, f"{place}.managed_policies") for r in u.managed_policies),
                    tuple(u.groups),
                    self.ref(u.permissions_boundary, f"{place}.permissions_boundary")
                    if u.permissions_boundary
                    else None,
                    tuple(u.tags.items()),
                )
            )
        roles = []
        for n, r in enumerate(m.roles):
            place = f"{base}.roles[{n}]"
            trust = (
                self.parse(
                    r.trust_policy, name=f"role/{r.name}/trust-policy", kind="trust", place=f"{place}.trust_policy"
                )
                if r.trust_policy is not None
                else None
            )
            roles.append(
                Role(
                    f"{self.prefix}:role{_path(r.path)}{r.name}",
                    r.name,
                    m.account,
                    _path(r.path),
                    self.inline(f"role/{r.name}", r.inline_policies, place),
                    tuple(self.ref(x, f"{place}.managed_policies") for x in r.managed_policies),
                    self.ref(r.permissions_boundary, f"{place}.permissions_boundary")
                    if r.permissions_boundary
                    else None,
                    trust,
                    tuple(r.tags.items()),
                )
            )
        scp_levels = tuple(
            tuple(
                self.parse(p.document, name=p.name, kind="scp", place=f"{base}.scp_levels[{i}][{j}].document")
                for j, p in enumerate(level)
            )
            for i, level in enumerate(m.scp_levels)
        )
        rcps = tuple(
            self.parse(p.document, name=p.name, kind="rcp", place=f"{base}.rcps[{i}].document")
            for i, p in enumerate(m.rcps)
        )
        estate = IamEstate(
            account_ids=(m.account,),
            users=tuple(users),
            groups=tuple(groups),
            roles=tuple(roles),
            managed_policies=tuple(managed),
            scp_levels=MappingProxyType({m.account: scp_levels} if scp_levels else {}),
            rcps=MappingProxyType({m.account: rcps} if rcps else {}),
        )
        problems = estate.problems()
        if problems:
            where, message = problems[0]
            raise ModelError(message, file=self.file, place=f"{base}.{where}")
        return estate
