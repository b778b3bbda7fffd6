"""The HTML report: self-contained, escaped, vendored library intact, and drawn by a real browser.

The browser tests use Debian's `chromium` headless: the page must load without a script error and
draw the estate's nodes (the page writes its node count into <body data-nodes>), and a screenshot
must not be blank. They skip, saying so, only when chromium is not installed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from edgeward.analysis.exposure import Exposure
from edgeward.analysis.origins import origin_verdicts
from edgeward.report.html import render_html, script_json, vendored_cytoscape
from edgeward.rules.audit import run_audit
from edgeward.sources import load_snapshot
from tests.rules.support import FIXTURES, REPO, needs_native, run

VENDOR = REPO / "src" / "edgeward" / "report" / "html" / "vendor"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def test_vendored_cytoscape_matches_its_recorded_checksum_and_license() -> None:
    meta = vendored_cytoscape()
    library = (VENDOR / "cytoscape.min.js").read_bytes()
    assert hashlib.sha256(library).hexdigest() == meta["sha256"]
    assert meta["license"] == "MIT" and re.fullmatch(r"\d+\.\d+\.\d+", meta["version"])
    assert "Permission is hereby granted, free of charge" in (VENDOR / "LICENSE-cytoscape.txt").read_text()


def test_embedded_data_cannot_close_the_script_tag() -> None:
    text = script_json({"label": "</script><script>alert(1)</script> & <!--"})
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"label": "</script><script>alert(1)</script> & <!--"}


def _report(path: Path) -> str:
    snapshot = load_snapshot(path)
    origins = origin_verdicts(snapshot) if snapshot.edge else []
    return render_html(snapshot, run_audit(snapshot), Exposure(snapshot).all(), origins)


def _data(html: str) -> Any:
    return json.loads(html.split('<script type="application/json" id="edgeward-data">')[1].split("</script>")[0])


@needs_native
def test_report_is_one_file_with_no_network_reference() -> None:
    html = _report(FIXTURES / "ew101_admin_ports.yaml")
    assert html.count("<script") == 4  # error hook, library, data, app: nothing fetched
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)
    data = _data(html)
    kinds = {n["data"]["id"]: n["data"]["kind"] for n in data["nodes"]}
    assert kinds["internet"] == "internet" and kinds["vpc-main"] == "vpc" and kinds["subnet-public"] == "subnet"
    assert kinds["i-ssh-world_fail"] == "instance"
    edges = {e["data"]["target"]: e["data"] for e in data["edges"]}
    assert edges["i-ssh-world_fail"]["severity"] == "critical"  # coloured by the EW101 finding
    assert edges["i-https_pass"]["severity"] == "exposed"  # reachable, but nothing wrong with it
    assert "i-ssh-private_pass" not in edges  # no public path, no flow
    ssh = next(f for f in data["findings"] if f["rule_id"] == "EW101" and f["resource"] == "i-ssh-world_fail")
    assert ssh["nodes"] == ["i-ssh-world_fail"]


@needs_native
def test_distributions_origins_and_load_balancers_are_drawn_with_their_verdicts() -> None:
    data = _data(_report(FIXTURES / "ew301_origin_bypassable.yaml"))
    nodes = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    assert nodes["cf:EOPEN_fail"]["kind"] == "cloudfront"
    assert nodes["cf:EOPEN_fail"]["severity"] == "high"  # the EW301 finding
    assert nodes["lb:open"]["kind"] == "load-balancer" and nodes["lb:open"]["parent"] == "vpc-web"
    edges = {e["data"]["id"]: e["data"] for e in data["edges"]}
    assert edges["origin:EOPEN_fail:open"]["verdict"] == "bypassable"
    assert edges["origin:EOPEN_fail:open"]["target"] == "lb:open"
    assert edges["origin:ELOCKED_pass:locked"]["verdict"] == "only-via-cloudfront"
    assert edges["viewer:EOPEN_fail"]["source"] == "internet"
    bypass = next(f for f in data["findings"] if f["rule_id"] == "EW301")
    assert bypass["nodes"] == ["cf:EOPEN_fail"]


@needs_native
def test_report_verb_and_audit_html_write_the_same_kind_of_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = run("report", str(FIXTURES / "ew101_admin_ports.yaml"), "-o", str(target))
    assert code == 0, err
    assert target.read_text().startswith("<!DOCTYPE html>")
    code, out, _ = run("audit", str(FIXTURES / "ew101_admin_ports.yaml"), "--output-format", "html")
    assert code == 1 and out.startswith("<!DOCTYPE html>")


def test_report_requires_an_output_file() -> None:
    code, _, err = run("report", str(FIXTURES / "ew501_stale_references_aws.json"))
    assert code == 2 and "-o" in err


# -- in a real browser ----------------------------------------------------------------------
def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=50, check=False)


def _console_errors(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and ("Uncaught" in line or "Error" in line or "error" in line)
    ]


@needs_native
@needs_chromium
def test_chromium_loads_the_report_without_errors_and_draws_the_nodes(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_report(FIXTURES / "ew101_admin_ports.yaml"), encoding="utf-8")
    snapshot = load_snapshot(FIXTURES / "ew101_admin_ports.yaml")
    expected_nodes = 1 + len(snapshot.vpcs) + len(snapshot.subnets) + len(snapshot.instances)
    done = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", done.stdout)
    assert body is not None, done.stdout[:500]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attributes.get("data-ready") == "1", _console_errors(done.stderr)
    assert "data-errors" not in attributes
    assert int(attributes["data-nodes"]) == expected_nodes
    # ssh-world, rdp-partner, ssh over IPv6, https, and the documentation-range SSH (the engine's exposure
    # counts every address outside the VPCs; the audit does not call it a finding)
    assert int(attributes["data-edges"]) == 5
    assert _console_errors(done.stderr) == []
    assert "<title>edgeward report: " in done.stdout


@needs_native
@needs_chromium
def test_chromium_draws_distributions_load_balancers_and_origin_edges(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_report(FIXTURES / "ew301_origin_bypassable.yaml"), encoding="utf-8")
    snapshot = load_snapshot(FIXTURES / "ew301_origin_bypassable.yaml")
    # internet, VPC, subnets, two load balancers, two distributions
    expected_nodes = 1 + len(snapshot.vpcs) + len(snapshot.subnets) + 2 + 2
    done = _chromium(tmp_path, "--dump-dom", page.as_uri())
    body = re.search(r"<body([^>]*)>", done.stdout)
    assert body is not None, done.stderr[-2000:]
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attributes.get("data-ready") == "1" and "data-errors" not in attributes
    assert int(attributes["data-nodes"]) == expected_nodes
    assert int(attributes["data-edges"]) == 4  # two viewer edges, two origin edges
    assert _console_errors(done.stderr) == []


@needs_native
@needs_chromium
def test_chromium_search_from_the_link_filters_the_findings(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    html = _report(FIXTURES / "ew101_admin_ports.yaml")
    page.write_text(html, encoding="utf-8")
    everything = len(_data(html)["findings"])
    done = _chromium(tmp_path, "--dump-dom", page.as_uri() + "#q=i-rdp-partner")
    body = re.search(r"<body([^>]*)>", done.stdout)
    assert body is not None
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(1)))
    assert attributes.get("data-ready") == "1"
    assert int(attributes["data-findings"]) == everything
    # the RDP exposure of i-rdp-partner_fail, and the missing rule description of its group
    assert int(attributes["data-visible-findings"]) == 2 < everything


@needs_native
@needs_chromium
def test_chromium_screenshot_of_the_report_is_not_blank(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_report(FIXTURES / "ew101_admin_ports.yaml"), encoding="utf-8")
    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,800", "--hide-scrollbars", page.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    width, height, pixels = _decode_png(shot.read_bytes())
    assert (width, height) == (1200, 800)
    colours = {pixels[i : i + 3] for i in range(0, len(pixels), 3 * 97)}
    assert len(colours) > 20, "the screenshot is (nearly) one colour"
    red = sum(1 for c in colours if c[0] > 150 and c[1] < 60 and c[2] < 60)
    assert red > 0, "no critical (red) element drawn"


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    """RGB bytes of an 8-bit RGB/RGBA PNG (what Chromium writes), unfiltered."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = colour_type = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    previous = bytearray(stride)
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        previous = line
        for x in range(width):
            out += line[x * channels : x * channels + 3]
    return width, height, bytes(out)
