"""What a live collection asked AWS and what it could not get: the completeness of a snapshot.

A snapshot read from files has no report (`Snapshot.collection is None`). A live scan attaches one;
a failed call means the snapshot is missing what that call would have returned, so every verdict
is about the collected part of the estate only. The CLI exits 3 on such a snapshot unless
`--allow-partial` (docs/live.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CollectionFailure:
    """One call that failed: where, which IAM action, AWS's error code and message."""

    account: str
    region: str  # "global" for account-wide calls (IAM) and role assumption
    call: str  # the IAM action of the call, e.g. "ec2:DescribeSecurityGroups"
    code: str  # AWS's error code (AccessDenied, UnauthorizedOperation, ...) or the client error's name
    message: str = ""

    def describe(self) -> str:
        detail = f" ({self.message})" if self.message else ""
        return f"{self.account} {self.region} {self.call}: {self.code}{detail}"

    def to_json(self) -> dict[str, str]:
        return {
            "account": self.account,
            "region": self.region,
            "call": self.call,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class CollectionReport:
    """The accounts and regions scanned, how many calls succeeded, and every failure."""

    accounts: tuple[str, ...] = ()
    regions: tuple[tuple[str, str], ...] = ()  # (account, region) pairs scanned
    calls: int = 0  # calls that succeeded (paginated calls count once)
    failures: tuple[CollectionFailure, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, object]:
        return {
            "accounts": list(self.accounts),
            "regions": [{"account": a, "region": r} for a, r in self.regions],
            "calls": self.calls,
            "complete": self.complete,
            "failures": [f.to_json() for f in self.failures],
        }
