"""The HTML report: one self-contained file (vendored cytoscape.js, data embedded), no network at view time."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from edgeward import __version__
from edgeward.analysis.exposure import InterfaceExposure
from edgeward.model.snapshot import Snapshot
from edgeward.report.graph import graph_data
from edgeward.rules.audit import AuditResult

PLACEHOLDER = re.compile(r"/\*@(CYTOSCAPE|DATA|VERSION)@\*/")


@cache
def _asset(name: str) -> str:
    return resources.files("edgeward.report.html").joinpath(name).read_text(encoding="utf-8")


def vendored_cytoscape() -> dict[str, Any]:
    """Version, license and checksum of the vendored library (vendor/cytoscape.json)."""
    meta: dict[str, Any] = json.loads(_asset("vendor/cytoscape.json"))
    return meta


def script_json(payload: Any) -> str:
    """JSON safe inside <script>: `<`, `>` and `&` as \\u escapes, so `</script>` cannot close the tag."""
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(
    snapshot: Snapshot, result: AuditResult, exposures: Sequence[InterfaceExposure], origins: Sequence[Any] = ()
) -> str:
    """The report; `exposures` from analysis.exposure, `origins` (OriginVerdict) from analysis.origins."""
    data = graph_data(snapshot, result, exposures, origins)
    data["tool"] = {"name": "edgeward", "version": __version__, "cytoscape": vendored_cytoscape()["version"]}
    values = {
        "CYTOSCAPE": _asset("vendor/cytoscape.min.js"),
        "DATA": script_json(data),
        "VERSION": __version__,
    }
    # one pass, so nothing substituted (the library, the data) is scanned for placeholders again
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("template.html"))
