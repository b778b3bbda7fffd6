"""Sources: turn what users have (AWS JSON directories, native YAML, ...) into a Snapshot.

`load_snapshot(path)` detects the format from the path and its content; `fmt` forces it.
`load_snapshot("aws:", live=LiveOptions(...))` scans AWS instead (sources/live.py, docs/live.md);
it is the only source that makes AWS calls.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgeward import collector
from edgeward.errors import InputError, UsageError
from edgeward.model.collection import CollectionReport
from edgeward.model.network import NetworkEstate
from edgeward.model.snapshot import Snapshot
from edgeward.sources.aws_transform import Context
from edgeward.sources.cloudfront_ranges import dated_copy_date, fill_from_dated_copy

if TYPE_CHECKING:
    from edgeward.sources.aws_json import Collected
    from edgeward.sources.live import LiveOptions

FORMATS = ("aws-json", "native", "terraform", "cloudformation")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".template")
LIVE_SOURCE = "aws:"


def is_live(source: str | Path) -> bool:
    """`aws:` (a live scan) rather than a path."""
    return isinstance(source, str) and source.startswith(LIVE_SOURCE)


def finish_network(network: NetworkEstate) -> NetworkEstate:
    """Steps every source shares: fill AWS-managed CloudFront lists from the dated copy (noted)."""
    lists = tuple(fill_from_dated_copy(pl) for pl in network.prefix_lists)
    notes = list(network.notes)
    for pl in lists:
        if pl.from_dated_copy:
            notes.append(
                f"prefix list {pl.id} ({pl.name}) had no entries in the snapshot; used the dated copy of "
                f"AWS ip-ranges.json ({dated_copy_date()})"
            )
    return replace(network, prefix_lists=lists, notes=tuple(notes))


def detect_format(path: Path) -> str:
    if path.is_dir():
        native = [p for p in path.iterdir() if p.suffix in (".yaml", ".yml")]
        return "native" if native and not any(path.glob("*.json")) else "aws-json"
    if path.suffix in TEMPLATE_SUFFIXES:
        return "cloudformation" if path.suffix == ".template" or _looks_like_template(path) else "native"
    if path.suffix == ".json":
        from edgeward.sources.aws_json import read_json
        from edgeward.sources.cloudformation import is_cloudformation_document
        from edgeward.sources.terraform import is_terraform_document

        doc = read_json(path)
        if is_terraform_document(doc):
            return "terraform"
        if is_cloudformation_document(doc):
            return "cloudformation"
        if isinstance(doc, dict) and ("vpcs" in doc or "security_groups" in doc or "edgeward" in doc):
            return "native"
        return "aws-json"
    raise InputError("cannot tell the format (expected a directory, .json, .yaml, .yml or .template)", file=str(path))


def _looks_like_template(path: Path) -> bool:
    """A YAML file with a top-level `Resources:` (or AWSTemplateFormatVersion) and no `edgeward:` key."""
    import re

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if re.search(r"^edgeward\s*:", text, re.MULTILINE):
        return False
    return re.search(r"^(Resources|AWSTemplateFormatVersion)\s*:", text, re.MULTILINE) is not None


def load_snapshot(
    path: str | Path,
    fmt: str | None = None,
    *,
    live: LiveOptions | None = None,
    parameters: dict[str, str] | None = None,
) -> Snapshot:
    """Load an estate from `path` into a validated Snapshot. Makes no AWS call.

    `path` "aws:" scans AWS with `live` options instead; the snapshot's `collection` then says
    what could not be collected. `parameters` override a CloudFormation template's parameters.
    """
    if is_live(path):
        if path != LIVE_SOURCE:
            raise UsageError(f"{path!r}: a live scan is written 'aws:' alone; use --profile/--region", place="SOURCE")
        if fmt is not None:
            raise UsageError("--format does not apply to a live scan (aws:)", place="--format")
        try:
            from edgeward.sources import live as live_source
        except ImportError:
            raise UsageError(
                "a live scan (aws:) needs boto3: pip install 'edgeward[aws]'", place="SOURCE"
            ) from None
        return live_source.collect(live or live_source.LiveOptions()).snapshot
    source = Path(path)
    if not source.exists():
        raise InputError("no such file or directory", file=str(source))
    kind = fmt or detect_format(source)
    if parameters and kind != "cloudformation":
        raise UsageError(f"--parameter applies to CloudFormation templates, not to {kind}", place="--parameter")
    if kind == "terraform":
        from edgeward.sources.terraform import load_terraform

        terraform: Snapshot = load_terraform(source)
        return terraform
    if kind == "cloudformation":
        from edgeward.sources.cloudformation import load_cloudformation

        template: Snapshot = load_cloudformation(source, parameters)
        return template
    if kind == "aws-json":
        return _load_aws_json(source)
    if kind == "native":
        from edgeward.sources.native import load_native

        snapshot: Snapshot = load_native(source)
        return snapshot
    raise InputError(f"unknown format {kind!r}; expected one of {', '.join(FORMATS)}", place="--format")


def _load_aws_json(source: Path) -> Snapshot:
    from edgeward.sources import aws_json

    # parsing creates millions of objects that all survive (the benchmarks' floor pauses the
    # collector too); the snapshot is then frozen out of the collector's generations
    with collector.paused(freeze=True):
        if source.is_dir():
            collected = aws_json.collect_directory(source)
        else:
            collected = aws_json.Collected()
            aws_json.dispatch(collected, aws_json.read_json(source), Context(file=str(source)))
        return snapshot_from_collected(collected)


def snapshot_from_collected(collected: Collected, *, collection: CollectionReport | None = None) -> Snapshot:
    """Build the snapshot from transformed responses: shared by files and live scans alike.

    When a live scan has failed calls, resources that refer to what was not collected are left
    out with a note (see sources/partial.py), and each failure is noted.
    """
    from edgeward.sources import aws_json

    network = finish_network(aws_json.network_estate(collected))
    if collection is not None and collection.failures:
        from edgeward.sources.partial import without_dangling

        failed = tuple(f"not collected: {f.describe()}" for f in collection.failures)
        network = without_dangling(replace(network, notes=failed + network.notes))
    iam = _iam_from_extra(collected.extra)
    from edgeward.sources.aws_edge import edge_estate
    from edgeward.sources.edge_common import finish_edge

    partial = collection is not None and bool(collection.failures)
    edge = finish_edge(edge_estate(collected.extra), network, partial=partial)
    return Snapshot.build(network, edge=edge, iam=iam, collection=collection)


def _iam_from_extra(extra: dict[str, list[tuple[Context, dict[str, Any]]]]) -> Any:
    """IAM from `get-account-authorization-details` outputs, when the IAM engine is installed."""
    documents: dict[int, tuple[Context, dict[str, Any]]] = {}
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList"):
        for ctx, doc in extra.get(key, []):
            documents.setdefault(id(doc), (ctx, doc))
    if not documents:
        return None
    from edgeward.sources import iam_authorization_details as iad

    estates = [iad.estate_from_authorization_details(doc, file=ctx.file) for ctx, doc in documents.values()]
    return estates[0] if len(estates) == 1 else iad.merge_estates(estates)
