"""What the Terraform and CloudFormation loaders share for IAM: a draft of users, groups, roles and
managed policies, filled resource by resource, and turned into an `IamEstate`.

IaC describes IAM in pieces (a user, its group memberships, each inline policy and each attachment
are separate resources), named by name or ARN; the draft gathers them per principal. What differs
from `get-account-authorization-details`:

- a managed policy attached but not in the input (an AWS managed policy such as
  `arn:aws:iam::aws:policy/ReadOnlyAccess`, or one made elsewhere) stays attached: the estate does
  not reject it, and `IamEstate.incomplete` names it in every answer about the principal;
- a policy document unknown until the change is applied is left out and recorded in
  `IamEstate.unknowns` under the ARN of its principal (or managed policy): answers about that
  principal are `unknown`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from edgeward.iam.estate import Group, IamEstate, ManagedPolicy, Role, User
from edgeward.iam.policy import Policy

Kind = Literal["user", "group", "role"]


def iam_path(path: object) -> str:
    text = path if isinstance(path, str) and path else "/"
    text = text if text.startswith("/") else f"/{text}"
    return text if text.endswith("/") else f"{text}/"


@dataclass
class PrincipalDraft:
    kind: Kind
    name: str
    arn: str
    path: str = "/"
    inline: dict[str, Policy] = field(default_factory=dict)  # by policy name: one name, one policy
    managed: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    boundary: str | None = None
    trust: Policy | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass
class IamDraft:
    partition: str = "aws"
    account: str = "unknown"
    users: dict[str, PrincipalDraft] = field(default_factory=dict)
    groups: dict[str, PrincipalDraft] = field(default_factory=dict)
    roles: dict[str, PrincipalDraft] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)
    unknowns: dict[str, list[str]] = field(default_factory=dict)
    pending_memberships: list[tuple[str, str]] = field(default_factory=list)  # (user name, group name)

    def arn(self, kind: Literal["user", "group", "role", "policy"], path: str, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:{kind}{iam_path(path)}{name}"

    def table(self, kind: Kind) -> dict[str, PrincipalDraft]:
        return {"user": self.users, "group": self.groups, "role": self.roles}[kind]

    def principal(self, kind: Kind, name: str) -> PrincipalDraft | None:
        return self.table(kind).get(name)

    def add(self, draft: PrincipalDraft) -> PrincipalDraft:
        """A principal; loaders add every principal before its inline policies, attachments and memberships."""
        self.table(draft.kind)[draft.name] = draft
        return draft

    def unknown(self, arn: str, message: str) -> None:
        found = self.unknowns.setdefault(arn, [])
        if message not in found:
            found.append(message)

    def attach(self, kind: Kind, name: str, policy_arn: str) -> None:
        draft = self.principal(kind, name)
        if draft is not None and policy_arn not in draft.managed:
            draft.managed.append(policy_arn)

    def inline(self, kind: Kind, name: str, policy_name: str, policy: Policy | None, unknown: str | None) -> None:
        draft = self.principal(kind, name)
        if draft is None:
            return
        if policy is None:
            draft.inline.pop(policy_name, None)
            self.unknown(draft.arn, unknown or f"inline policy {policy_name} of {kind} {name} is not known")
        else:
            draft.inline[policy_name] = policy

    def member(self, user: str, group: str) -> None:
        self.pending_memberships.append((user, group))

    def finish(self) -> IamEstate | None:
        """The estate, or None when the input has no IAM resource."""
        if not (self.users or self.groups or self.roles or self.policies):
            return None
        if self.account == "unknown":
            for draft in [*self.users.values(), *self.roles.values()]:
                self.unknown(
                    draft.arn,
                    f"the account of {draft.kind} {draft.name} is not known from the input (nothing shows an ARN"
                    " or account id)",
                )
        for user, group in self.pending_memberships:
            member = self.users.get(user)
            if member is not None and group not in member.groups:
                member.groups.append(group)
        users = tuple(
            User(
                d.arn,
                d.name,
                self.account,
                d.path,
                tuple(d.inline.values()),
                tuple(d.managed),
                tuple(d.groups),
                d.boundary,
                d.tags,
            )
            for d in self.users.values()
        )
        groups = tuple(
            Group(d.arn, d.name, self.account, d.path, tuple(d.inline.values()), tuple(d.managed))
            for d in self.groups.values()
        )
        roles = tuple(
            Role(
                d.arn,
                d.name,
                self.account,
                d.path,
                tuple(d.inline.values()),
                tuple(d.managed),
                d.boundary,
                d.trust,
                d.tags,
            )
            for d in self.roles.values()
        )
        return IamEstate(
            account_ids=(self.account,),
            users=users,
            groups=groups,
            roles=roles,
            managed_policies=tuple(self.policies.values()),
            unknowns=MappingProxyType({arn: tuple(messages) for arn, messages in self.unknowns.items()}),
        )
