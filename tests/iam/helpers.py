"""Small builders shared by the IAM tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from edgeward.iam.context import RequestContext
from edgeward.iam.evaluation import Decision, PolicySet, Request, evaluate
from edgeward.iam.policy import Policy, PolicyKind, parse_policy
from edgeward.iam.principal import Principal

ALICE = "arn:aws:iam::111122223333:user/alice"


def policy(
    *statements: Mapping[str, Any], kind: PolicyKind = "identity", name: str = "p", version: str | None = "2012-10-17"
) -> Policy:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return parse_policy(document, name=name, kind=kind)


def allow(action: str | Sequence[str] = "*", resource: str | Sequence[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | Sequence[str] = "*", resource: str | Sequence[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(
    principal: str,
    action: str,
    target: str,
    context: Mapping[str, str | Sequence[str]] | None = None,
    resource_account: str | None = None,
    **policies: Any,
) -> Decision:
    ctx = RequestContext.build(context or {})
    request = Request(Principal.from_arn(principal), action, target, ctx, resource_account)
    return evaluate(request, PolicySet(**policies))


def condition_holds(
    condition: Mapping[str, Any], context: Mapping[str, str | Sequence[str]] | None = None, version: str = "2012-10-17"
) -> bool:
    """Does a statement with this Condition apply to a request with this context?"""
    p = policy(allow("s3:GetObject", "*", Condition=dict(condition)), version=version)
    ctx = RequestContext.build(context or {})
    return p.statements[0].matches_request("s3:GetObject", "arn:aws:s3:::b/k", ctx)
