"""SOURCE for every verb: a path, or `aws:` for a live scan with its options.

`@source_argument` adds the SOURCE argument and the live-scan options to a verb without changing
its signature (the options land in `ctx.meta`); `load_source` loads a path or scans AWS. A scan
with failed calls prints one warning line per failure on stderr, and unless `--allow-partial`
marks the invocation so that `EdgewardGroup` exits 3 after the verb has printed its output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from edgeward.cli._common import PARTIAL_META
from edgeward.errors import UsageError
from edgeward.model.snapshot import Snapshot
from edgeward.sources import is_live, load_snapshot
from edgeward.sources.cloudformation import split_parameters

LIVE_META = "edgeward.live"
F = TypeVar("F", bound=Callable[..., Any])


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta.setdefault(LIVE_META, {})[name] = value
        return value

    return callback


# (name in ctx.meta, flag, click option)
_OPTIONS: tuple[tuple[str, str, Callable[[F], F]], ...] = (
    (
        "profile",
        "--profile",
        click.option(
            "--profile",
            metavar="NAME",
            expose_value=False,
            callback=_store("profile"),
            help="aws: the AWS profile to use (default: the environment's credentials).",
        ),
    ),
    (
        "regions",
        "--region",
        click.option(
            "--region",
            "regions",
            multiple=True,
            metavar="REGION",
            expose_value=False,
            callback=_store("regions"),
            help="aws: a region to scan (repeatable), or 'all' enabled regions (default: the profile's region).",
        ),
    ),
    (
        "role_arns",
        "--role-arn",
        click.option(
            "--role-arn",
            "role_arns",
            multiple=True,
            metavar="ARN",
            expose_value=False,
            callback=_store("role_arns"),
            help="aws: assume this role to scan its account (repeatable); the caller's account is then not scanned.",
        ),
    ),
    (
        "include_caller_account",
        "--include-caller-account",
        click.option(
            "--include-caller-account",
            is_flag=True,
            expose_value=False,
            callback=_store("include_caller_account"),
            help="aws: with --role-arn, scan the caller's own account too.",
        ),
    ),
    (
        "save",
        "--save",
        click.option(
            "--save",
            metavar="DIR",
            type=click.Path(file_okay=False, path_type=Path),
            expose_value=False,
            callback=_store("save"),
            help="aws: also write the responses as an aws_json directory (new or empty) to replay offline.",
        ),
    ),
    (
        "allow_partial",
        "--allow-partial",
        click.option(
            "--allow-partial",
            is_flag=True,
            expose_value=False,
            callback=_store("allow_partial"),
            help="aws: exit as usual even if some calls failed (default: exit 3 after the output).",
        ),
    ),
    (
        "quiet",
        "--quiet",
        click.option(
            "--quiet",
            is_flag=True,
            expose_value=False,
            callback=_store("quiet"),
            help="aws: no progress bars on stderr.",
        ),
    ),
)


PARAMETERS_META = "edgeward.parameters"
_PARAMETER_OPTION = click.option(
    "--parameter",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    expose_value=False,
    callback=lambda ctx, param, value: ctx.meta.__setitem__(PARAMETERS_META, value),
    help="CloudFormation: a template parameter's value (repeatable; also AWS::Region, AWS::AccountId).",
)


def source_argument(f: F) -> F:
    """The SOURCE argument (a path, or aws:) and the live-scan options, listed after the verb's own."""
    before = len(getattr(f, "__click_params__", []))
    for _, _, option in reversed(_OPTIONS):
        f = option(f)
    f = _PARAMETER_OPTION(f)
    params: list[click.Parameter] | None = getattr(f, "__click_params__", None)
    if params is not None:  # click lists parameters in reverse: put ours first to show them last
        params[:] = params[before:] + params[:before]
    decorated: F = click.argument("source", metavar="SOURCE", type=click.Path(path_type=str))(f)
    return decorated


def load_source(source: str, source_format: str | None = None) -> Snapshot:
    """Load SOURCE as the current command's options say; report a partial live scan."""
    ctx = click.get_current_context()
    given: dict[str, Any] = ctx.meta.get(LIVE_META, {})
    parameters = split_parameters(ctx.meta.get(PARAMETERS_META) or ())
    if not is_live(source):
        for name, flag, _ in _OPTIONS:
            if given.get(name):
                raise UsageError(f"{flag} applies only to a live scan (SOURCE aws:)", place=flag)
        return load_snapshot(source, source_format, parameters=parameters or None)
    if parameters:
        raise UsageError("--parameter applies to CloudFormation templates, not to a live scan", place="--parameter")

    try:
        from edgeward.sources.live import LiveOptions  # boto3 is only needed here
    except ImportError:
        raise UsageError("a live scan (aws:) needs boto3: pip install 'edgeward[aws]'", place="SOURCE") from None

    options = LiveOptions(
        profile=given.get("profile"),
        regions=tuple(given.get("regions") or ()),
        role_arns=tuple(given.get("role_arns") or ()),
        include_caller_account=bool(given.get("include_caller_account")),
        save=given.get("save"),
        quiet=bool(given.get("quiet")),
    )
    snapshot = load_snapshot(source, source_format, live=options)
    report = snapshot.collection
    if report is not None and report.failures:
        for failure in report.failures:
            click.echo(f"edgeward: warning: not collected: {failure.describe()}", err=True)
        if not given.get("allow_partial"):
            ctx.meta[PARTIAL_META] = report
    return snapshot
