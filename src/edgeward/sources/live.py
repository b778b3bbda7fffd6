"""Live collection from AWS through boto3 (SOURCE `aws:`): get -> transform -> load.

Read-only calls only, every one listed in `NETWORK_CALLS`, `PREFIX_LIST_ENTRIES`, `GLOBAL_CALLS`
and `SETUP_CALLS` below; `readonly_policy()` is the minimal IAM policy permitting exactly them
(shipped as docs/edgeward-readonly-policy.json, checked by a test).

- Accounts: the caller's own (from the profile or the environment), or with `--role-arn` the
  account of each role assumed through STS. With roles, the caller's account is *not* scanned
  unless `include_caller_account`: a hub identity usually holds only `sts:AssumeRole`, and
  scanning it would fail every call. Two sources for the same account: the first one wins.
- Regions: those named, or `all` = every region `DescribeRegions` says is enabled for the
  account (`opt-in-not-required` or `opted-in`); none named = the profile's default region.
- One worker thread per (account, region) and one per account for IAM (global), bounded by
  `max_workers`; each worker builds its own boto3 session and clients (sessions are not
  thread-safe). Every paginated call goes through its botocore paginator, pages merged;
  retries in adaptive mode absorb throttling.
- Responses are normalised to JSON and dispatched, in the order a directory load would read them,
  through `aws_json.dispatch`: the same transforms as a saved directory. `save` writes them as an
  aws_json directory (`DIR/accounts/<id>/<region>/<Key>.json`, account-wide responses in
  `DIR/accounts/<id>/`) which `load_snapshot(DIR)` loads back to the same snapshot.
- A call that fails (AccessDenied, UnauthorizedOperation, throttled past the retries, ...) does
  not stop the scan: it becomes a `CollectionFailure` in the snapshot's `CollectionReport`.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol, TypeVar

import botocore.loaders
import botocore.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

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

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One read-only AWS API call: the boto3 service, the operation, and the IAM action it needs.

    `key` is the response's top-level key, which `aws_json.dispatch` routes on, and the stem of
    the file `--save` writes.
    """

    service: str
    operation: str
    action: str
    key: str
    scope: Literal["regional", "global", "setup"] = "regional"

    @property
    def method(self) -> str:
        return str(xform_name(self.operation))


def _ec2(operation: str, key: str) -> ApiCall:
    return ApiCall("ec2", operation, f"ec2:{operation}", key)


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
# Once per prefix list that DescribeManagedPrefixLists returned; saved in an envelope naming the list.
PREFIX_LIST_ENTRIES = _ec2("GetManagedPrefixListEntries", "Entries")
# Once per account.
GLOBAL_CALLS: tuple[ApiCall, ...] = (
    ApiCall(
        "iam",
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
        "AccountAuthorizationDetails",
        "global",
    ),
)
CALLER_IDENTITY = ApiCall("sts", "GetCallerIdentity", "sts:GetCallerIdentity", "Account", "setup")
DESCRIBE_REGIONS = ApiCall("ec2", "DescribeRegions", "ec2:DescribeRegions", "Regions", "setup")
SETUP_CALLS: tuple[ApiCall, ...] = (CALLER_IDENTITY, DESCRIBE_REGIONS)
# Made by the caller (in its own account) to reach other accounts; not part of the scanned side's policy.
ASSUME_ROLE = ApiCall("sts", "AssumeRole", "sts:AssumeRole", "Credentials", "setup")


def all_calls() -> tuple[ApiCall, ...]:
    """Every call made in a scanned account (the caller's AssumeRole excluded)."""
    return (*SETUP_CALLS, *NETWORK_CALLS, PREFIX_LIST_ENTRIES, *GLOBAL_CALLS)


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
    """Make one call, through its paginator when it has one, every page merged."""
    if client.can_paginate(call.method):
        config = {"PageSize": page_size} if page_size else {}
        paginator = client.get_paginator(call.method)
        result = paginator.paginate(**params, PaginationConfig=config).build_full_result()
    else:
        result = getattr(client, call.method)(**params)
    return normalise(result)


def _error(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return str(err.get("Code") or "ClientError"), str(err.get("Message") or "")
    return type(exc).__name__, str(exc)


@dataclass(slots=True)
class _Worker:
    """What one (account, region) or (account, global) worker got."""

    account: str
    region: str  # a region or "global"
    responses: list[Response] = field(default_factory=list)
    failures: list[CollectionFailure] = field(default_factory=list)
    calls: int = 0

    def attempt(self, call: ApiCall, fn: Callable[[], T], *, counts: bool = True) -> T | None:
        """Run `fn`; a botocore error becomes a failure of `call`. `counts`: it is an API call."""
        try:
            result = fn()
        except (ClientError, BotoCoreError) as exc:
            code, message = _error(exc)
            self.failures.append(CollectionFailure(self.account, self.region, call.action, code, message))
            return None
        self.calls += counts
        return result

    def keep(self, call: ApiCall, document: dict[str, Any], name: str | None = None) -> None:
        region = None if self.region == "global" else self.region
        folder = PurePosixPath("accounts", self.account, *([region] if region else []))
        self.responses.append(Response(self.account, region, call, folder / f"{name or call.key}.json", document))


class _Progress:
    """A bar per account/region on stderr; silent when not a terminal or when quiet."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def add(self, label: str, total: int) -> TaskID:
        return self._progress.add_task(label, total=total)

    def advance(self, task: TaskID, steps: int = 1) -> None:
        self._progress.advance(task, steps)

    def grow(self, task: TaskID, more: int) -> None:
        current = self._progress.tasks[task].total or 0
        self._progress.update(task, total=current + more)


@contextmanager
def _progress(quiet: bool) -> Iterator[_Progress]:
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet or not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        yield _Progress(progress)


def _scan_region(
    access: AccountAccess, region: str, factory: ClientFactory, page_size: int | None, bar: _Progress, task: TaskID
) -> _Worker:
    worker = _Worker(access.account, region)
    ec2 = worker.attempt(NETWORK_CALLS[0], lambda: factory(access, "ec2", region), counts=False)
    if ec2 is None:
        bar.advance(task, len(NETWORK_CALLS))
        return worker
    for call in NETWORK_CALLS:
        document = worker.attempt(call, partial(fetch, ec2, call, page_size))
        bar.advance(task)
        if document is None:
            continue
        worker.keep(call, document)
        if call.key == "PrefixLists":
            _prefix_list_entries(worker, ec2, document, page_size, bar, task)
    return worker


def _prefix_list_entries(
    worker: _Worker, ec2: Any, lists: dict[str, Any], page_size: int | None, bar: _Progress, task: TaskID
) -> None:
    ids = [pl["PrefixListId"] for pl in lists.get("PrefixLists", []) if isinstance(pl, dict) and pl.get("PrefixListId")]
    bar.grow(task, len(ids))
    call = PREFIX_LIST_ENTRIES
    for list_id in ids:
        entries = worker.attempt(call, partial(fetch, ec2, call, page_size, PrefixListId=list_id))
        bar.advance(task)
        if entries is not None:
            envelope = {"RequestParameters": {"PrefixListId": list_id}, **entries}
            worker.keep(call, envelope, f"{call.key}.{list_id}")


def _scan_global(
    access: AccountAccess, home: str, factory: ClientFactory, page_size: int | None, bar: _Progress, task: TaskID
) -> _Worker:
    worker = _Worker(access.account, "global")
    for call in GLOBAL_CALLS:
        client = worker.attempt(call, partial(factory, access, call.service, home), counts=False)
        if client is not None:
            document = worker.attempt(call, partial(fetch, client, call, page_size))
            if document is not None:
                worker.keep(call, document)
        bar.advance(task)
    return worker


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

    workers: list[_Worker] = []
    with _progress(options.quiet) as bar:
        tasks = [(a, r, bar.add(f"{a.account} {r}", len(NETWORK_CALLS))) for a, r in pairs]
        global_tasks = [(a, bar.add(f"{a.account} global", len(GLOBAL_CALLS))) for a in accesses]
        size = max(1, min(options.max_workers, len(tasks) + len(global_tasks)))
        with ThreadPoolExecutor(max_workers=size, thread_name_prefix="edgeward-live") as pool:
            futures = [pool.submit(_scan_region, a, r, client_factory, options.page_size, bar, t) for a, r, t in tasks]
            futures += [
                pool.submit(_scan_global, a, home, client_factory, options.page_size, bar, t) for a, t in global_tasks
            ]
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
