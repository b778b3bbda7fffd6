"""Who makes a request: an IAM user, a role session, a federated user, the root user, a service.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from edgeward.errors import InputError

PrincipalKind = Literal[
    "user",  # arn:aws:iam::A:user/path/name
    "role",  # a session of arn:aws:iam::A:role/path/name whose session name does not matter
    "role-session",  # arn:aws:sts::A:assumed-role/role-name/session-name
    "federated-user",  # arn:aws:sts::A:federated-user/name (GetFederationToken)
    "root",  # arn:aws:iam::A:root
    "service",  # cloudfront.amazonaws.com
    "anonymous",
]

ACCOUNT_ID = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:(?P<partition>[^:]+):(?P<service>iam|sts)::(?P<account>\d{12}):(?P<rest>.+)$")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. `role_arn` is set for roles and role sessions (with the role's path if known)."""

    arn: str
    kind: PrincipalKind
    account: str | None
    partition: str = "aws"
    name: str | None = None
    role_arn: str | None = None
    parent_user_arn: str | None = None

    @property
    def is_session(self) -> bool:
        return self.kind in ("role", "role-session", "federated-user")

    @property
    def principal_arn(self) -> str | None:
        """The value of `aws:PrincipalArn`: the role's ARN for a role session."""
        if self.kind in ("role", "role-session"):
            return self.role_arn
        if self.kind in ("service", "anonymous"):
            return None
        return self.arn

    @property
    def account_root(self) -> str | None:
        if self.account is None:
            return None
        return f"arn:{self.partition}:iam::{self.account}:root"

    def chain(self) -> tuple[str, ...]:
        """The identities AWS may check for this caller, from the account down (for NotPrincipal)."""
        out: list[str] = []
        root = self.account_root
        if root is not None:
            out.append(root)
        if self.role_arn is not None:
            out.append(self.role_arn)
        if self.kind not in ("role", "root"):
            out.append(self.arn)
        return tuple(out)

    @classmethod
    def from_arn(cls, value: str) -> Principal:
        """Parse a caller from an ARN, a 12-digit account id (its root user), a service name."""
        text = value.strip()
        if ACCOUNT_ID.match(text):
            return cls(f"arn:aws:iam::{text}:root", "root", text)
        if text in ("*", "anonymous"):
            return cls("anonymous", "anonymous", None)
        if not text.startswith("arn:") and text.endswith(".amazonaws.com"):
            return cls(text, "service", None, name=text)
        match = _ARN.match(text)
        if match is None:
            raise InputError(
                f"cannot understand principal {value!r}: expected an IAM user, role, root ARN, "
                "an sts assumed-role or federated-user ARN, an account id or a service name"
            )
        partition, service, account, rest = match.group("partition", "service", "account", "rest")
        if service == "iam" and rest == "root":
            return cls(text, "root", account, partition)
        resource_type, _, path_name = rest.partition("/")
        if service == "iam" and resource_type in ("user", "role") and path_name:
            name = path_name.rsplit("/", 1)[-1]
            if resource_type == "user":
                return cls(text, "user", account, partition, name=name)
            return cls(text, "role", account, partition, name=name, role_arn=text)
        if service == "sts" and resource_type == "assumed-role" and path_name.count("/") == 1:
            role_name, session = path_name.split("/")
            role_arn = f"arn:{partition}:iam::{account}:role/{role_name}"
            return cls(text, "role-session", account, partition, name=session, role_arn=role_arn)
        if service == "sts" and resource_type == "federated-user" and path_name:
            return cls(text, "federated-user", account, partition, name=path_name)
        raise InputError(f"cannot understand principal {value!r}: unsupported ARN form")

    def username(self) -> str | None:
        """`aws:username`: present for IAM users only."""
        return self.name if self.kind == "user" else None
