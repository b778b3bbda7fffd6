"""What the Terraform and CloudFormation loaders share: mutable drafts of the estate, and the
resources AWS creates without being asked, so an IaC estate yields the model objects that
`describe-*` outputs of the same estate would.

Loaders fill an `EstateDraft` resource by resource (rules, routes and associations may arrive as
separate resources, in any order), then `finish()` freezes it into a `NetworkEstate`, adding:

- per VPC: the main route table (unless one is declared or made main), the default network ACL
  (rule 100 allow 0.0.0.0/0, rule 101 allow ::/0 when the VPC has IPv6, then `*`), and the default
  security group (inbound from itself, outbound to 0.0.0.0/0 and ::/0 with IPv6), unless the input
  manages them (Terraform `aws_default_*`);
- the local routes of every route table, one per VPC CIDR, first, as describe-route-tables lists them;
- the `*` deny entries of every NACL (32767 for IPv4; 32768 for IPv6 in a VPC with IPv6);
- explicit NACL associations for every subnet (the default NACL for subnets without one);
- the allow-all egress of a new security group where the source says AWS keeps it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from edgeward.model.edge import (
    Distribution,
    DnsRecord,
    EdgeEstate,
    IpSet,
    LambdaFunctionUrl,
    Listener,
    ListenerRule,
    LoadBalancer,
    OriginAccessControl,
    PublicAccessBlock,
    S3Bucket,
    Target,
    TargetGroup,
    VpcOrigin,
    WebAcl,
    WebAclAssociation,
)
from edgeward.model.network import (
    GroupReference,
    Instance,
    InternetGateway,
    NaclEntry,
    NatGateway,
    NetworkAcl,
    NetworkEstate,
    NetworkInterface,
    PeeringConnection,
    PeeringSide,
    PeerKind,
    PrefixList,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
    SourceRef,
    Subnet,
    UnknownKind,
    UnknownValue,
    Vpc,
)

NACL_DENY_V4, NACL_DENY_V6 = 32767, 32768
BOTH = (True, False)  # egress, ingress
Tags = tuple[tuple[str, str], ...]


@dataclass
class VpcDraft:
    id: str
    source: SourceRef
    cidrs_v4: list[str] = field(default_factory=list)
    cidrs_v6: list[str] = field(default_factory=list)
    tags: Tags = ()
    is_default: bool = False
    # ids of what AWS creates with the VPC (real ids, or placeholders derived from the VPC's)
    main_table_id: str = ""
    default_acl_id: str = ""
    default_group_id: str = ""
    ipv6_unknown: bool = False  # an IPv6 block is coming, but its value is not known


@dataclass
class SubnetDraft:
    id: str
    vpc_id: str
    source: SourceRef
    cidr_v4: str | None = None
    cidrs_v6: list[str] = field(default_factory=list)
    availability_zone: str = ""
    map_public_ip_on_launch: bool = False
    tags: Tags = ()


@dataclass
class RouteTableDraft:
    id: str
    vpc_id: str
    source: SourceRef
    routes: list[Route] = field(default_factory=list)
    tags: Tags = ()
    is_default: bool = False  # the VPC's original main table (Terraform aws_default_route_table)


@dataclass
class AclDraft:
    id: str
    vpc_id: str
    source: SourceRef
    entries: list[NaclEntry] = field(default_factory=list)
    is_default: bool = False
    tags: Tags = ()


@dataclass
class GroupDraft:
    id: str
    name: str
    vpc_id: str
    source: SourceRef
    description: str = ""
    ingress: list[SecurityGroupRule] = field(default_factory=list)
    egress: list[SecurityGroupRule] = field(default_factory=list)
    tags: Tags = ()
    # egress of a new group when the input declares none inline: "aws" (AWS's allow-all, with ::/0
    # in a VPC with IPv6), "none", or "unknown" (whether AWS adds ::/0 depends on creation order:
    # the IPv4 rule only, and the loader records an UnknownValue)
    default_egress: str = "none"
    egress_declared: bool = False


@dataclass
class InterfaceDraft:
    id: str
    subnet_id: str
    source: SourceRef
    private_ipv4s: list[str] = field(default_factory=list)
    ipv6s: list[str] = field(default_factory=list)
    public_ipv4s: list[str] = field(default_factory=list)
    group_ids: list[str] = field(default_factory=list)
    instance_id: str | None = None
    device_index: int | None = None
    description: str = ""
    interface_type: str = "interface"
    tags: Tags = ()


@dataclass
class InstanceDraft:
    id: str
    source: SourceRef
    interface_ids: list[str] = field(default_factory=list)
    state: str = "running"
    tags: Tags = ()


@dataclass
class NatDraft:
    id: str
    subnet_id: str
    source: SourceRef
    private_ips: list[str] = field(default_factory=list)
    public_ips: list[str] = field(default_factory=list)
    connectivity: str = "public"


@dataclass
class AddressDraft:
    """An Elastic IP and what it is associated with (an interface, or an instance's primary interface)."""

    id: str
    source: SourceRef
    public_ip: str | None = None
    interface_id: str | None = None
    instance_id: str | None = None
    private_ip: str | None = None


@dataclass
class PeeringDraft:
    id: str
    requester_vpc: str
    accepter_vpc: str
    source: SourceRef
    status: str = "active"
    requester_account: str | None = None
    accepter_account: str | None = None
    accepter_region: str | None = None


@dataclass
class EstateDraft:
    """The estate while a loader reads it; ids are AWS ids where known, else stable placeholders."""

    account: str = "unknown"
    region: str = "unknown"
    vpcs: dict[str, VpcDraft] = field(default_factory=dict)
    subnets: dict[str, SubnetDraft] = field(default_factory=dict)
    route_tables: dict[str, RouteTableDraft] = field(default_factory=dict)
    table_of_subnet: dict[str, str] = field(default_factory=dict)
    main_table_of_vpc: dict[str, str] = field(default_factory=dict)
    gateways: dict[str, InternetGateway] = field(default_factory=dict)
    gateway_vpcs: dict[str, list[str]] = field(default_factory=dict)
    nats: dict[str, NatDraft] = field(default_factory=dict)
    peerings: dict[str, PeeringDraft] = field(default_factory=dict)
    acls: dict[str, AclDraft] = field(default_factory=dict)
    acl_of_subnet: dict[str, str] = field(default_factory=dict)
    groups: dict[str, GroupDraft] = field(default_factory=dict)
    interfaces: dict[str, InterfaceDraft] = field(default_factory=dict)
    instances: dict[str, InstanceDraft] = field(default_factory=dict)
    addresses: list[AddressDraft] = field(default_factory=list)
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)
    prefix_list_entries: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unknowns: list[UnknownValue] = field(default_factory=list)

    # -- recording --------------------------------------------------------------------------
    def unknown(self, resource_id: str, attribute: str, kind: UnknownKind, source: SourceRef) -> None:
        value = UnknownValue(resource_id, attribute, kind, source)
        if value not in self.unknowns:
            self.unknowns.append(value)

    def add_route(self, table_id: str, route: Route) -> None:
        table = self.route_tables[table_id]
        table.routes.append(route)

    def vpc_has_ipv6(self, vpc_id: str) -> bool:
        vpc = self.vpcs.get(vpc_id)
        return vpc is not None and (bool(vpc.cidrs_v6) or vpc.ipv6_unknown)

    # -- freezing ---------------------------------------------------------------------------
    def finish(self) -> NetworkEstate:
        self._add_vpc_defaults()
        vpcs = tuple(
            Vpc(
                id=v.id,
                account=self.account,
                region=self.region,
                cidrs_v4=tuple(v.cidrs_v4),
                cidrs_v6=tuple(v.cidrs_v6),
                is_default=v.is_default,
                tags=v.tags,
                source=v.source,
            )
            for v in self.vpcs.values()
        )
        subnets = tuple(
            Subnet(
                id=s.id,
                vpc_id=s.vpc_id,
                account=self.account,
                region=self.region,
                cidr_v4=s.cidr_v4,
                cidrs_v6=tuple(s.cidrs_v6),
                availability_zone=s.availability_zone,
                map_public_ip_on_launch=s.map_public_ip_on_launch,
                tags=s.tags,
                source=s.source,
            )
            for s in self.subnets.values()
        )
        return NetworkEstate(
            vpcs=vpcs,
            subnets=subnets,
            route_tables=self._route_tables(),
            internet_gateways=tuple(
                InternetGateway(
                    id=g.id,
                    vpc_ids=tuple(dict.fromkeys(self.gateway_vpcs.get(g.id, []))),
                    account=self.account,
                    region=self.region,
                    egress_only=g.egress_only,
                    source=g.source,
                )
                for g in self.gateways.values()
            ),
            nat_gateways=tuple(
                NatGateway(
                    id=n.id,
                    vpc_id=self.subnets[n.subnet_id].vpc_id if n.subnet_id in self.subnets else "",
                    subnet_id=n.subnet_id,
                    account=self.account,
                    region=self.region,
                    private_ips=tuple(n.private_ips),
                    public_ips=tuple(n.public_ips),
                    connectivity=n.connectivity,
                    source=n.source,
                )
                for n in self.nats.values()
            ),
            peering_connections=self._peerings(),
            network_interfaces=self._interfaces(),
            instances=tuple(
                Instance(
                    id=i.id,
                    account=self.account,
                    region=self.region,
                    interface_ids=tuple(i.interface_ids),
                    state=i.state,
                    tags=i.tags,
                    source=i.source,
                )
                for i in self.instances.values()
            ),
            security_groups=self._groups(),
            prefix_lists=tuple(
                PrefixList(
                    id=p.id,
                    name=p.name,
                    cidrs=p.cidrs + tuple(self.prefix_list_entries.get(p.id, ())),
                    max_entries=p.max_entries,
                    owner=p.owner,
                    address_family=p.address_family,
                    source=p.source,
                )
                for p in self.prefix_lists.values()
            ),
            network_acls=self._acls(),
            notes=tuple(self.notes),
            unknowns=tuple(self.unknowns),
        )

    def _add_vpc_defaults(self) -> None:
        for vpc in self.vpcs.values():
            if vpc.main_table_id and vpc.main_table_id not in self.route_tables:
                self.route_tables[vpc.main_table_id] = RouteTableDraft(
                    vpc.main_table_id, vpc.id, _created_by_aws(vpc.source, "main route table"), is_default=True
                )
            if vpc.default_acl_id and vpc.default_acl_id not in self.acls:
                entries = [
                    NaclEntry(100, e, True, -1, "0.0.0.0/0", position="100 (default NACL)") for e in (True, False)
                ]
                if self.vpc_has_ipv6(vpc.id):
                    entries += [
                        NaclEntry(101, e, True, -1, "::/0", position="101 (default NACL)") for e in (True, False)
                    ]
                self.acls[vpc.default_acl_id] = AclDraft(
                    vpc.default_acl_id,
                    vpc.id,
                    _created_by_aws(vpc.source, "default network ACL"),
                    entries=entries,
                    is_default=True,
                )
            if vpc.default_group_id and vpc.default_group_id not in self.groups:
                gid = vpc.default_group_id
                source = _created_by_aws(vpc.source, "default security group")
                group = GroupDraft(gid, "default", vpc.id, source, description="default VPC security group")
                group.ingress.append(
                    SecurityGroupRule(
                        gid,
                        False,
                        -1,
                        None,
                        None,
                        PeerKind.SECURITY_GROUP,
                        group=GroupReference(gid),
                        position="default rule",
                    )
                )
                group.egress.extend(_allow_all_egress(gid, self.vpc_has_ipv6(vpc.id), "default rule"))
                group.egress_declared = True
                self.groups[gid] = group

    def _route_tables(self) -> tuple[RouteTable, ...]:
        main: dict[str, str] = {}
        for vpc in self.vpcs.values():
            if vpc.main_table_id:
                main[vpc.id] = vpc.main_table_id
        main.update(self.main_table_of_vpc)
        subnets_of: dict[str, list[str]] = {}
        for subnet_id, table_id in self.table_of_subnet.items():
            subnets_of.setdefault(table_id, []).append(subnet_id)
        out = []
        for table in self.route_tables.values():
            owner = self.vpcs.get(table.vpc_id)
            local = {r.destination: r for r in table.routes if r.target is RouteTarget.LOCAL}
            routes: list[Route] = []
            for cidr in (owner.cidrs_v4 + owner.cidrs_v6) if owner is not None else []:
                routes.append(local.pop(cidr, Route(cidr, RouteTarget.LOCAL, "local", origin="CreateRouteTable")))
            routes += list(local.values())
            routes += [r for r in table.routes if r.target is not RouteTarget.LOCAL]
            out.append(
                RouteTable(
                    id=table.id,
                    vpc_id=table.vpc_id,
                    account=self.account,
                    region=self.region,
                    routes=tuple(_reindex(routes)),
                    subnet_ids=tuple(s for s in subnets_of.get(table.id, []) if s in self.subnets),
                    is_main=main.get(table.vpc_id) == table.id,
                    tags=table.tags,
                    source=table.source,
                )
            )
        return tuple(out)

    def _acls(self) -> tuple[NetworkAcl, ...]:
        defaults = {a.vpc_id: a.id for a in self.acls.values() if a.is_default}
        chosen: dict[str, list[str]] = {}
        for subnet in self.subnets.values():
            acl_id = self.acl_of_subnet.get(subnet.id) or defaults.get(subnet.vpc_id)
            if acl_id:
                chosen.setdefault(acl_id, []).append(subnet.id)
        out = []
        for acl in self.acls.values():
            entries: list[NaclEntry] = []
            for egress in (True, False):
                mine = [e for e in acl.entries if e.egress == egress and e.rule_number < NACL_DENY_V4]
                mine.append(NaclEntry(NACL_DENY_V4, egress, False, -1, "0.0.0.0/0", position="* (implicit)"))
                if self.vpc_has_ipv6(acl.vpc_id):
                    mine.append(NaclEntry(NACL_DENY_V6, egress, False, -1, "::/0", position="* (implicit)"))
                entries.extend(sorted(mine, key=lambda e: e.rule_number))
            out.append(
                NetworkAcl(
                    id=acl.id,
                    vpc_id=acl.vpc_id,
                    account=self.account,
                    region=self.region,
                    entries=tuple(entries),
                    subnet_ids=tuple(chosen.get(acl.id, ())),
                    is_default=acl.is_default,
                    tags=acl.tags,
                    source=acl.source,
                )
            )
        return tuple(out)

    def _owned(self, rules: list[SecurityGroupRule]) -> tuple[SecurityGroupRule, ...]:
        """References to groups of this estate name their owner, as describe-security-groups does."""
        if self.account == "unknown":
            return tuple(rules)
        return tuple(
            replace(r, group=replace(r.group, user_id=self.account))
            if r.group is not None and r.group.user_id is None and r.group.group_id in self.groups
            else r
            for r in rules
        )

    def _groups(self) -> tuple[SecurityGroup, ...]:
        out = []
        for group in self.groups.values():
            egress = list(group.egress)
            if not group.egress_declared and group.default_egress != "none":
                # AWS's allow-all egress of a new group, kept beside rules added by separate resources;
                # "unknown": whether it has ::/0 depends on creation order, and an UnknownValue says so
                ipv6 = group.default_egress == "aws" and self.vpc_has_ipv6(group.vpc_id)
                egress = _allow_all_egress(group.id, ipv6, "AWS default: allow all") + egress
            out.append(
                SecurityGroup(
                    id=group.id,
                    name=group.name,
                    vpc_id=group.vpc_id,
                    account=self.account,
                    region=self.region,
                    ingress=self._owned(group.ingress),
                    egress=self._owned(egress),
                    description=group.description,
                    tags=group.tags,
                    source=group.source,
                )
            )
        return tuple(out)

    def _interfaces(self) -> tuple[NetworkInterface, ...]:
        publics: dict[str, list[tuple[str | None, str]]] = {}
        for address in self.addresses:
            if address.public_ip is None:
                continue
            eni_id = address.interface_id
            if eni_id is None and address.instance_id in self.instances:
                ids = self.instances[address.instance_id].interface_ids
                eni_id = ids[0] if ids else None
            if eni_id is not None:
                publics.setdefault(eni_id, []).append((address.private_ip, address.public_ip))
        out = []
        for eni in self.interfaces.values():
            public = list(eni.public_ipv4s)
            for private_ip, public_ip in publics.get(eni.id, []):
                # an Elastic IP on the primary address replaces the auto-assigned public IPv4
                primary = private_ip is None or (eni.private_ipv4s[:1] == [private_ip])
                if primary:
                    public = [public_ip] + [p for p in public[1:] if p != public_ip]
                elif public_ip not in public:
                    public.append(public_ip)
            subnet = self.subnets.get(eni.subnet_id)
            groups = []
            for gid in dict.fromkeys(eni.group_ids):
                if gid in self.groups:
                    groups.append(gid)
                else:  # an existing group the input does not describe: its rules are not known
                    self.unknown(eni.id, f"security group {gid} (not in this input)", UnknownKind.RULES, eni.source)
            out.append(
                NetworkInterface(
                    id=eni.id,
                    vpc_id=subnet.vpc_id if subnet else "",
                    subnet_id=eni.subnet_id,
                    account=self.account,
                    region=self.region,
                    private_ipv4s=tuple(eni.private_ipv4s),
                    ipv6s=tuple(eni.ipv6s),
                    public_ipv4s=tuple(public),
                    group_ids=tuple(groups),
                    instance_id=eni.instance_id,
                    device_index=eni.device_index,
                    interface_type=eni.interface_type,
                    description=eni.description,
                    tags=eni.tags,
                    source=eni.source,
                )
            )
        return tuple(out)

    def _peerings(self) -> tuple[PeeringConnection, ...]:
        out = []
        for p in self.peerings.values():
            sides = []
            for vpc_id, account, region in (
                (p.requester_vpc, p.requester_account, None),
                (p.accepter_vpc, p.accepter_account, p.accepter_region),
            ):
                vpc = self.vpcs.get(vpc_id)
                sides.append(
                    PeeringSide(
                        vpc_id=vpc_id,
                        account=account or self.account,
                        region=region or self.region,
                        cidrs=tuple(vpc.cidrs_v4 + vpc.cidrs_v6) if vpc else (),
                    )
                )
            out.append(
                PeeringConnection(id=p.id, requester=sides[0], accepter=sides[1], status=p.status, source=p.source)
            )
        return tuple(out)


def _created_by_aws(source: SourceRef, what: str) -> SourceRef:
    return SourceRef(
        file=source.file, place=f"{source.place} ({what}, as AWS creates it)", line=source.line, address=source.address
    )


def _allow_all_egress(group_id: str, ipv6: bool, position: str) -> list[SecurityGroupRule]:
    return [
        SecurityGroupRule(group_id, True, -1, None, None, PeerKind.CIDR, cidr=cidr, position=position)
        for cidr in ("0.0.0.0/0", "::/0")[: 2 if ipv6 else 1]
    ]


def _reindex(routes: list[Route]) -> list[Route]:
    return [replace(r, index=i) for i, r in enumerate(routes)]


# -- the edge estate ---------------------------------------------------------------------------
@dataclass
class BucketDraft:
    """An S3 bucket while a loader reads it: the bucket, its policy, Block Public Access and website
    configuration may come from separate resources, in any order."""

    name: str
    source: SourceRef
    region: str | None = None
    policy: str | None = None
    policy_known: bool = True  # an IaC input describes the whole bucket: no policy resource, no policy
    public_access_block: PublicAccessBlock | None = None
    website: bool = False
    redirect_all: str | None = None


@dataclass
class FunctionPermission:
    """One `aws_lambda_permission` / `AWS::Lambda::Permission`: a statement of the function's resource policy."""

    function: str  # the function's ARN or name, as the permission names it
    statement: dict[str, object]


@dataclass
class EdgeDraft:
    """The edge estate while a loader reads it: CloudFront, Elastic Load Balancing v2, WAF, S3, Lambda."""

    load_balancers: dict[str, LoadBalancer] = field(default_factory=dict)
    listeners: dict[str, Listener] = field(default_factory=dict)
    rules: dict[str, list[ListenerRule]] = field(default_factory=dict)
    rules_unknown: set[str] = field(default_factory=set)  # listeners with a rule not fully known
    target_groups: dict[str, TargetGroup] = field(default_factory=dict)
    targets: dict[str, list[Target]] = field(default_factory=dict)
    distributions: dict[str, Distribution] = field(default_factory=dict)
    oacs: dict[str, OriginAccessControl] = field(default_factory=dict)
    vpc_origins: dict[str, VpcOrigin] = field(default_factory=dict)
    web_acls: dict[str, WebAcl] = field(default_factory=dict)
    ip_sets: dict[str, IpSet] = field(default_factory=dict)
    associations: list[WebAclAssociation] = field(default_factory=list)
    buckets: dict[str, BucketDraft] = field(default_factory=dict)
    function_urls: dict[str, LambdaFunctionUrl] = field(default_factory=dict)
    permissions: list[FunctionPermission] = field(default_factory=list)
    function_aliases: dict[str, str] = field(default_factory=dict)  # function name or placeholder -> the URL's key
    dns_records: list[DnsRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def bucket(self, name: str, source: SourceRef) -> BucketDraft:
        if name not in self.buckets:
            self.buckets[name] = BucketDraft(name, source)
        return self.buckets[name]

    def _function_policy(self, url: LambdaFunctionUrl) -> str | None:
        names = {url.function_arn, url.function_name}
        names |= {k for k, v in self.function_aliases.items() if v in names}
        statements = [p.statement for p in self.permissions if p.function in names]
        if not statements:
            return None
        return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements})

    def finish(self, account: str = "unknown") -> EdgeEstate:
        """Listeners get their rules (None when one is not known: the analyses then say `unknown`);
        target groups their targets and the load balancers that forward to them."""
        listeners = []
        for listener in self.listeners.values():
            if listener.load_balancer_arn not in self.load_balancers:
                self.notes.append(f"listener {listener.source.address}: its load balancer is not in the estate")
                continue
            rules = None if listener.arn in self.rules_unknown else tuple(self.rules.get(listener.arn, ()))
            listeners.append(replace(listener, rules=rules))
        users: dict[str, list[str]] = {}
        for listener in listeners:
            actions = list(listener.default_actions) + [a for r in listener.rules or () for a in r.actions]
            for action in actions:
                for arn in action.target_group_arns:
                    bucket = users.setdefault(arn, [])
                    if listener.load_balancer_arn not in bucket:
                        bucket.append(listener.load_balancer_arn)
        groups = tuple(
            replace(tg, load_balancer_arns=tuple(users.get(tg.arn, ())), targets=tuple(self.targets.get(tg.arn, ())))
            for tg in self.target_groups.values()
        )
        buckets = tuple(
            S3Bucket(
                name=b.name,
                account=account,
                region=b.region,
                policy=b.policy,
                policy_known=b.policy_known,
                public_access_block=b.public_access_block,
                website=b.website,
                website_redirect_all=b.redirect_all,
                source=b.source,
            )
            for b in self.buckets.values()
        )
        urls = tuple(replace(u, policy=self._function_policy(u)) for u in self.function_urls.values())
        return EdgeEstate(
            distributions=tuple(self.distributions.values()),
            origin_access_controls=tuple(self.oacs.values()),
            vpc_origins=tuple(self.vpc_origins.values()),
            load_balancers=tuple(self.load_balancers.values()),
            listeners=tuple(listeners),
            target_groups=groups,
            web_acls=tuple(self.web_acls.values()),
            ip_sets=tuple(self.ip_sets.values()),
            web_acl_associations=tuple(self.associations),
            buckets=buckets,
            function_urls=urls,
            dns_records=tuple(self.dns_records),
            notes=tuple(self.notes),
        )
