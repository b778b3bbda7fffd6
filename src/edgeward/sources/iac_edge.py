"""What the Terraform and CloudFormation loaders share for the edge estate (CloudFront, WAF, S3, Lambda).

Both loaders turn their resource shapes into the API's shapes and build the model with the
`aws_json` transforms (sources/aws_edge.py), so an IaC input yields exactly the objects the
`describe-*` / `get-*` outputs of the same estate would. What differs from the API:

- AWS WAF byte-match search strings are written plain in Terraform and CloudFormation (the API and
  the AWS CLI show them base64-encoded): `plain_search` puts the value as written back;
- a Lambda function's resource-based policy is the set of its permission resources: each becomes
  one statement, as `lambda add-permission` writes it (`permission_statement`).

Secret values (origin custom header values, byte-match search strings) are only ever held in
`SecretText`; no message here includes one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from edgeward.model.edge import SecretText, WafStatement

STATEMENT_KEYS = {
    "byte_match_statement": "ByteMatchStatement",
    "ip_set_reference_statement": "IPSetReferenceStatement",
    "rate_based_statement": "RateBasedStatement",
    "rule_group_reference_statement": "RuleGroupReferenceStatement",
    "managed_rule_group_statement": "ManagedRuleGroupStatement",
    "and_statement": "AndStatement",
    "or_statement": "OrStatement",
    "not_statement": "NotStatement",
    "geo_match_statement": "GeoMatchStatement",
    "regex_match_statement": "RegexMatchStatement",
    "regex_pattern_set_reference_statement": "RegexPatternSetReferenceStatement",
    "size_constraint_statement": "SizeConstraintStatement",
    "sqli_match_statement": "SqliMatchStatement",
    "xss_match_statement": "XssMatchStatement",
    "label_match_statement": "LabelMatchStatement",
    "asn_match_statement": "AsnMatchStatement",
}
ACTIONS = ("allow", "block", "count", "captcha", "challenge", "none")


def camel(name: str) -> str:
    """`single_header` -> `SingleHeader`, `uri_path` -> `UriPath`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def first_block(value: Any) -> Mapping[str, Any] | None:
    """Terraform nested blocks are lists of objects: the first, when there is one."""
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    if isinstance(value, Mapping):
        return value
    return None


def tf_action(block: Any) -> dict[str, Any] | None:
    """A Terraform action block (`action`, `override_action`, `default_action`) as the API's `{"Block": {}}`.

    Terraform lists every action key, the ones not chosen as empty lists: the chosen one is the
    non-empty one."""
    body = first_block(block)
    if body is None:
        return None
    for key in ACTIONS:
        if isinstance(body.get(key), list) and body[key]:
            return {key.capitalize(): {}}
    return None


def plain_search(statement: WafStatement, api: Mapping[str, Any]) -> WafStatement:
    """Put back the byte-match search strings as written (Terraform and CloudFormation do not encode them)."""
    if len(api) != 1:
        return statement
    kind, body = next(iter(api.items()))
    if not isinstance(body, Mapping):
        return statement
    if kind == "ByteMatchStatement" and statement.kind == "byte-match":
        value = body.get("SearchString")
        return replace(statement, search=SecretText(str(value))) if isinstance(value, str | int | float) else statement
    if kind in ("AndStatement", "OrStatement") and isinstance(body.get("Statements"), list):
        pairs = zip(statement.children, body["Statements"], strict=False)
        return replace(statement, children=tuple(plain_search(c, a) for c, a in pairs if isinstance(a, Mapping)))
    if kind == "NotStatement" and isinstance(body.get("Statement"), Mapping) and statement.children:
        return replace(statement, children=(plain_search(statement.children[0], body["Statement"]),))
    return statement


def cfn_statement(api: Any) -> Any:
    """CloudFormation's statement shape is the API's, except `Arn` where the API says `ARN`."""
    if isinstance(api, Mapping):
        out = {}
        for key, value in api.items():
            if key == "Arn" and "ARN" not in api:
                out["ARN"] = value
            else:
                out[key] = cfn_statement(value)
        return out
    if isinstance(api, list):
        return [cfn_statement(v) for v in api]
    return api


def principal_of(value: str) -> Any:
    """How `lambda add-permission` writes a principal in the policy: `*`, a service, or an account/ARN."""
    if value == "*":
        return "*"
    if value.endswith(".amazonaws.com") or value.endswith(".amazonaws.com.cn"):
        return {"Service": value}
    if value.isdigit():
        return {"AWS": f"arn:aws:iam::{value}:root"}
    return {"AWS": value}


def permission_statement(
    sid: str,
    action: str,
    principal: str,
    function_arn: str,
    *,
    source_arn: str | None = None,
    source_account: str | None = None,
    org_id: str | None = None,
    url_auth_type: str | None = None,
) -> dict[str, Any]:
    """One statement of a function's resource-based policy, as AddPermission writes it."""
    condition: dict[str, dict[str, str]] = {}
    if url_auth_type:
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = url_auth_type
    if source_account:
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = source_account
    if org_id:
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = org_id
    if source_arn:
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = source_arn
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_of(principal),
        "Action": action,
        "Resource": function_arn,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def names(values: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values if isinstance(v, str) and v)
