"""Live collection from AWS through boto3/botocore (SOURCE `aws:`): get -> transform -> load.

Read-only calls only, every one declared below (`NETWORK_CALLS`, `PREFIX_LIST_ENTRIES`,
`REGIONAL_EDGE_CALLS`, `GLOBAL_CALLS`, `SETUP_CALLS`); `readonly_policy()` is the minimal IAM
policy permitting exactly them (shipped as docs/edgeward-readonly-policy.json, checked by tests).

- Accounts: the caller's own (from the profile or the environment), or with `--role-arn` the
  account of each role assumed through STS. With roles, the caller's account is *not* scanned
  unless `include_caller_account`: a hub identity usually holds only `sts:AssumeRole`, and
  scanning it would fail every call. Two ways into the same account: the first one wins.
- Regions: those named, or `all` = every region `DescribeRegions` says is enabled for the
  account (`opt-in-not-required` or `opted-in`); none named = the profile's default region.
- One worker per (account, region) (network, load balancers, regional web ACLs, Lambda URLs)
  and one per account (IAM, CloudFront and its web ACLs, S3, Route 53), at most `max_workers`
  at once; each worker builds its own botocore session and clients (sessions are not
  thread-safe; only the read-only service-model loader is shared). Paginated calls go through
  botocore's paginators (or follow their next-token by hand where botocore has none), pages
  merged; retries in adaptive mode absorb throttling.
- Responses are normalised to JSON and dispatched, in the order a directory load would read them,
  through `aws_json.dispatch`: the same transforms as a saved directory. `save` writes them as an
  aws_json directory (`DIR/accounts/<id>/<region>/<Key>.json`, account-wide responses in
  `DIR/accounts/<id>/`, per-resource responses in `RequestParameters` envelopes) which
  `load_snapshot(DIR)` loads back to the same snapshot.
- A call that fails (AccessDenied, UnauthorizedOperation, throttled past the retries, ...) does
  not stop the scan: it becomes a `CollectionFailure` in the snapshot's `CollectionReport`.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import botocore.loaders
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from edgeward.errors import InputError, UsageError
from edgeward.model.collection import CollectionFailure, CollectionReport
from edgeward.model.snapshot import Snapshot
from edgeward.sources import aws_json
from edgeward.sources.aws_json import REGION_RE
from edgeward.sources.aws_transform import Context

RETRY_CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="edgeward")
MAX_WORKERS = 8
DEFAULT_HOME_REGION = "us-east-1"
ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::(?P<account>\d{12}):role/[\w+=,.@/-]+$")
ENABLED_OPT_IN = ("opt-in-not-required", "opted-in")
_STRIPPED_KEYS = ("ResponseMetadata", "NextToken", "Marker", "IsTruncated")


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One read-only AWS API call: the boto3 service, the operation, and the IAM action it needs.

    `key` is the response's top-level key, which `aws_json.dispatch` routes on, and the stem of
    the file `--save` writes (`<key>.json`, or `<key>.<subject>.json` for per-resource calls, whose
    request parameters are saved beside the response in a `RequestParameters` envelope).
    `saved`: False for listings whose items are then fetched one by one (only those are saved).
    `absent`: error codes that mean "this resource has none" (no bucket policy...), not a failure.
    `marker`: for a paginated call botocore has no paginator for: (items path, next-token path,
    request parameter), paths dotted.
    """

    service: str
    operation: str
    action: str
    key: str
    saved: bool = True
    absent: tuple[str, ...] = ()
    marker: tuple[str, str, str] | None = None

    @property
    def method(self) -> str:
        return str(xform_name(self.operation))


def _call(
    service: str,
    operation: str,
    key: str,
    *,
    prefix: str | None = None,
    action: str | None = None,
    saved: bool = True,
    absent: tuple[str, ...] = (),
    marker: tuple[str, str, str] | None = None,
) -> ApiCall:
    return ApiCall(service, operation, action or f"{prefix or service}:{operation}", key, saved, absent, marker)


def _ec2(operation: str, key: str) -> ApiCall:
    return _call("ec2", operation, key)


# The network of one region, in the order they are asked.
NETWORK_CALLS: tuple[ApiCall, ...] = (
    _ec2("DescribeVpcs", "Vpcs"),
    _ec2("DescribeSubnets", "Subnets"),
    _ec2("DescribeRouteTables", "RouteTables"),
    _ec2("DescribeInternetGateways", "InternetGateways"),
    _ec2("DescribeEgressOnlyInternetGateways", "EgressOnlyInternetGateways"),
    _ec2("DescribeNatGateways", "NatGateways"),
    _ec2("DescribeVpcPeeringConnections", "VpcPeeringConnections"),
    _ec2("DescribeVpnGateways", "VpnGateways"),
    _ec2("DescribeVpnConnections", "VpnConnections"),
    _ec2("DescribeNetworkInterfaces", "NetworkInterfaces"),
    _ec2("DescribeInstances", "Reservations"),
    _ec2("DescribeAddresses", "Addresses"),
    _ec2("DescribeSecurityGroups", "SecurityGroups"),
    _ec2("DescribeNetworkAcls", "NetworkAcls"),
    _ec2("DescribeManagedPrefixLists", "PrefixLists"),
)
PREFIX_LISTS = NETWORK_CALLS[-1]
PREFIX_LIST_ENTRIES = _ec2("GetManagedPrefixListEntries", "Entries")  # per prefix list

# Load balancers (ELBv2), regional web ACLs, Lambda function URLs: per region.
_ELB = "elasticloadbalancing"
ELB_LOAD_BALANCERS = _call("elbv2", "DescribeLoadBalancers", "LoadBalancers", prefix=_ELB)
ELB_LB_ATTRIBUTES = _call("elbv2", "DescribeLoadBalancerAttributes", "Attributes", prefix=_ELB)  # per LB
ELB_LISTENERS = _call("elbv2", "DescribeListeners", "Listeners", prefix=_ELB)  # per LB
ELB_RULES = _call("elbv2", "DescribeRules", "Rules", prefix=_ELB)  # per listener
ELB_TARGET_GROUPS = _call("elbv2", "DescribeTargetGroups", "TargetGroups", prefix=_ELB)
ELB_TG_ATTRIBUTES = _call("elbv2", "DescribeTargetGroupAttributes", "Attributes", prefix=_ELB)  # per group
ELB_TARGET_HEALTH = _call("elbv2", "DescribeTargetHealth", "TargetHealthDescriptions", prefix=_ELB)  # per group
WAF_LIST_ACLS = _call("wafv2", "ListWebACLs", "WebACLs", saved=False, marker=("WebACLs", "NextMarker", "NextMarker"))
WAF_GET_ACL = _call("wafv2", "GetWebACL", "WebACL")  # per web ACL
WAF_ACL_RESOURCES = _call("wafv2", "ListResourcesForWebACL", "ResourceArns")  # per regional web ACL
WAF_LIST_IP_SETS = _call("wafv2", "ListIPSets", "IPSets", saved=False, marker=("IPSets", "NextMarker", "NextMarker"))
WAF_GET_IP_SET = _call("wafv2", "GetIPSet", "IPSet")  # per IP set
LAMBDA_FUNCTIONS = _call("lambda", "ListFunctions", "Functions", saved=False)
LAMBDA_URLS = _call("lambda", "ListFunctionUrlConfigs", "FunctionUrlConfigs")  # per function
LAMBDA_POLICY = _call("lambda", "GetPolicy", "Policy", absent=("ResourceNotFoundException",))  # per function with a URL
REGIONAL_EDGE_CALLS: tuple[ApiCall, ...] = (
    ELB_LOAD_BALANCERS,
    ELB_LB_ATTRIBUTES,
    ELB_LISTENERS,
    ELB_RULES,
    ELB_TARGET_GROUPS,
    ELB_TG_ATTRIBUTES,
    ELB_TARGET_HEALTH,
    WAF_LIST_ACLS,
    WAF_GET_ACL,
    WAF_ACL_RESOURCES,
    WAF_LIST_IP_SETS,
    WAF_GET_IP_SET,
    LAMBDA_FUNCTIONS,
    LAMBDA_URLS,
    LAMBDA_POLICY,
)

# Once per account: IAM, CloudFront (and its web ACLs, scope CLOUDFRONT), S3, Route 53.
IAM_DETAILS = _call("iam", "GetAccountAuthorizationDetails", "AccountAuthorizationDetails")
CF_DISTRIBUTIONS = _call("cloudfront", "ListDistributions", "DistributionList")
CF_ACCESS_CONTROLS = _call("cloudfront", "ListOriginAccessControls", "OriginAccessControlList")
CF_VPC_ORIGINS = _call(
    "cloudfront",
    "ListVpcOrigins",
    "VpcOriginList",
    marker=("VpcOriginList.Items", "VpcOriginList.NextMarker", "Marker"),
)
S3_BUCKETS = _call("s3", "ListBuckets", "Buckets", action="s3:ListAllMyBuckets")
S3_LOCATION = _call("s3", "GetBucketLocation", "LocationConstraint")  # per bucket
S3_POLICY = _call("s3", "GetBucketPolicy", "Policy", absent=("NoSuchBucketPolicy",))  # per bucket
S3_PUBLIC_ACCESS_BLOCK = _call(
    "s3",
    "GetPublicAccessBlock",
    "PublicAccessBlockConfiguration",
    action="s3:GetBucketPublicAccessBlock",
    absent=("NoSuchPublicAccessBlockConfiguration",),
)  # per bucket
S3_WEBSITE = _call("s3", "GetBucketWebsite", "Website", absent=("NoSuchWebsiteConfiguration",))  # per bucket
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK = _call(
    "s3control",
    "GetPublicAccessBlock",
    "PublicAccessBlockConfiguration",
    action="s3:GetAccountPublicAccessBlock",
    absent=("NoSuchPublicAccessBlockConfiguration",),
)
DNS_ZONES = _call("route53", "ListHostedZones", "HostedZones", saved=False)
DNS_RECORDS = _call("route53", "ListResourceRecordSets", "ResourceRecordSets")  # per hosted zone
GLOBAL_CALLS: tuple[ApiCall, ...] = (
    IAM_DETAILS,
    CF_DISTRIBUTIONS,
    CF_ACCESS_CONTROLS,
    CF_VPC_ORIGINS,
    S3_BUCKETS,
    S3_LOCATION,
    S3_POLICY,
    S3_PUBLIC_ACCESS_BLOCK,
    S3_WEBSITE,
    S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
    DNS_ZONES,
    DNS_RECORDS,
)
CLOUDFRONT_REGION = "us-east-1"  # CloudFront, and WAF's CLOUDFRONT scope, answer there

CALLER_IDENTITY = _call("sts", "GetCallerIdentity", "Account")
DESCRIBE_REGIONS = _ec2("DescribeRegions", "Regions")
SETUP_CALLS: tuple[ApiCall, ...] = (CALLER_IDENTITY, DESCRIBE_REGIONS)
# Made by the caller (in its own account) to reach other accounts; not part of the scanned side's policy.
ASSUME_ROLE = _call("sts", "AssumeRole", "Credentials")


def all_calls() -> tuple[ApiCall, ...]:
    """Every call made in a scanned account (the caller's AssumeRole excluded)."""
    return (*SETUP_CALLS, *NETWORK_CALLS, PREFIX_LIST_ENTRIES, *REGIONAL_EDGE_CALLS, *GLOBAL_CALLS)


def scanned_account_actions() -> tuple[str, ...]:
    return tuple(sorted({call.action for call in all_calls()}))


def readonly_policy() -> dict[str, Any]:
    """The minimal identity policy for the scanned identity: exactly the actions of the calls made.

    All but `ec2:GetManagedPrefixListEntries` have no resource type, so AWS authorizes them only
    against `"Resource": "*"`; that one applies only to prefix lists and reads every list the
    account can see (AWS-managed ones included), so `*` grants it nothing more than
    `arn:aws:ec2:*:*:prefix-list/*` would, and stays valid in every partition.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EdgewardReadOnly",
                "Effect": "Allow",
                "Action": list(scanned_account_actions()),
                "Resource": "*",
            }
        ],
    }


# --- options and results --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """What to scan. `page_size` forces small pages (tests); None lets AWS choose."""

    profile: str | None = None
    regions: tuple[str, ...] = ()
    role_arns: tuple[str, ...] = ()
    include_caller_account: bool = False
    save: Path | None = None
    quiet: bool = False
    max_workers: int = MAX_WORKERS
    page_size: int | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """One merged response and where it belongs in an aws_json directory."""

    account: str
    region: str | None  # None for account-wide responses
    call: ApiCall
    path: PurePosixPath  # relative to the saved directory
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LiveScan:
    snapshot: Snapshot
    report: CollectionReport
    responses: tuple[Response, ...]


@dataclass(frozen=True, slots=True)
class AccountAccess:
    """How to reach one account: the profile's (or environment's) credentials, or an assumed role's."""

    account: str
    profile: str | None = None
    role_arn: str | None = None
    credentials: tuple[str, str, str] | None = field(default=None, repr=False)

    def session(self) -> botocore.session.Session:
        """A new session: each worker thread makes its own (only the read-only data loader is shared)."""
        session = botocore.session.Session(profile=None if self.credentials else self.profile)
        session.register_component("data_loader", _data_loader())
        if self.credentials is not None:
            session.set_credentials(*self.credentials)
        return session


class ClientFactory(Protocol):
    def __call__(self, access: AccountAccess, service: str, region: str) -> Any: ...


_LOADER_LOCK = threading.Lock()
_LOADER: list[Any] = []


def _data_loader() -> Any:
    """One botocore data loader for every session: service models are parsed once, not per client."""
    with _LOADER_LOCK:
        if not _LOADER:
            _LOADER.append(botocore.loaders.create_loader())
        return _LOADER[0]


def make_client(access: AccountAccess, service: str, region: str) -> Any:
    """A client for one account and region, with adaptive retries (the default factory)."""
    return access.session().create_client(service, region_name=region, config=RETRY_CONFIG)


# --- get --------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def normalise(result: Mapping[str, Any]) -> dict[str, Any]:
    """The response as the AWS CLI would print it: JSON values only, pagination keys dropped."""
    kept = {k: v for k, v in result.items() if k not in _STRIPPED_KEYS}
    normalised: dict[str, Any] = json.loads(json.dumps(kept, default=_json_default))
    return normalised


def fetch(client: Any, call: ApiCall, page_size: int | None = None, **params: Any) -> dict[str, Any]:
    """Make one call, through its paginator (botocore's, or `call.marker`), every page merged."""
    if call.marker is not None:
        return normalise(_marker_pages(client, call, params))
    if client.can_paginate(call.method):
        config = {"PageSize": page_size} if page_size else {}
        paginator = client.get_paginator(call.method)
        result = paginator.paginate(**params, PaginationConfig=config).build_full_result()
    else:
        result = getattr(client, call.method)(**params)
    return normalise(result)


def _at(document: Any, path: str) -> Any:
    for part in path.split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


def _marker_pages(client: Any, call: ApiCall, params: dict[str, Any]) -> dict[str, Any]:
    """Follow a next-token by hand (calls botocore has no paginator for), merging the item lists."""
    assert call.marker is not None
    items_path, token_path, parameter = call.marker
    method = getattr(client, call.method)
    first: dict[str, Any] = method(**params)
    seen: set[str] = set()
    page = first
    while (token := _at(page, token_path)) and token not in seen:
        seen.add(token)
        page = method(**params, **{parameter: token})
        merged = _at(first, items_path)
        if isinstance(merged, list):
            merged.extend(_at(page, items_path) or [])
    *parents, last = token_path.split(".")
    holder = _at(first, ".".join(parents)) if parents else first
    if isinstance(holder, dict):
        holder.pop(last, None)
    return first


def _error(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), str(err.get("Message") or "")
    return type(exc).__name__, str(exc)


@dataclass(slots=True)
class _Worker:
    """One (account, region) or (account, "global") worker: its clients, responses and failures."""

    access: AccountAccess
    region: str  # a region or "global"
    client_region: str
    factory: ClientFactory
    page_size: int | None
    bar: _Progress
    task: TaskID
    responses: list[Response] = field(default_factory=list)
    failures: list[CollectionFailure] = field(default_factory=list)
    calls: int = 0
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def account(self) -> str:
        return self.access.account

    def fail(self, action: str, exc: Exception) -> None:
        code, message = _error(exc)
        self.failures.append(CollectionFailure(self.account, self.region, action, code, message))

    def client(self, service: str, region: str | None = None) -> Any | None:
        """This worker's client for a service (made once); None, as a failure, if it cannot be made."""
        where = region or self.client_region
        if (service, where) not in self._clients:
            try:
                self._clients[(service, where)] = self.factory(self.access, service, where)
            except (ClientError, BotoCoreError) as exc:
                self.fail(f"{service}:*", exc)
                self._clients[(service, where)] = None
        return self._clients[(service, where)]

    def get(
        self,
        client: Any | None,
        call: ApiCall,
        params: dict[str, Any] | None = None,
        *,
        subject: str | None = None,
        absent: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Make the call and keep its response; None if it failed (recorded) or found nothing.

        `absent` is the response to keep when AWS says the subject has none (`call.absent`).
        """
        if client is None:
            return None
        params = params or {}
        try:
            document: dict[str, Any] | None = fetch(client, call, self.page_size, **params)
        except (ClientError, BotoCoreError) as exc:
            if _error(exc)[0] not in call.absent:
                self.fail(call.action, exc)
                document = None
            else:
                document = absent
                self.calls += 1
        else:
            self.calls += 1
        self.bar.advance(self.task)
        if document and call.saved and _recognised(document):  # an empty merged listing may have no key left
            kept = {"RequestParameters": params, **document} if params else document
            self.keep(call, kept, f"{call.key}.{_slug(subject)}" if subject else call.key)
        return document

    def keep(self, call: ApiCall, document: dict[str, Any], name: str) -> None:
        region = None if self.region == "global" else self.region
        folder = PurePosixPath("accounts", self.account, *([region] if region else []))
        self.responses.append(Response(self.account, region, call, folder / f"{name}.json", document))


def _recognised(document: dict[str, Any]) -> bool:
    """Whether aws_json knows a top-level key of the document (else it is no use to save or load)."""
    return any(k in aws_json.NETWORK_HANDLERS or k in aws_json.EXTRA_KEYS for k in document)


def _slug(subject: str) -> str:
    """A file-name-safe form of a resource id or ARN (the ARN's resource part)."""
    text = subject.split(":", 5)[5] if subject.startswith("arn:") and subject.count(":") >= 5 else subject
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "_"


def _items(document: dict[str, Any] | None, key: str, *fields: str) -> list[dict[str, Any]]:
    """The entries under `key` that are objects carrying every one of `fields` as a string."""
    raw = document.get(key) if document else None
    return [
        item
        for item in (raw if isinstance(raw, list) else [])
        if isinstance(item, dict) and all(isinstance(item.get(f), str) and item[f] for f in fields)
    ]


class _Progress:
    """A bar per account/region on stderr; silent when not a terminal or when quiet."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def add(self, label: str) -> TaskID:
        return self._progress.add_task(label, total=None)

    def advance(self, task: TaskID) -> None:
        self._progress.advance(task, 1)

    def done(self, task: TaskID) -> None:
        completed = self._progress.tasks[task].completed
        self._progress.update(task, total=max(completed, 1), completed=max(completed, 1))


@contextmanager
def _progress(quiet: bool) -> Iterator[_Progress]:
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f} calls"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        yield _Progress(progress)


def _scan_region(w: _Worker) -> _Worker:
    """The network, load balancers, regional web ACLs and Lambda function URLs of one region."""
    ec2 = w.client("ec2")
    for call in NETWORK_CALLS:
        document = w.get(ec2, call)
        if call is PREFIX_LISTS:
            for pl in _items(document, "PrefixLists", "PrefixListId"):
                list_id = pl["PrefixListId"]
                w.get(ec2, PREFIX_LIST_ENTRIES, {"PrefixListId": list_id}, subject=list_id)
    _load_balancers(w)
    _web_acls(w, "REGIONAL", w.client_region)
    _function_urls(w)
    w.bar.done(w.task)
    return w


def _load_balancers(w: _Worker) -> None:
    elb = w.client("elbv2")
    for lb in _items(w.get(elb, ELB_LOAD_BALANCERS), "LoadBalancers", "LoadBalancerArn"):
        arn = lb["LoadBalancerArn"]
        w.get(elb, ELB_LB_ATTRIBUTES, {"LoadBalancerArn": arn}, subject=arn)
        listeners = w.get(elb, ELB_LISTENERS, {"LoadBalancerArn": arn}, subject=arn)
        for listener in _items(listeners, "Listeners", "ListenerArn"):
            w.get(elb, ELB_RULES, {"ListenerArn": listener["ListenerArn"]}, subject=listener["ListenerArn"])
    for group in _items(w.get(elb, ELB_TARGET_GROUPS), "TargetGroups", "TargetGroupArn"):
        arn = group["TargetGroupArn"]
        w.get(elb, ELB_TG_ATTRIBUTES, {"TargetGroupArn": arn}, subject=arn)
        w.get(elb, ELB_TARGET_HEALTH, {"TargetGroupArn": arn}, subject=arn)


def _web_acls(w: _Worker, scope: str, region: str) -> None:
    """Web ACLs of a scope (REGIONAL in each region, CLOUDFRONT in us-east-1), their ALBs, IP sets."""
    waf = w.client("wafv2", region)
    for acl in _items(w.get(waf, WAF_LIST_ACLS, {"Scope": scope}), "WebACLs", "Name", "Id", "ARN"):
        w.get(waf, WAF_GET_ACL, {"Name": acl["Name"], "Scope": scope, "Id": acl["Id"]}, subject=acl["ARN"])
        if scope == "REGIONAL":  # CloudFront names its web ACL in the distribution itself
            params = {"WebACLArn": acl["ARN"], "ResourceType": "APPLICATION_LOAD_BALANCER"}
            w.get(waf, WAF_ACL_RESOURCES, params, subject=acl["ARN"])
    for ip_set in _items(w.get(waf, WAF_LIST_IP_SETS, {"Scope": scope}), "IPSets", "Name", "Id", "ARN"):
        params = {"Name": ip_set["Name"], "Scope": scope, "Id": ip_set["Id"]}
        w.get(waf, WAF_GET_IP_SET, params, subject=ip_set["ARN"])


def _function_urls(w: _Worker) -> None:
    lam = w.client("lambda")
    for function in _items(w.get(lam, LAMBDA_FUNCTIONS), "Functions", "FunctionName"):
        name = function["FunctionName"]
        urls = w.get(lam, LAMBDA_URLS, {"FunctionName": name}, subject=name)
        if _items(urls, "FunctionUrlConfigs"):  # the resource policy matters only behind a URL
            w.get(lam, LAMBDA_POLICY, {"FunctionName": name}, subject=name)


def _scan_global(w: _Worker) -> _Worker:
    """IAM, CloudFront and its web ACLs, S3 buckets, Route 53 records: once per account."""
    w.get(w.client("iam"), IAM_DETAILS)
    cloudfront = w.client("cloudfront", CLOUDFRONT_REGION)
    for call in (CF_DISTRIBUTIONS, CF_ACCESS_CONTROLS, CF_VPC_ORIGINS):
        w.get(cloudfront, call)
    _web_acls(w, "CLOUDFRONT", CLOUDFRONT_REGION)
    s3 = w.client("s3")
    for bucket in _items(w.get(s3, S3_BUCKETS), "Buckets", "Name"):
        name = bucket["Name"]
        w.get(s3, S3_LOCATION, {"Bucket": name}, subject=name)
        w.get(s3, S3_POLICY, {"Bucket": name}, subject=name, absent={"Policy": None})
        w.get(s3, S3_PUBLIC_ACCESS_BLOCK, {"Bucket": name}, subject=name)
        w.get(s3, S3_WEBSITE, {"Bucket": name}, subject=name)
    w.get(w.client("s3control"), S3_ACCOUNT_PUBLIC_ACCESS_BLOCK, {"AccountId": w.account}, subject=w.account)
    route53 = w.client("route53")
    for zone in _items(w.get(route53, DNS_ZONES), "HostedZones", "Id"):
        w.get(route53, DNS_RECORDS, {"HostedZoneId": zone["Id"]}, subject=zone["Id"])
    w.bar.done(w.task)
    return w


# --- accounts and regions ---------------------------------------------------------------------


def check_options(options: LiveOptions) -> None:
    """Usage errors found before any call: region names, role ARNs, the save directory."""
    for region in options.regions:
        if region != "all" and not REGION_RE.match(region):
            raise UsageError(f"not a region name: {region!r} (e.g. us-east-1, or all)", place="--region")
    for arn in options.role_arns:
        if not ROLE_ARN_RE.match(arn):
            raise UsageError(f"not an IAM role ARN: {arn!r} (arn:aws:iam::ACCOUNT:role/NAME)", place="--role-arn")
    if options.include_caller_account and not options.role_arns:
        raise UsageError("--include-caller-account goes with --role-arn", place="--include-caller-account")
    if options.save is not None and options.save.exists():
        if not options.save.is_dir():
            raise UsageError(f"{options.save} exists and is not a directory", place="--save")
        if any(options.save.iterdir()):
            raise UsageError(f"{options.save} is not empty; save into a new or empty directory", place="--save")
    if options.max_workers < 1:
        raise UsageError("max_workers must be at least 1", place="max_workers")


def _base_region(options: LiveOptions) -> str | None:
    """The profile's (or environment's) default region; an unknown profile is a usage error."""
    session = AccountAccess("caller", options.profile).session()
    try:
        if options.profile is not None and options.profile not in session.available_profiles:
            raise ProfileNotFound(profile=options.profile)
        region: str | None = session.get_config_variable("region")
    except ProfileNotFound:
        raise UsageError(f"no AWS profile named {options.profile!r}", place="--profile") from None
    return region


def _credentials_error(exc: Exception) -> InputError:
    if isinstance(exc, NoCredentialsError):
        return UsageError(
            "no AWS credentials found: use --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
            place="aws:",
        )
    code, message = _error(exc)
    return InputError(f"AWS refused the credentials: {code}: {message}", place="aws:")


def resolve_accounts(
    options: LiveOptions, factory: ClientFactory, home: str, failures: list[CollectionFailure]
) -> list[AccountAccess]:
    """The accounts to scan and how to reach each; a role that cannot be assumed is a failure."""
    caller = AccountAccess(account="caller", profile=options.profile)
    out: list[AccountAccess] = []
    if not options.role_arns or options.include_caller_account:
        try:
            identity = factory(caller, "sts", home).get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            raise _credentials_error(exc) from None
        out.append(replace(caller, account=str(identity["Account"])))
    for arn in options.role_arns:
        match = ROLE_ARN_RE.match(arn)
        assert match is not None  # check_options
        account = match.group("account")
        if any(a.account == account for a in out):
            continue
        try:
            credentials = factory(caller, "sts", home).assume_role(RoleArn=arn, RoleSessionName="edgeward")[
                "Credentials"
            ]
        except NoCredentialsError as exc:
            raise _credentials_error(exc) from None
        except (ClientError, BotoCoreError) as exc:
            code, message = _error(exc)
            failures.append(CollectionFailure(account, "global", ASSUME_ROLE.action, code, message))
            continue
        keys = (credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        out.append(AccountAccess(account=account, role_arn=arn, credentials=keys))
    return out


def enabled_regions(ec2: Any) -> list[str]:
    """Regions enabled for the account: opt-in not required, or opted in."""
    regions = ec2.describe_regions(AllRegions=True)["Regions"]
    return sorted(r["RegionName"] for r in regions if r.get("OptInStatus", ENABLED_OPT_IN[0]) in ENABLED_OPT_IN)


def resolve_regions(
    access: AccountAccess,
    options: LiveOptions,
    factory: ClientFactory,
    home: str,
    failures: list[CollectionFailure],
) -> list[str]:
    named = [r for r in options.regions if r != "all"]
    if "all" in options.regions:
        try:
            named += enabled_regions(factory(access, "ec2", home))
        except (ClientError, BotoCoreError) as exc:
            code, message = _error(exc)
            failures.append(CollectionFailure(access.account, "global", DESCRIBE_REGIONS.action, code, message))
    return sorted(set(named)) if named or "all" in options.regions else [home]


# --- the whole scan ---------------------------------------------------------------------------


def collect(options: LiveOptions, *, client_factory: ClientFactory | None = None) -> LiveScan:
    """Scan AWS as `options` say; the snapshot carries a report of every failed call.

    `client_factory` makes each boto3 client (default `make_client`): the seam tests use.
    """
    check_options(options)
    client_factory = client_factory or make_client
    default_region = _base_region(options)
    named = [r for r in options.regions if r != "all"]
    if not options.regions and default_region is None:
        raise UsageError(
            "no region: pass --region REGION (repeatable) or --region all, or set the profile's region",
            place="--region",
        )
    home = default_region or (named[0] if named else DEFAULT_HOME_REGION)
    failures: list[CollectionFailure] = []
    accesses = resolve_accounts(options, client_factory, home, failures)
    pairs = [
        (access, region)
        for access in accesses
        for region in resolve_regions(access, options, client_factory, home, failures)
    ]

    with _progress(options.quiet) as bar:

        def worker(access: AccountAccess, region: str) -> _Worker:
            client_region = home if region == "global" else region
            task = bar.add(f"{access.account} {region}")
            return _Worker(access, region, client_region, client_factory, options.page_size, bar, task)

        jobs = [(_scan_region, worker(a, r)) for a, r in pairs] + [
            (_scan_global, worker(a, "global")) for a in accesses
        ]
        size = max(1, min(options.max_workers, len(jobs)))
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="edgeward-live") as pool:
            futures = [pool.submit(scan, w) for scan, w in jobs]
            workers = [f.result() for f in futures]

    responses = tuple(sorted((r for w in workers for r in w.responses), key=lambda r: r.path))
    failures += [f for w in workers for f in w.failures]
    report = CollectionReport(
        accounts=tuple(a.account for a in accesses),
        regions=tuple((a.account, r) for a, r in pairs),
        calls=sum(w.calls for w in workers),
        failures=tuple(sorted(failures, key=lambda f: (f.account, f.region, f.call))),
    )
    if options.save is not None:
        save(options.save, responses)
    return LiveScan(build_snapshot(responses, report, options.save), report, responses)


def build_snapshot(responses: Sequence[Response], report: CollectionReport, saved: Path | None = None) -> Snapshot:
    """Dispatch the responses in directory order through the aws_json transforms and build."""
    from edgeward.sources import snapshot_from_collected

    collected = aws_json.Collected()
    for response in responses:
        file = str(saved.joinpath(*response.path.parts)) if saved is not None else f"aws:{response.path}"
        ctx = Context(file=file, account=response.account, region=response.region or "unknown")
        aws_json.dispatch(collected, response.document, ctx)
    return snapshot_from_collected(collected, collection=report)


def save(directory: Path, responses: Sequence[Response]) -> None:
    """Write the responses as an aws_json directory (one file per call, pages merged)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for response in responses:
            target = directory.joinpath(*response.path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(response.document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot save: {exc.strerror}", file=str(exc.filename or directory), place="--save") from None
