"""A reproducible IAM workload: identity policies of ~10 statements with conditions, and requests.

Each policy mixes what real policies hold: wildcard actions (`s3:Get*`, `ec2:Describe*`), ARNs with
wildcards and the `${aws:username}` variable, a NotAction deny, and conditions on tags, source IPs,
TLS, MFA age, dates, prefixes and multivalued keys (ForAnyValue/ForAllValues). Requests draw an
action, a resource and a context so that all three decisions occur (allowed, explicit deny,
implicit deny). Same seed, same workload.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from edgeward.iam.context import RequestContext
from edgeward.iam.evaluation import PolicySet, Request, evaluate
from edgeward.iam.policy import Policy, parse_policy
from edgeward.iam.principal import Principal

ACCOUNT = "111122223333"
ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "ec2:DescribeInstances",
    "ec2:TerminateInstances",
    "ec2:StartInstances",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "kms:Decrypt",
    "iam:PassRole",
    "cloudfront:UpdateDistribution",
    "sqs:SendMessage",
    "lambda:InvokeFunction",
)
TEAMS = ("web", "data", "ops", "sec", "ml")
NETWORKS = ("203.0.113.0/24", "198.51.100.0/24", "10.0.0.0/8", "192.0.2.0/28")
CLIENTS = ("203.0.113.7", "198.51.100.200", "10.1.2.3", "192.0.2.9", "8.8.8.8")


@dataclass(frozen=True, slots=True)
class Workload:
    policies: tuple[Policy, ...]
    requests: tuple[tuple[Request, PolicySet], ...]

    @property
    def statements(self) -> int:
        return sum(len(p.statements) for p in self.policies)


def _statements(rng: random.Random, team: str, bucket: str) -> list[dict[str, Any]]:
    ip = rng.choice(NETWORKS)
    return [
        {
            "Sid": "ReadOwnPrefix",
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*"],
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/home/${{aws:username}}/*"],
            "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", ""]}},
        },
        {
            "Sid": "WriteFromOffice",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"IpAddress": {"aws:SourceIp": [ip, "192.0.2.0/28"]}, "Bool": {"aws:SecureTransport": "true"}},
        },
        {
            "Sid": "TeamInstances",
            "Effect": "Allow",
            "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:Describe*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        },
        {
            "Sid": "TerminateWithMfa",
            "Effect": "Allow",
            "Action": "ec2:TerminateInstances",
            "Resource": f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": str(rng.choice((300, 900, 3600)))}},
        },
        {
            "Sid": "TeamTables",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/{team}-*",
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:username}", f"{team}-*"]}},
        },
        {
            "Sid": "KmsViaS3",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*",
            "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
        },
        {
            "Sid": "PassTeamRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/{team}/*",
            "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}},
        },
        {
            "Sid": "Queues",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "lambda:InvokeFunction"],
            "Resource": [f"arn:aws:sqs:*:{ACCOUNT}:{team}-*", f"arn:aws:lambda:*:{ACCOUNT}:function:{team}-*"],
            "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
        },
        {
            "Sid": "NoDeleteOutsideHours",
            "Effect": "Deny",
            "Action": "s3:DeleteObject",
            "Resource": "*",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
        },
        {
            "Sid": "DenyWithoutTls",
            "Effect": "Deny",
            "NotAction": ["ec2:Describe*", "iam:PassRole"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
        },
    ]


def _context(rng: random.Random, action: str, team: str) -> dict[str, str | list[str]]:
    ctx: dict[str, str | list[str]] = {
        "aws:SourceIp": rng.choice(CLIENTS),
        "aws:SecureTransport": rng.choice(("true", "true", "true", "false")),
        "aws:PrincipalTag/team": team,
        "aws:CurrentTime": "2026-11-23T12:00:00Z",
    }
    if action.startswith("s3:"):
        ctx["s3:prefix"] = rng.choice(("home/alice/", "home/bob/docs/", "", "shared/"))
    if action.startswith("ec2:"):
        ctx["aws:ResourceTag/team"] = rng.choice(TEAMS)
        if rng.random() < 0.6:
            ctx["aws:MultiFactorAuthAge"] = str(rng.randrange(0, 7200))
    if action.startswith("dynamodb:"):
        ctx["dynamodb:LeadingKeys"] = rng.sample(["alice", f"{team}-x", "other"], rng.randrange(1, 3))
    if action == "kms:Decrypt":
        ctx["kms:ViaService"] = rng.choice(("s3.eu-west-1.amazonaws.com", "ec2.eu-west-1.amazonaws.com"))
    if action == "iam:PassRole":
        ctx["iam:PassedToService"] = rng.choice(("ec2.amazonaws.com", "ecs-tasks.amazonaws.com"))
    if action in ("sqs:SendMessage", "lambda:InvokeFunction"):
        ctx["aws:TagKeys"] = rng.sample(["team", "env", "owner"], rng.randrange(1, 3))
    return ctx


def _resource(rng: random.Random, action: str, team: str, bucket: str) -> str:
    service = action.split(":")[0]
    other = rng.choice(TEAMS)
    if service == "s3":
        user = rng.choice(("alice", "bob"))
        return rng.choice((f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/home/{user}/notes.txt"))
    if service == "ec2":
        return f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0{rng.randrange(10**6):06d}"
    if service == "dynamodb":
        return f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{rng.choice((team, other))}-orders"
    if service == "kms":
        return f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{rng.randrange(10**8):08d}"
    if service == "iam":
        return f"arn:aws:iam::{ACCOUNT}:role/{rng.choice((team, other))}/worker"
    if service == "sqs":
        return f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{rng.choice((team, other))}-jobs"
    if service == "lambda":
        return f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{rng.choice((team, other))}-api"
    return f"arn:aws:cloudfront::{ACCOUNT}:distribution/E{rng.randrange(10**6):06d}"


def workload(seed: int = 1, policies: int = 50, requests: int = 20_000) -> Workload:
    """`policies` identity policies (10 statements each) and `requests` requests, one policy each."""
    rng = random.Random(seed)
    built: list[tuple[Policy, str, str]] = []
    for n in range(policies):
        team = TEAMS[n % len(TEAMS)]
        bucket = f"{team}-bucket-{n}"
        document = {"Version": "2012-10-17", "Statement": _statements(rng, team, bucket)}
        built.append((parse_policy(document, name=f"{team}-policy-{n}", kind="identity"), team, bucket))
    asked: list[tuple[Request, PolicySet]] = []
    for _ in range(requests):
        policy, team, bucket = rng.choice(built)
        action = rng.choice(ACTIONS)
        user = rng.choice(("alice", "bob"))
        principal = Principal.from_arn(f"arn:aws:iam::{ACCOUNT}:user/{user}")
        context = RequestContext.build(_context(rng, action, team))
        request = Request(principal, action, _resource(rng, action, team, bucket), context)
        asked.append((request, PolicySet(identity=(policy,))))
    return Workload(tuple(p for p, _, _ in built), tuple(asked))


def measure(work: Workload, repeat: int = 3) -> dict[str, Any]:
    """Decisions per second (best of `repeat` passes over every request) and the decision mix."""
    best = float("inf")
    mix: Counter[str] = Counter()
    for _ in range(repeat):
        mix.clear()
        started = time.perf_counter()
        for request, policy_set in work.requests:
            mix[evaluate(request, policy_set).decision] += 1
        best = min(best, time.perf_counter() - started)
    return {
        "seconds": best,
        "decisions": len(work.requests),
        "per_second": len(work.requests) / best,
        "statements_per_policy": work.statements / len(work.policies),
        "mix": dict(mix),
    }


if __name__ == "__main__":  # pragma: no cover - a quick look
    print(measure(workload()))
