"""How AWS decides: one module per mechanism, each returning decisions with their evidence."""

from __future__ import annotations

from functools import cached_property

from edgeward.model.snapshot import Snapshot
from edgeward.semantics.load_balancers import LoadBalancerSemantics
from edgeward.semantics.network_acls import NetworkAclSemantics
from edgeward.semantics.routing import RoutingSemantics
from edgeward.semantics.security_groups import SecurityGroupSemantics


class Semantics:
    """The per-snapshot evaluators, created once and cached (sets computed once, reused by every query)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    @cached_property
    def groups(self) -> SecurityGroupSemantics:
        return SecurityGroupSemantics(self.snapshot)

    @cached_property
    def acls(self) -> NetworkAclSemantics:
        return NetworkAclSemantics(self.snapshot)

    @cached_property
    def routes(self) -> RoutingSemantics:
        return RoutingSemantics(self.snapshot)

    @cached_property
    def load_balancers(self) -> LoadBalancerSemantics:
        return LoadBalancerSemantics(self.snapshot)


__all__ = ["Semantics"]
