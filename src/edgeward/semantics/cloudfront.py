"""CloudFront origins: what each origin domain names in the estate, and CloudFront's origin-facing addresses.

Origin domains (shared/facts/cloudfront.md section 1; AWS endpoint name forms):
- load balancers by DNS name, ignoring case, a trailing dot and the `dualstack.` prefix;
- S3 REST endpoints `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
  `<bucket>.s3-<region>.amazonaws.com` (legacy), `<bucket>.s3.dualstack.<region>.amazonaws.com`;
- S3 website endpoints `<bucket>.s3-website-<region>.amazonaws.com` and `<bucket>.s3-website.<region>.amazonaws.com`
  (custom origins: CloudFront cannot sign requests to them, so they serve anonymous requests only);
- EC2 public DNS names `ec2-a-b-c-d.compute-1.amazonaws.com` / `ec2-a-b-c-d.<region>.compute.amazonaws.com`
  and public addresses, found through the interface that holds the address;
- Lambda function URLs `<url-id>.lambda-url.<region>.on.aws`;
- VPC origins by id (their endpoint: a load balancer ARN or an EC2 instance ARN);
- other names through the snapshot's Route 53 records (alias, CNAME, A/AAAA), followed up to 8 times.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from edgeward.algebra.addresses import Addresses
from edgeward.model.edge import (
    EdgeEstate,
    LambdaFunctionUrl,
    LoadBalancer,
    Origin,
    S3Bucket,
    VpcOrigin,
    normalise_host,
)
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot

_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d"
S3_WEBSITE = re.compile(rf"^(?P<bucket>.+)\.s3-website[.-](?P<region>{_REGION})\.amazonaws\.com(?:\.cn)?$")
S3_REST = re.compile(
    rf"^(?P<bucket>.+)\.s3(?:\.dualstack)?(?:[.-](?P<region>{_REGION}|external-1))?\.amazonaws\.com(?:\.cn)?$"
)
EC2_DNS = re.compile(
    r"^ec2-(?P<ip>\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})\.(?:compute-1|[a-z0-9-]+\.compute)\.amazonaws\.com(?:\.cn)?$"
)
LAMBDA_URL = re.compile(rf"^[a-z0-9]+\.lambda-url\.{_REGION}\.on\.aws$")
ELB_NAME = re.compile(r"\.elb\.(?:[a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?$")
EC2_INSTANCE_ARN = re.compile(r"^arn:aws[a-z-]*:ec2:[^:]*:[^:]*:instance/(?P<id>i-[A-Za-z0-9-]+)$")
NOT_MODELLED = (
    (re.compile(r"\.execute-api\.[a-z0-9-]+\.amazonaws\.com$"), "an API Gateway endpoint"),
    (re.compile(r"\.mediastore\.|\.mediapackage"), "a MediaStore / MediaPackage endpoint"),
    (re.compile(r"\.cloudfront\.net$"), "another CloudFront distribution"),
)
MAX_DNS_HOPS = 8


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an origin domain names. `kind` is `unknown` (with `missing`) when the snapshot cannot tell."""

    kind: str  # load-balancer | s3-rest | s3-website | interface | lambda-url | unknown
    via: tuple[str, ...] = ()
    load_balancer: LoadBalancer | None = None
    bucket_name: str | None = None
    bucket: S3Bucket | None = None
    bucket_region: str | None = None
    interface: NetworkInterface | None = None
    function_url: LambdaFunctionUrl | None = None
    vpc_origin: VpcOrigin | None = None
    missing: str = ""

    def describe(self) -> str:
        if self.kind == "load-balancer" and self.load_balancer is not None:
            lb = self.load_balancer
            return f"{'application' if lb.type == 'application' else lb.type} load balancer {lb.name} ({lb.scheme})"
        if self.kind in ("s3-rest", "s3-website"):
            form = "REST" if self.kind == "s3-rest" else "website"
            return f"S3 bucket {self.bucket_name} ({form} endpoint)"
        if self.kind == "interface" and self.interface is not None:
            return f"interface {self.interface.id}" + (
                f" of instance {self.interface.instance_id}" if self.interface.instance_id else ""
            )
        if self.kind == "lambda-url" and self.function_url is not None:
            return f"Lambda function URL of {self.function_url.function_name} (auth type {self.function_url.auth_type})"
        return "unknown"


def origin_dependencies(edge: EdgeEstate, dist_id: str, origin: Origin, res: Resolution) -> set[str]:
    """Ids under which an IaC loader records the unknown values an origin's verdict depends on: the origin
    itself (`<distribution id>#<origin id>`: its domain, headers, OAC), the resource it resolves to (load
    balancer ARN, bucket ARN, function ARN, VPC origin id), and the web ACLs on the load balancer."""
    ids = {f"{dist_id}#{origin.id}"}
    if origin.oac_id:
        ids.add(origin.oac_id)
    if res.vpc_origin is not None:
        ids.add(res.vpc_origin.id)
    if res.load_balancer is not None:
        ids.add(res.load_balancer.arn)
        for acl in edge.web_acls_of_resource.get(res.load_balancer.arn, ()):
            ids.add(acl)
    if res.bucket_name:
        ids.add(f"arn:aws:s3:::{res.bucket_name}")
    if res.function_url is not None:
        ids.add(res.function_url.function_arn)
    return ids


def resolve_origin(snapshot: Snapshot, edge: EdgeEstate, origin: Origin) -> Resolution:
    """The resource behind an origin, or `unknown` naming what the snapshot is missing."""
    if origin.vpc_origin_id:
        return _resolve_vpc_origin(snapshot, edge, origin.vpc_origin_id)
    return resolve_domain(snapshot, edge, origin.domain)


def _resolve_vpc_origin(snapshot: Snapshot, edge: EdgeEstate, vpc_origin_id: str) -> Resolution:
    vpc_origin = edge.vpc_origin_by_id.get(vpc_origin_id)
    if vpc_origin is None:
        return Resolution("unknown", missing=f"VPC origin {vpc_origin_id} is not in the snapshot")
    via = (f"VPC origin {vpc_origin.id} -> {vpc_origin.endpoint_arn}",)
    lb = edge.load_balancer_by_arn.get(vpc_origin.endpoint_arn)
    if lb is not None:
        return Resolution("load-balancer", via, load_balancer=lb, vpc_origin=vpc_origin)
    match = EC2_INSTANCE_ARN.match(vpc_origin.endpoint_arn)
    if match:
        eni_id = snapshot.primary_interface_of_instance.get(match.group("id"))
        if eni_id is None:
            return Resolution(
                "unknown", via, vpc_origin=vpc_origin, missing=f"instance {match.group('id')} is not in the snapshot"
            )
        return Resolution("interface", via, interface=snapshot.interfaces[eni_id], vpc_origin=vpc_origin)
    return Resolution(
        "unknown",
        via,
        vpc_origin=vpc_origin,
        missing=f"the endpoint {vpc_origin.endpoint_arn} of VPC origin {vpc_origin.id} is not in the snapshot",
    )


def resolve_domain(snapshot: Snapshot, edge: EdgeEstate, domain: str) -> Resolution:
    via: list[str] = []
    name = normalise_host(domain)
    for _ in range(MAX_DNS_HOPS):
        found = _resolve_name(snapshot, edge, name, tuple(via))
        if found is not None:
            return found
        record = edge.dns_by_name.get(name)
        if record is None or not record.targets:
            return Resolution("unknown", tuple(via), missing=_unresolved(name))
        target = normalise_host(record.targets[0])
        kind = "alias" if record.alias else record.type
        via.append(f"{name} -> {target} (Route 53 {kind} record)")
        name = target
    return Resolution("unknown", tuple(via), missing=f"{domain}: more than {MAX_DNS_HOPS} DNS records in a chain")


def _unresolved(name: str) -> str:
    if ELB_NAME.search(name):
        return f"no load balancer with DNS name {name} in the snapshot"
    if EC2_DNS.match(name):
        return f"no interface holds the public address of {name} in the snapshot"
    if LAMBDA_URL.match(name):
        return f"no Lambda function URL with host {name} in the snapshot"
    for pattern, what in NOT_MODELLED:
        if pattern.search(name):
            return f"{name} is {what}, which edgeward does not model"
    return f"no Route 53 record in the snapshot maps {name} to an AWS resource"


def _bucket(edge: EdgeEstate, kind: str, bucket: str, region: str | None, via: tuple[str, ...]) -> Resolution:
    found = edge.bucket_by_name.get(bucket)
    if found is None:
        return Resolution(kind, via, bucket_name=bucket, bucket_region=region)
    return Resolution(kind, via, bucket_name=bucket, bucket=found, bucket_region=region)


def _resolve_name(snapshot: Snapshot, edge: EdgeEstate, name: str, via: tuple[str, ...]) -> Resolution | None:
    plain = name.removeprefix("dualstack.")
    lb = edge.load_balancer_by_dns.get(plain)
    if lb is not None:
        return Resolution("load-balancer", via, load_balancer=lb)
    website = S3_WEBSITE.match(name)
    if website:
        return _bucket(edge, "s3-website", website.group("bucket"), website.group("region"), via)
    rest = S3_REST.match(name)
    if rest:
        return _bucket(edge, "s3-rest", rest.group("bucket"), rest.group("region"), via)
    url = edge.function_url_by_host.get(name)
    if url is not None:
        return Resolution("lambda-url", via, function_url=url)
    ec2 = EC2_DNS.match(name)
    address = ec2.group("ip").replace("-", ".") if ec2 else name
    try:
        ip = str(ipaddress.ip_address(address))
    except ValueError:
        return None
    owner = snapshot.interface_by_public_ip.get(ip) or (snapshot.interface_by_private_ip.get(ip) if ":" in ip else None)
    if owner is None:
        return Resolution("unknown", via, missing=f"no interface in the snapshot holds the public address {ip}")
    return Resolution("interface", (*via, f"{name} -> {ip} ({owner})"), interface=snapshot.interfaces[owner])


ORIGIN_FACING_LIST_NAMES = frozenset(
    {"com.amazonaws.global.cloudfront.origin-facing", "com.amazonaws.global.ipv6.cloudfront.origin-facing"}
)


@dataclass(frozen=True, slots=True)
class OriginFacing:
    """CloudFront's origin-facing addresses, and where they were taken from."""

    addresses: Addresses
    dated_copy: bool
    text: str


def origin_facing(snapshot: Snapshot, edge: EdgeEstate) -> OriginFacing:
    """The snapshot's `com.amazonaws.global(.ipv6).cloudfront.origin-facing` entries, completed (by the
    source) with the dated copy of AWS ip-ranges.json for a family the snapshot lacks."""
    found = [pl for pl in snapshot.prefix_lists.values() if pl.name in ORIGIN_FACING_LIST_NAMES and pl.cidrs]
    cidrs = [c for pl in found for c in pl.cidrs] + list(edge.origin_facing)
    dated = any(pl.from_dated_copy for pl in found) or bool(edge.origin_facing)
    if dated:
        text = (
            "CloudFront's origin-facing addresses come (at least in part) from the dated copy of AWS "
            f"ip-ranges.json ({edge.origin_facing_date or 'date unknown'}), not from the snapshot"
        )
    elif found:
        text = "CloudFront's origin-facing addresses come from the snapshot's managed prefix lists"
    else:
        text = "CloudFront's origin-facing addresses are unknown: every internet source counts as outside CloudFront"
    return OriginFacing(Addresses.from_cidrs(cidrs), dated, text)
