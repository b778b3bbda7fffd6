"""`edgeward can` and `edgeward who-can`: AWS's IAM decision, with the statements that decided it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from edgeward.cli._common import OUTPUT_FORMAT, emit_json
from edgeward.cli._live import load_source, source_argument
from edgeward.errors import InputError, UsageError
from edgeward.iam.catalog import check_request, load_catalog
from edgeward.iam.context import RequestContext
from edgeward.iam.evaluation import Decision, PolicySet, Request, derived_context, evaluate
from edgeward.iam.policy import Policy, PolicyKind, parse_policy
from edgeward.iam.principal import Principal


def _read_policy(path: str, kind: PolicyKind) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a policy JSON file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None
    return parse_policy(text, name=path, kind=kind, file=path)


def _context_pairs(raw: Sequence[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"expected KEY=VALUE, got {item!r}", place="--context")
        pairs.append((key.strip(), value))
    return pairs


def build_context(raw: Sequence[str]) -> RequestContext:
    """`--context` values: a repeated key is a set; a key AWS defines as multivalued is a set."""
    pairs = _context_pairs(raw)
    catalog = load_catalog()
    multivalued = [key for key, _ in pairs if catalog.is_multivalued_key(key)]
    return RequestContext.build(pairs, multivalued_keys=multivalued)


def _parse_principal(value: str) -> Principal:
    try:
        return Principal.from_arn(value)
    except InputError as exc:
        raise UsageError(exc.detail, place="--principal") from None


def _resource_policy_kind(action: str, resource: str) -> PolicyKind:
    """A role's resource-based policy is its trust policy (for sts:AssumeRole* and friends)."""
    parts = resource.split(":", 5)
    is_role = len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/")
    return "trust" if is_role and action.lower().startswith("sts:") else "resource"


def _describe(decision: Decision) -> list[str]:
    lines: list[str] = []
    if decision.decision == "explicit-deny":
        lines.append("denied explicitly by:")
        lines += [f"  - {s.describe()}" for s in decision.statements]
    elif decision.decision == "allowed":
        lines.append("allowed by:")
        lines += [f"  - {s.describe()}" for s in decision.statements]
    else:
        lines.append("denied implicitly:")
        lines += [f"  - {m.describe()}" for m in decision.missing_allow]
    if decision.notes:
        lines.append("notes:")
        lines += [f"  - {n}" for n in decision.notes]
    return lines


@click.command("can")
@click.option("--policy", "policies", multiple=True, metavar="FILE", help="Identity-based policy (repeatable).")
@click.option(
    "--resource-policy", metavar="FILE", help="Resource-based policy of the resource (a trust policy for a role)."
)
@click.option("--boundary", metavar="FILE", help="Permissions boundary of the user or role.")
@click.option(
    "--scp", "scps", multiple=True, metavar="FILE", help="SCP of one organization level, root first (repeatable)."
)
@click.option("--rcp", "rcps", multiple=True, metavar="FILE", help="RCP of the resource's account (repeatable).")
@click.option("--session-policy", "session_policies", multiple=True, metavar="FILE", help="Session policy.")
@click.option("--principal", required=True, metavar="ARN", help="IAM user, role, assumed-role session ARN, ...")
@click.option("--action", required=True, metavar="ACTION", help="service:ActionName")
@click.option("--resource", required=True, metavar="ARN", help='Resource ARN, or "*" for wildcard-only actions.')
@click.option(
    "--context",
    "context_values",
    multiple=True,
    metavar="KEY=VALUE",
    help="Request context key (repeat a key for several values).",
)
@click.option("--resource-account", metavar="ACCOUNT", help="Account owning the resource (default: the principal's).")
@OUTPUT_FORMAT
def can(
    policies: tuple[str, ...],
    resource_policy: str | None,
    boundary: str | None,
    scps: tuple[str, ...],
    rcps: tuple[str, ...],
    session_policies: tuple[str, ...],
    principal: str,
    action: str,
    resource: str,
    context_values: tuple[str, ...],
    resource_account: str | None,
    output_format: str,
) -> None:
    """Is PRINCIPAL allowed ACTION on RESOURCE? Prints AWS's decision and why (exit 0 for any decision)."""
    caller = _parse_principal(principal)
    if resource_account is not None and not (len(resource_account) == 12 and resource_account.isdigit()):
        raise UsageError(f"expected a 12-digit account id, got {resource_account!r}", place="--resource-account")
    context = build_context(context_values).with_defaults(derived_context(caller))
    policy_set = PolicySet(
        identity=tuple(_read_policy(p, "identity") for p in policies),
        resource=_read_policy(resource_policy, _resource_policy_kind(action, resource)) if resource_policy else None,
        boundary=_read_policy(boundary, "boundary") if boundary else None,
        session=tuple(_read_policy(p, "session") for p in session_policies),
        scp_levels=tuple((_read_policy(p, "scp"),) for p in scps),
        rcps=tuple(_read_policy(p, "rcp") for p in rcps),
    )
    request = Request(caller, action, resource, context, resource_account)
    decision = evaluate(request, policy_set)
    warnings = [w.message for w in check_request(action, resource)]
    if output_format == "json":
        payload: dict[str, Any] = {
            "decision": decision.decision,
            "principal": caller.arn,
            "principal_type": caller.kind,
            "action": action,
            "resource": resource,
            "resource_account": resource_account or caller.account,
            "statements": [s.as_dict() for s in decision.statements],
            "missing_allow": [m.as_dict() for m in decision.missing_allow],
            "notes": list(decision.notes),
            "warnings": warnings,
            "context": context.as_dict(),
        }
        emit_json(payload)
        return
    click.echo(f"{decision.decision}: {caller.arn} -> {action} on {resource}")
    for line in _describe(decision):
        click.echo(line)
    for warning in warnings:
        click.echo(f"warning: {warning}")


@click.command("who-can")
@source_argument
@click.option("--action", required=True, metavar="ACTION", help="service:ActionName")
@click.option("--resource", required=True, metavar="ARN", help='Resource ARN, or "*".')
@click.option(
    "--context",
    "context_values",
    multiple=True,
    metavar="KEY=VALUE",
    help="Request context key (repeat a key for several values).",
)
@click.option("--all", "include_denied", is_flag=True, help="List every principal with its decision.")
@OUTPUT_FORMAT
def who_can(
    source: str,
    action: str,
    resource: str,
    context_values: tuple[str, ...],
    include_denied: bool,
    output_format: str,
) -> None:
    """Which users and roles in SOURCE are allowed ACTION on RESOURCE (and by which statements)."""
    from edgeward.analysis.access import who_can as run_who_can

    context = build_context(context_values)
    snapshot = load_source(source)
    estate = getattr(snapshot, "iam", None)
    if estate is None:
        raise InputError(
            "no IAM data (expected get-account-authorization-details output or an iam: section)", file=source
        )
    results = run_who_can(estate, action, resource, context=context, include_denied=include_denied)
    warnings = [w.message for w in check_request(action, resource)]
    if output_format == "json":
        emit_json(
            {
                "action": action,
                "resource": resource,
                "principals": [r.as_dict() for r in results],
                "warnings": warnings,
            }
        )
        return
    allowed = [r for r in results if r.verdict == "allowed"]
    unknown = [r for r in results if r.verdict == "unknown"]
    unknown_text = f"; {len(unknown)} unknown (the input is incomplete for them)" if unknown else ""
    click.echo(f"{len(allowed)} principal(s) can {action} on {resource}{unknown_text}")
    for result in results:
        click.echo(f"{result.verdict}: {result.principal_type} {result.principal_arn}")
        if result.verdict == "unknown":
            click.echo(f"  known policies alone: {result.decision.decision}")
        for line in _describe(result.decision)[1:] if result.decision.allowed else _describe(result.decision):
            click.echo(f"  {line}")
        if result.incomplete:
            click.echo("  not known from the input:")
            for reason in result.incomplete:
                click.echo(f"    - {reason}")
    for warning in warnings:
        click.echo(f"warning: {warning}")


COMMANDS = [can, who_can]
