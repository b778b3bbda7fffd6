"""The IAM part of an estate: users, groups, roles, managed policies, and what applies to whom.

Pure: built by `sources/` from `get-account-authorization-details` output or the native format.
A user's identity policies are its inline and attached managed policies plus those of its
groups; a role's are its inline and attached managed policies. A permissions boundary is a
managed policy referenced by ARN.
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from edgeward.errors import ModelError
from edgeward.iam.policy import Policy
from edgeward.iam.principal import Principal

Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer or AWS managed policy (its default version)."""

    arn: str
    name: str
    document: Policy
    path: str = "/"

    @property
    def aws_managed(self) -> bool:
        return self.arn.split(":")[4:5] == ["aws"]


@dataclass(frozen=True, slots=True)
class Group:
    arn: str
    name: str
    account: str
    path: str = "/"
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class User:
    arn: str
    name: str
    account: str
    path: str = "/"
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    tags: Tags = ()

    def principal(self) -> Principal:
        return Principal(self.arn, "user", self.account, _partition(self.arn), name=self.name)


@dataclass(frozen=True, slots=True)
class Role:
    arn: str
    name: str
    account: str
    path: str = "/"
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    trust_policy: Policy | None = None
    tags: Tags = ()

    def principal(self) -> Principal:
        """A session of this role (any session name)."""
        return Principal(self.arn, "role", self.account, _partition(self.arn), name=self.name, role_arn=self.arn)


def _partition(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


IamPrincipal = User | Role


@dataclass(frozen=True, slots=True)
class IamEstate:
    """Every IAM user, group, role and managed policy of one or more accounts.

    `scp_levels` / `rcps` map an account id to the SCPs of each level of its organization path
    (root first) and to its RCPs; both are empty when the organization is not known.

    `unknowns` maps the ARN of a user, group, role or managed policy to the values an IaC input leaves
    unknown for it (a policy document a plan computes at apply time): every answer about a principal
    it concerns is unknown (`incomplete`).
    """

    account_ids: tuple[str, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    scp_levels: Mapping[str, tuple[tuple[Policy, ...], ...]] = field(default_factory=lambda: MappingProxyType({}))
    rcps: Mapping[str, tuple[Policy, ...]] = field(default_factory=lambda: MappingProxyType({}))
    unknowns: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    _users: Mapping[str, User] = field(init=False, repr=False, compare=False)
    _roles: Mapping[str, Role] = field(init=False, repr=False, compare=False)
    _groups: Mapping[tuple[str, str], Group] = field(init=False, repr=False, compare=False)
    _policies: Mapping[str, ManagedPolicy] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_users", MappingProxyType({u.arn: u for u in self.users}))
        object.__setattr__(self, "_roles", MappingProxyType({r.arn: r for r in self.roles}))
        object.__setattr__(self, "_groups", MappingProxyType({(g.account, g.name): g for g in self.groups}))
        object.__setattr__(self, "_policies", MappingProxyType({p.arn: p for p in self.managed_policies}))

    # --- validation -------------------------------------------------------------------------

    def problems(self) -> list[tuple[str, str]]:
        """Dangling references as (place, message)."""
        out: list[tuple[str, str]] = []

        def check_policies(place: str, arns: tuple[str, ...]) -> None:
            for arn in arns:
                if arn not in self._policies:
                    out.append((place, f"managed policy {arn} is attached but its document is not in the estate"))

        for user in self.users:
            place = f"users[{user.name}]"
            check_policies(place, user.managed_policy_arns)
            for group in user.group_names:
                if (user.account, group) not in self._groups:
                    out.append((place, f"group {group!r} does not exist"))
            if user.permissions_boundary_arn is not None:
                check_policies(place, (user.permissions_boundary_arn,))
        for each in self.groups:
            check_policies(f"groups[{each.name}]", each.managed_policy_arns)
        for role in self.roles:
            place = f"roles[{role.name}]"
            check_policies(place, role.managed_policy_arns)
            if role.permissions_boundary_arn is not None:
                check_policies(place, (role.permissions_boundary_arn,))
        return out

    def validated(self, file: str | None = None) -> IamEstate:
        """This estate, or a ModelError naming the first dangling reference."""
        problems = self.problems()
        if problems:
            place, message = problems[0]
            raise ModelError(message, file=file, place=place)
        return self

    # --- lookups ----------------------------------------------------------------------------

    def user(self, arn: str) -> User | None:
        return self._users.get(arn)

    def role(self, arn: str) -> Role | None:
        return self._roles.get(arn)

    def group(self, account: str, name: str) -> Group | None:
        return self._groups.get((account, name))

    def managed_policy(self, arn: str) -> ManagedPolicy | None:
        return self._policies.get(arn)

    def principals(self) -> Iterator[IamPrincipal]:
        """Every user, then every role, in a stable order."""
        yield from sorted(self.users, key=lambda u: u.arn)
        yield from sorted(self.roles, key=lambda r: r.arn)

    def groups_of(self, user: User) -> tuple[Group, ...]:
        return tuple(g for name in user.group_names if (g := self._groups.get((user.account, name))) is not None)

    def members_of(self, group: Group) -> tuple[User, ...]:
        return tuple(u for u in self.users if u.account == group.account and group.name in u.group_names)

    def _managed(self, arns: tuple[str, ...]) -> tuple[Policy, ...]:
        return tuple(p.document for arn in arns if (p := self._policies.get(arn)) is not None)

    def identity_policies(self, principal: IamPrincipal) -> tuple[Policy, ...]:
        """Inline and attached managed policies, and for a user those of its groups."""
        policies = [*principal.inline_policies, *self._managed(principal.managed_policy_arns)]
        if isinstance(principal, User):
            for group in self.groups_of(principal):
                policies.extend(group.inline_policies)
                policies.extend(self._managed(group.managed_policy_arns))
        return tuple(policies)

    def permissions_boundary(self, principal: IamPrincipal) -> Policy | None:
        arn = principal.permissions_boundary_arn
        if arn is None:
            return None
        managed = self._policies.get(arn)
        return None if managed is None else managed.document

    def incomplete(self, principal: IamPrincipal) -> tuple[str, ...]:
        """Why this estate cannot decide for `principal`: unknown values (its own, its groups', those of
        its managed policies and boundary) and attached policies or groups not in the input."""
        kind = "user" if isinstance(principal, User) else "role"
        owner = f"{kind} {principal.name}"
        out: list[str] = list(self.unknowns.get(principal.arn, ()))

        def managed(arns: tuple[str, ...], via: str) -> None:
            for arn in arns:
                if arn in self.unknowns:
                    out.extend(self.unknowns[arn])
                elif arn not in self._policies:
                    out.append(
                        f"policy {arn} attached to {via} is not in the input; {principal.name}'s access may be larger"
                        " (or smaller, if it denies)"
                    )

        managed(principal.managed_policy_arns, owner)
        if isinstance(principal, User):
            for name in principal.group_names:
                group = self._groups.get((principal.account, name))
                if group is None:
                    out.append(f"group {name} of {owner} is not in the input; {principal.name}'s access may be larger")
                    continue
                out.extend(self.unknowns.get(group.arn, ()))
                managed(group.managed_policy_arns, f"group {name} of {owner}")
        if principal.permissions_boundary_arn is not None:
            arn = principal.permissions_boundary_arn
            if arn in self.unknowns:
                out.extend(self.unknowns[arn])
            elif arn not in self._policies:
                out.append(
                    f"permissions boundary {arn} of {owner} is not in the input; it is not applied, so"
                    f" {principal.name}'s access may be smaller"
                )
        return tuple(dict.fromkeys(out))

    def scp_levels_for(self, account: str) -> tuple[tuple[Policy, ...], ...]:
        return self.scp_levels.get(account, ())

    def rcps_for(self, account: str) -> tuple[Policy, ...]:
        return self.rcps.get(account, ())
