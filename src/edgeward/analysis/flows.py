"""The vocabulary of flow questions: endpoints, traffic, hops, verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from edgeward.algebra.addresses import Addresses, parse_address
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ICMP, ICMPV6, TCP, UDP, describe_ports, icmp_point, protocol_name
from edgeward.errors import UsageError
from edgeward.model.network import NetworkInterface, UnknownValue
from edgeward.model.snapshot import Snapshot

# Link-local service addresses that security groups and NACLs do not filter (facts/network.md §5).
LINK_LOCAL_SERVICES = {
    "169.254.169.253": "Amazon DNS (Route 53 Resolver)",
    "169.254.169.254": "instance metadata service (IMDS)",
    "169.254.169.123": "Amazon Time Sync Service",
    "169.254.169.250": "Windows license activation (KMS)",
    "169.254.169.251": "Windows license activation (KMS)",
    "fd00:ec2::253": "Amazon DNS (Route 53 Resolver)",
    "fd00:ec2::254": "instance metadata service (IMDS)",
    "fd00:ec2::123": "Amazon Time Sync Service",
}


def _vpc_dns_address(primary_cidr: str) -> str:
    """The Route 53 Resolver address of a VPC: the base of its primary IPv4 CIDR plus two."""
    from edgeward.algebra.addresses import format_address, parse_cidr

    _, first, _ = parse_cidr(primary_cidr)
    return format_address(4, first + 2)


def service_name(address: str, resource: str | None) -> str:
    if address in LINK_LOCAL_SERVICES:
        return LINK_LOCAL_SERVICES[address]
    return f"Amazon DNS (Route 53 Resolver) of {resource}" if resource else "link-local service"


def describe_internet_sources(snapshot: Snapshot, addresses: Addresses, limit: int = 6) -> str:
    """`any IPv4 internet address`, or the CIDRs when the set is narrower."""
    internet = snapshot.internet_addresses
    all_v4 = bool(internet.v4) and addresses.v4 == internet.v4
    all_v6 = bool(internet.v6) and addresses.v6 == internet.v6
    if all_v4 and all_v6:
        return "any internet address (IPv4 and IPv6)"
    if all_v4 and addresses.v6.is_empty():
        return "any IPv4 internet address"
    if all_v6 and addresses.v4.is_empty():
        return "any IPv6 internet address"
    return addresses.describe(limit)


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"  # depends on a value the input leaves unknown (see analysis/unknowns.py)


@dataclass(frozen=True, slots=True)
class Traffic:
    """Protocol number with a destination port, or ICMP type/code; ports ignored where AWS ignores them."""

    protocol: int
    port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None

    @property
    def point(self) -> int:
        """The value in the port dimension of the algebra (port, or type*256+code for ICMP)."""
        if self.protocol in (ICMP, ICMPV6):
            return icmp_point(self.icmp_type or 0, self.icmp_code or 0)
        if self.protocol in (TCP, UDP):
            return self.port or 0
        return 0

    @property
    def has_ports(self) -> bool:
        return self.protocol in (TCP, UDP)

    def describe(self) -> str:
        name = protocol_name(self.protocol)
        if self.protocol in (TCP, UDP):
            return f"{name} port {self.port}"
        if self.protocol in (ICMP, ICMPV6):
            return f"{name} {describe_ports(self.protocol, IntervalSet.point(self.point))}"
        return f"protocol {name}"

    def reply_point(self) -> int | None:
        """The ICMP type/code of the reply a stateless NACL must let back, or None if no reply."""
        if self.protocol == ICMP and self.icmp_type == 8:
            return icmp_point(0, 0)
        if self.protocol == ICMPV6 and self.icmp_type == 128:
            return icmp_point(129, 0)
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"protocol": protocol_name(self.protocol), "protocol_number": self.protocol}
        if self.protocol in (TCP, UDP):
            out["port"] = self.port
        if self.protocol in (ICMP, ICMPV6):
            out["icmp_type"] = self.icmp_type
            out["icmp_code"] = self.icmp_code
        return out


class EndpointKind(StrEnum):
    INTERNET = "internet"  # any internet host
    INTERNET_HOST = "internet-host"  # one address outside every VPC
    INTERFACE = "interface"  # an interface (by id, instance id, or one of its private addresses)
    PUBLIC_ADDRESS = "public-address"  # the public IPv4 / Elastic IP of an interface of the estate
    NAT_ADDRESS = "nat-address"  # the public address of a NAT gateway (accepts no new connections)
    UNOWNED = "unowned"  # an address inside a VPC that no interface owns
    LINK_LOCAL = "link-local"  # an AWS link-local service address


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: EndpointKind
    asked: str
    interface: NetworkInterface | None = None
    address: str | None = None
    resource: str | None = None  # for NAT addresses and unowned addresses: the VPC or NAT id

    def describe(self, snapshot: Snapshot) -> str:
        if self.kind is EndpointKind.INTERNET:
            return "any internet host"
        if self.kind is EndpointKind.INTERNET_HOST:
            return f"internet host {self.address}"
        if self.interface is not None:
            label = snapshot.describe_interface(self.interface)
            return f"{label} at {self.address}" if self.address else label
        if self.kind is EndpointKind.LINK_LOCAL:
            return f"{self.address} ({service_name(self.address or '', self.resource)})"
        if self.kind is EndpointKind.NAT_ADDRESS:
            return f"{self.address} (public address of {self.resource})"
        return f"{self.address} (in {self.resource}, owned by no interface)"


def resolve_endpoint(snapshot: Snapshot, text: str, option: str) -> Endpoint:
    """Turn `internet`, an address, an ENI id or an instance id into an endpoint, or a usage error."""
    value = text.strip()
    if value.lower() == "internet":
        return Endpoint(EndpointKind.INTERNET, value)
    # any id the snapshot holds, including IaC placeholders (tf:aws_instance.web, cfn:WebServer)
    if value in snapshot.interfaces:
        return Endpoint(EndpointKind.INTERFACE, value, snapshot.interfaces[value])
    if value in snapshot.primary_interface_of_instance:
        primary = snapshot.interfaces[snapshot.primary_interface_of_instance[value]]
        return Endpoint(EndpointKind.INTERFACE, value, primary)
    if value.startswith("eni-"):
        eni = snapshot.interfaces.get(value)
        if eni is None:
            raise UsageError(f"no interface {value} in the snapshot", place=option)
        return Endpoint(EndpointKind.INTERFACE, value, eni)
    if value.startswith("i-"):
        eni_id = snapshot.primary_interface_of_instance.get(value)
        if eni_id is None:
            raise UsageError(f"no instance {value} (with a network interface) in the snapshot", place=option)
        return Endpoint(EndpointKind.INTERFACE, value, snapshot.interfaces[eni_id])
    try:
        version, _ = parse_address(value)
    except ValueError:
        raise UsageError(
            f"{value!r} is not 'internet', an IP address, an interface id (eni-...) or an instance id (i-...)",
            place=option,
        ) from None
    canonical = str(Addresses.address(value).first_address())
    if canonical in LINK_LOCAL_SERVICES:
        return Endpoint(EndpointKind.LINK_LOCAL, value, address=canonical)
    owner = snapshot.interface_by_private_ip.get(canonical)
    if owner is not None:
        return Endpoint(EndpointKind.INTERFACE, value, snapshot.interfaces[owner], canonical)
    public_owner = snapshot.interface_by_public_ip.get(canonical)
    if public_owner is not None:
        return Endpoint(EndpointKind.PUBLIC_ADDRESS, value, snapshot.interfaces[public_owner], canonical)
    nat = snapshot.nat_gateway_by_public_ip.get(canonical)
    if nat is not None:
        return Endpoint(EndpointKind.NAT_ADDRESS, value, address=canonical, resource=nat)
    vpc = snapshot.vpc_of_address(canonical)
    if vpc is not None:
        if vpc.cidrs_v4 and canonical == _vpc_dns_address(vpc.cidrs_v4[0]):
            return Endpoint(EndpointKind.LINK_LOCAL, value, address=canonical, resource=vpc.id)
        return Endpoint(EndpointKind.UNOWNED, value, address=canonical, resource=vpc.id)
    del version
    return Endpoint(EndpointKind.INTERNET_HOST, value, address=canonical)


@dataclass(frozen=True, slots=True)
class Hop:
    """One component on the path and what it decided, in the order AWS applies them."""

    direction: str  # forward | return
    component: str  # security-group | network-acl | route-table | internet-gateway | nat-gateway | ...
    resource: str
    decision: str  # allow | deny | pass
    text: str
    rules: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "component": self.component,
            "resource": self.resource,
            "decision": self.decision,
            "explanation": self.text,
            "rules": list(self.rules),
        }


@dataclass(frozen=True, slots=True)
class ReachResult:
    verdict: Verdict
    source: str
    destination: str
    traffic: Traffic
    summary: str
    hops: tuple[Hop, ...]
    source_address: str | None = None
    destination_address: str | None = None
    ephemeral_ports: IntervalSet | None = None
    internet_sources: Addresses | None = None  # for --from internet: every internet source that gets through
    internet_destinations: Addresses | None = None  # for --to internet
    notes: tuple[str, ...] = field(default=())
    unknowns: tuple[UnknownValue, ...] = ()  # why the verdict is unknown

    @property
    def blocking_hop(self) -> Hop | None:
        return next((h for h in self.hops if h.decision == "deny"), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": self.verdict.value,
            "summary": self.summary,
            "from": self.source,
            "to": self.destination,
            "source_address": self.source_address,
            "destination_address": self.destination_address,
            "traffic": self.traffic.to_json(),
            "trace": [h.to_json() for h in self.hops],
        }
        if self.ephemeral_ports is not None:
            out["ephemeral_source_ports"] = self.ephemeral_ports.describe()
        if self.internet_sources is not None:
            out["internet_sources"] = self.internet_sources.to_cidrs()
        if self.internet_destinations is not None:
            out["internet_destinations"] = self.internet_destinations.to_cidrs()
        if self.notes:
            out["notes"] = list(self.notes)
        if self.unknowns:
            out["unknown_values"] = [unknown_to_json(u) for u in self.unknowns]
        return out


def unknown_to_json(unknown: UnknownValue) -> dict[str, Any]:
    return {
        "resource": unknown.resource_id,
        "attribute": unknown.attribute,
        "kind": unknown.kind.value,
        "file": unknown.source.file or None,
        "line": unknown.source.line,
        "address": unknown.source.address,
        "explanation": unknown.describe(),
    }
