"""Sources: turn what users have (AWS JSON directories, native YAML, ...) into a Snapshot.

`load_snapshot(path)` detects the format from the path and its content; `fmt` forces it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from edgeward.errors import InputError
from edgeward.model.network import NetworkEstate
from edgeward.model.snapshot import Snapshot
from edgeward.sources.aws_transform import Context
from edgeward.sources.cloudfront_ranges import dated_copy_date, fill_from_dated_copy

FORMATS = ("aws-json", "native")


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
    if path.suffix in (".yaml", ".yml"):
        return "native"
    if path.suffix == ".json":
        from edgeward.sources.aws_json import read_json

        doc = read_json(path)
        if isinstance(doc, dict) and ("vpcs" in doc or "security_groups" in doc or "edgeward" in doc):
            return "native"
        return "aws-json"
    raise InputError("cannot tell the format (expected a directory, .json, .yaml or .yml)", file=str(path))


def load_snapshot(path: str | Path, fmt: str | None = None) -> Snapshot:
    """Load an estate from `path` into a validated Snapshot. Makes no AWS call."""
    source = Path(path)
    if not source.exists():
        raise InputError("no such file or directory", file=str(source))
    kind = fmt or detect_format(source)
    if kind == "aws-json":
        return _load_aws_json(source)
    if kind == "native":
        from edgeward.sources.native import load_native

        snapshot: Snapshot = load_native(source)
        return snapshot
    raise InputError(f"unknown format {kind!r}; expected one of {', '.join(FORMATS)}", place="--format")


def _load_aws_json(source: Path) -> Snapshot:
    from edgeward.sources import aws_json

    if source.is_dir():
        collected = aws_json.collect_directory(source)
    else:
        collected = aws_json.Collected()
        aws_json.dispatch(collected, aws_json.read_json(source), Context(file=str(source)))
    network = finish_network(aws_json.network_estate(collected))
    iam = _iam_from_extra(collected.extra)
    return Snapshot.build(network, edge=collected.extra or None, iam=iam)


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
