"""A small estate built through boto3 (against moto) and helpers for live-collector tests.

The estate's names say the expected verdicts: `web` takes HTTPS from anywhere and SSH from the
office prefix list only; `db` (private subnet, behind a NAT and a custom NACL) takes Postgres from
`web`'s group only and nothing from the internet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from edgeward.model.network import SourceRef
from edgeward.sources import live
from edgeward.sources.aws_transform import Context
from edgeward.sources.live import AccountAccess

ACCOUNT = "123456789012"  # moto's default account
OFFICE = "203.0.113.0/24"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def fake_aws_env(monkeypatch: Any, folder: Path) -> dict[str, str]:
    """Fake credentials, no profile files, no endpoint override: nothing can reach real AWS."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    values = {
        **FAKE_ENV,
        "AWS_CONFIG_FILE": str(folder / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@dataclass(frozen=True)
class Estate:
    vpc: str
    public_subnet: str
    private_subnet: str
    web_group: str
    db_group: str
    office_list: str
    web: str  # instance id
    db: str
    web_public_ip: str
    nacl: str
    nat: str
    peering: str
    vpn_gateway: str


def build_estate(region: str = "us-east-1", *, cidr: str = "10.0") -> Estate:
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.2.0/24")["Subnet"]["SubnetId"]

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_egress_only_internet_gateway(VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    nat_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=nat_eip)["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)

    office = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=5, AddressFamily="IPv4", Entries=[{"Cidr": OFFICE, "Description": "hq"}]
    )["PrefixList"]["PrefixListId"]
    web_group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": office}]},
        ],
    )
    db_group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=db_group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": web_group}]}
        ],
    )

    nacl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=nacl,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            CidrBlock=f"{cidr}.0.0/16",
        )
    ec2.create_network_acl_entry(
        NetworkAclId=nacl, RuleNumber=200, Protocol="-1", RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0"
    )
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [private]}])["NetworkAcls"]
    association = next(a for a in acls[0]["Associations"] if a["SubnetId"] == private)["NetworkAclAssociationId"]
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=nacl)

    def run(subnet: str, group: str) -> str:
        instance = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group]}],
        )["Instances"][0]
        return str(instance["InstanceId"])

    web = run(public, web_group)
    db = run(private, db_group)
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(InstanceId=web, AllocationId=eip["AllocationId"])

    other = ec2.create_vpc(CidrBlock=f"{cidr[:-1]}{int(cidr[-1]) + 1}.0.0/16")["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=other)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering["VpcPeeringConnectionId"])
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)

    iam = boto3.client("iam", region_name=region)
    iam.create_role(
        RoleName="app",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    iam.put_role_policy(
        RoleName="app",
        PolicyName="read-bucket",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
        ),
    )
    return Estate(
        vpc=vpc,
        public_subnet=public,
        private_subnet=private,
        web_group=web_group,
        db_group=db_group,
        office_list=office,
        web=web,
        db=db,
        web_public_ip=str(eip["PublicIp"]),
        nacl=nacl,
        nat=nat,
        peering=str(peering["VpcPeeringConnectionId"]),
        vpn_gateway=vgw,
    )


# --- client factories: the collector's test seam ----------------------------------------------

Factory = Callable[[AccountAccess, str, str], Any]


def _base(base: Factory | None) -> Factory:
    """`base`, or the collector's default factory as it is now (tests may have wrapped it)."""
    return base or live.make_client


def denying(operation: str, code: str = "AccessDenied", service: str = "ec2", base: Factory | None = None) -> Factory:
    """Clients on which `operation` fails as AWS fails a call the caller may not make."""

    made = _base(base)

    def factory(access: AccountAccess, svc: str, region: str) -> Any:
        client = made(access, svc, region)

        def deny(**_: Any) -> None:
            message = f"You are not authorized to perform this operation. ({operation})"
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)

        client.meta.events.register(f"before-call.{service}.{operation}", deny)
        return client

    return factory


class FakeHttp:  # the HTTP half of a response a before-call handler returns
    status_code = 200
    headers: Mapping[str, str] = {}


def answering(operation: str, response: dict[str, Any], service: str = "ec2", base: Factory | None = None) -> Factory:
    """Clients on which `operation` returns `response` without reaching the endpoint."""

    made = _base(base)

    def factory(access: AccountAccess, svc: str, region: str) -> Any:
        client = made(access, svc, region)
        client.meta.events.register(f"before-call.{service}.{operation}", lambda **_: (FakeHttp(), response))
        return client

    return factory


# Operations moto does not implement, answered as AWS would for an account without such resources.
MOTO_GAPS: dict[tuple[str, str], dict[str, Any]] = {
    ("cloudfront", "ListVpcOrigins"): {
        "VpcOriginList": {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0, "Items": []}
    },
    ("lambda", "ListFunctionUrlConfigs"): {"FunctionUrlConfigs": []},
    ("wafv2", "ListResourcesForWebACL"): {"ResourceArns": []},
}


def filling_moto_gaps(base: Factory, answers: Mapping[tuple[str, str], dict[str, Any]] | None = None) -> Factory:
    """Clients that answer the operations moto lacks (MOTO_GAPS, overridden by `answers`)."""
    table = {**MOTO_GAPS, **(answers or {})}

    def factory(access: AccountAccess, svc: str, region: str) -> Any:
        client = base(access, svc, region)
        for (service, operation), response in table.items():
            if service == svc:
                client.meta.events.register(
                    f"before-call.{service}.{operation}", lambda response=response, **_: (FakeHttp(), response)
                )
        return client

    return factory


class Recorder:
    """Remembers every API call made (service, operation, region), page by page."""

    def __init__(self, base: Factory | None = None) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.base = _base(base)

    def __call__(self, access: AccountAccess, service: str, region: str) -> Any:
        client = self.base(access, service, region)
        name = client.meta.service_model.service_name

        def record(model: Any, **_: Any) -> None:
            self.calls.append((name, model.name, region))

        # before-parameter-build comes before any before-call handler can answer in AWS's place
        client.meta.events.register("before-parameter-build", record)
        return client

    def operations(self) -> list[str]:
        return [op for _, op, _ in self.calls]


# --- comparing snapshots ----------------------------------------------------------------------


def without_files(value: Any) -> Any:
    """A comparable form of a model value with every SourceRef/Context file path blanked."""
    if isinstance(value, SourceRef | Context):
        return replace(value, file="")
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, without_files(getattr(value, f.name))) for f in fields(value)))
    if isinstance(value, Mapping):
        return {k: without_files(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_files(v) for v in value]
    return value


def all_json_files(root: Path) -> Iterator[str]:
    for path in sorted(root.rglob("*.json")):
        yield path.relative_to(root).as_posix()


# --- an edge estate in front of the network one ------------------------------------------------

ORIGIN_HEADER = "X-Origin-Verify"
ORIGIN_SECRET = "not-a-real-secret-3f9a"


@dataclass(frozen=True)
class Edge:
    load_balancer: str  # ARN
    listener: str
    target_group: str
    web_acl: str
    ip_set: str
    distribution: str  # id
    bucket: str  # with a policy, a public access block and a website
    bare_bucket: str  # no policy, no block, no website
    function_url: dict[str, Any]  # the CreateFunctionUrlConfig response, as ListFunctionUrlConfigs lists it
    zone: str


def _zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 'ok'\n")
    return buffer.getvalue()


def build_edge_estate(estate: Estate, region: str = "us-east-1") -> Edge:
    """An ALB (secret-header rule, target group, web ACL with an IP set) behind a distribution,
    two buckets, a Lambda function URL and a DNS alias."""
    ec2 = boto3.client("ec2", region_name=region)
    second = ec2.create_subnet(VpcId=estate.vpc, CidrBlock="10.0.3.0/24", AvailabilityZone=f"{region}b")
    elb = boto3.client("elbv2", region_name=region)
    lb = elb.create_load_balancer(
        Name="web-alb",
        Subnets=[estate.public_subnet, second["Subnet"]["SubnetId"]],
        SecurityGroups=[estate.web_group],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]
    group = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=estate.vpc, TargetType="instance")
    group_arn = group["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": estate.web}])
    listener = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "403"}}],
    )["Listeners"][0]["ListenerArn"]
    elb.create_rule(
        ListenerArn=listener,
        Priority=1,
        Conditions=[
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": ORIGIN_HEADER, "Values": [ORIGIN_SECRET]}}
        ],
        Actions=[{"Type": "forward", "TargetGroupArn": group_arn}],
    )

    waf = boto3.client("wafv2", region_name=region)
    visibility = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
    ip_set = waf.create_ip_set(Name="office", Scope="REGIONAL", IPAddressVersion="IPV4", Addresses=[OFFICE])["Summary"]
    acl = waf.create_web_acl(
        Name="alb-acl",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Rules=[
            {
                "Name": "office-only-admin",
                "Priority": 0,
                "Statement": {"IPSetReferenceStatement": {"ARN": ip_set["ARN"]}},
                "Action": {"Block": {}},
                "VisibilityConfig": visibility,
            }
        ],
        VisibilityConfig=visibility,
    )["Summary"]
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=lb["LoadBalancerArn"])

    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "edgeward-test",
            "Comment": "web",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "alb",
                        "DomainName": lb["DNSName"],
                        "CustomHeaders": {
                            "Quantity": 1,
                            "Items": [{"HeaderName": ORIGIN_HEADER, "HeaderValue": ORIGIN_SECRET}],
                        },
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "http-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "alb",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )["Distribution"]["Id"]

    s3 = boto3.client("s3", region_name=region)
    for name in ("site-assets", "bare-bucket"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(
        Bucket="site-assets",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::site-assets/*",
                    }
                ],
            }
        ),
    )
    s3.put_public_access_block(
        Bucket="site-assets",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_website(Bucket="site-assets", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})

    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(
        RoleName="hook-runner",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    functions = boto3.client("lambda", region_name=region)
    functions.create_function(
        FunctionName="hook", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()}
    )
    url = functions.create_function_url_config(FunctionName="hook", AuthType="NONE")
    functions.add_permission(
        FunctionName="hook",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    url_config = {k: v for k, v in url.items() if k != "ResponseMetadata"}

    route53 = boto3.client("route53", region_name=region)
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="edgeward-test")["HostedZone"]["Id"]
    route53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "origin.example.com",
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": lb["CanonicalHostedZoneId"],
                            "DNSName": lb["DNSName"],
                            "EvaluateTargetHealth": False,
                        },
                    },
                }
            ]
        },
    )
    return Edge(
        load_balancer=lb["LoadBalancerArn"],
        listener=listener,
        target_group=group_arn,
        web_acl=acl["ARN"],
        ip_set=ip_set["ARN"],
        distribution=distribution,
        bucket="site-assets",
        bare_bucket="bare-bucket",
        function_url=url_config,
        zone=zone,
    )


def edge_answers(edge: Edge) -> dict[tuple[str, str], dict[str, Any]]:
    """What AWS would answer, for this estate, to the operations moto lacks."""
    return {
        ("lambda", "ListFunctionUrlConfigs"): {"FunctionUrlConfigs": [edge.function_url]},
        ("wafv2", "ListResourcesForWebACL"): {"ResourceArns": [edge.load_balancer]},
    }
