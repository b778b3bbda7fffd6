"""Routing as AWS decides it (shared/facts/network.md section 7).

- A subnet uses its explicitly associated route table, else the VPC's main table.
- Longest prefix match over the table's routes; a prefix-list destination matches its entries.
- Every table has the local route(s) for the VPC CIDRs (added implicitly when the input omits them).
- Blackhole routes drop traffic; a peering route only forwards over an active peering whose other
  side holds the destination.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgeward.algebra.addresses import NONE, Addresses, parse_address, parse_cidr
from edgeward.algebra.intervals import IntervalSet
from edgeward.model.network import Route, RouteTable, RouteTarget
from edgeward.model.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class RouteDecision:
    table: RouteTable | None
    route: Route | None  # None: no route matched (or no table)
    text: str

    @property
    def target(self) -> RouteTarget | None:
        return self.route.target if self.route else None


class RoutingSemantics:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._partition: dict[str, list[tuple[Addresses, Route]]] = {}

    def table_of_subnet(self, subnet_id: str) -> RouteTable | None:
        table_id = self.snapshot.route_table_of_subnet.get(subnet_id)
        return self.snapshot.route_tables.get(table_id) if table_id else None

    def _routes_with_prefixes(self, table: RouteTable) -> list[tuple[int, int, int, int, Route]]:
        """(version, first, last, prefix length, route) for every destination of every route."""
        out: list[tuple[int, int, int, int, Route]] = []
        has_local = any(r.target is RouteTarget.LOCAL for r in table.routes)
        routes = list(table.routes)
        if not has_local:
            vpc = self.snapshot.vpcs.get(table.vpc_id)
            if vpc is not None:
                for cidr in vpc.cidrs_v4 + vpc.cidrs_v6:
                    routes.append(
                        Route(destination=cidr, target=RouteTarget.LOCAL, target_id="local", origin="implicit")
                    )
        for route in routes:
            cidrs: tuple[str, ...]
            if route.destination is not None:
                cidrs = (route.destination,)
            else:
                pl = self.snapshot.prefix_lists.get(route.destination_prefix_list_id or "")
                cidrs = pl.cidrs if pl else ()
            for cidr in cidrs:
                version, first, last = parse_cidr(cidr)
                bits = 32 if version == 4 else 128
                length = bits - (last - first + 1).bit_length() + 1
                out.append((version, first, last, length, route))
        return out

    def lookup(self, table: RouteTable | None, address: str) -> RouteDecision:
        """Longest prefix match for one destination address."""
        if table is None:
            return RouteDecision(None, None, "no route table in the snapshot for this subnet")
        version, value = parse_address(address)
        best: tuple[int, Route] | None = None
        for v, first, last, length, route in self._routes_with_prefixes(table):
            if v == version and first <= value <= last and (best is None or length > best[0]):
                best = (length, route)
        if best is None:
            return RouteDecision(table, None, f"route table {table.id} has no route to {address}")
        route = best[1]
        return RouteDecision(table, route, f"route table {table.id}: {route.describe()} (longest prefix match)")

    def partition(self, table: RouteTable) -> list[tuple[Addresses, Route]]:
        """Every destination address, split by the route that longest-prefix match picks for it."""
        cached = self._partition.get(table.id)
        if cached is not None:
            return cached
        remaining = Addresses.everything()
        by_route: dict[int, tuple[Addresses, Route]] = {}
        entries = sorted(self._routes_with_prefixes(table), key=lambda e: -e[3])
        for version, first, last, _length, route in entries:
            span = IntervalSet.span(first, last)
            block = Addresses(span, NONE.v6) if version == 4 else Addresses(NONE.v4, span)
            won = block & remaining
            if won.is_empty():
                continue
            remaining = remaining - won
            previous = by_route.get(id(route))
            by_route[id(route)] = ((previous[0] | won) if previous else won, route)
        result = list(by_route.values())
        self._partition[table.id] = result
        return result

    def addresses_routed_to(
        self, table: RouteTable | None, kinds: set[RouteTarget], target_id: str | None = None
    ) -> Addresses:
        """Destinations whose chosen route (not blackholed) goes to a target of these kinds."""
        if table is None:
            return NONE
        out = NONE
        for block, route in self.partition(table):
            if route.target in kinds and not route.blackhole and (target_id is None or route.target_id == target_id):
                out = out | block
        return out
