"""Readable network scenarios under tests/scenarios/network/: an estate, questions, expected answers.

Each file holds one semantic point of AWS networking (or a few closely related ones), cites the
AWS fact it rests on (`cites`: a section of shared/facts/network.md and the AWS page), and gives:

- `estate`: the estate in edgeward's native format (docs/native-format.md), or `aws_json`: a
  directory of AWS CLI outputs as {file name: document} (for what only that source can express);
- `questions`: `edgeward reach` questions, each with the verdict a user must see (`expect`), why,
  and optionally the component that blocks it (`blocked_by`, and `blocked_on: forward|return`),
  the ephemeral client ports that work (`ephemeral_ports`), the exact internet source set for
  `--from internet` (`sources`), the public address a flow leaves with (`appears_as`) and words
  the trace must show (`trace_mentions`);
- `exposure` (optional): every interface exposed to the internet, with what and from where;
  interfaces not listed must not be exposed.

Every estate also goes through the naive per-packet evaluator (bench/naive.py): the engine must
agree with it on every interface pair and probe, and on each question it can express.

A question whose AWS-correct expectation the engine does not meet carries `xfail_reason`; only
those are expected to fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from bench.naive import NaiveEvaluator
from tests.analysis.test_naive_oracle import PROBES, agree_on_everything

from edgeward.algebra.addresses import Addresses
from edgeward.algebra.intervals import IntervalSet
from edgeward.algebra.traffic import ALL_PORTS, ICMP, ICMPV6, TCP, UDP, TrafficSpace, icmp_span
from edgeward.analysis.exposure import Exposure
from edgeward.analysis.flows import Endpoint, EndpointKind, ReachResult, Traffic, Verdict, resolve_endpoint
from edgeward.analysis.reach import Reachability
from edgeward.cli.network import parse_traffic
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot

SCENARIOS = Path(__file__).parent / "network"
FILES = sorted(SCENARIOS.glob("*.yaml"))
PROTOCOLS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": -1}
QUESTION_KEYS = {
    "from",
    "to",
    "protocol",
    "port",
    "icmp_type",
    "icmp_code",
    "expect",
    "why",
    "blocked_by",
    "blocked_on",
    "ephemeral_ports",
    "sources",
    "appears_as",
    "trace_mentions",
    "xfail_reason",
}
COMPONENTS = {
    "security-group",
    "network-acl",
    "route-table",
    "internet-gateway",
    "nat-gateway",
    "vpc-peering",
    "vpn-gateway",
    "address",
    "load-balancer",
}


# -- loading -------------------------------------------------------------------------------------
@cache
def _document(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path.name}: not a mapping"
    return doc


@dataclass(frozen=True)
class Loaded:
    snapshot: Snapshot
    reach: Reachability


_LOADED: dict[Path, Loaded] = {}


def _loaded(path: Path, tmp_root: Path) -> Loaded:
    """The scenario's estate, written out as the user would have it and read by the normal loader."""
    if path in _LOADED:
        return _LOADED[path]
    doc = _document(path)
    if "estate" in doc:
        target = tmp_root / f"{path.stem}.yaml"
        target.write_text(yaml.safe_dump(doc["estate"], sort_keys=False), encoding="utf-8")
    else:
        target = tmp_root / path.stem
        for name, content in doc["aws_json"].items():
            file = target / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(json.dumps(content, indent=1), encoding="utf-8")
    snapshot = load_snapshot(target)
    loaded = Loaded(snapshot, Reachability(snapshot))
    _LOADED[path] = loaded
    return loaded


@pytest.fixture(scope="session")
def estates_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("network-scenarios")


# -- reading expectations -------------------------------------------------------------------------
def _traffic(q: dict[str, Any]) -> Traffic:
    return parse_traffic(str(q["protocol"]), q.get("port"), q.get("icmp_type"), q.get("icmp_code"))


def _ports(text: object) -> IntervalSet:
    """`22`, `"1024-65535"`, `"80, 443"` or `all`."""
    if str(text) == "all":
        return ALL_PORTS
    out = IntervalSet()
    for part in str(text).split(","):
        lo, _, hi = part.strip().partition("-")
        out = out | IntervalSet.span(int(lo), int(hi or lo))
    return out


def _sources(spec: object) -> Addresses:
    """A list of CIDRs, or `{cidrs: [...], except: [...], also: [...]}`: these, but not those, plus these."""
    if isinstance(spec, dict):
        assert set(spec) <= {"cidrs", "except", "also"}, spec
        kept = Addresses.from_cidrs(spec["cidrs"]) - Addresses.from_cidrs(spec.get("except", []))
        return kept | Addresses.from_cidrs(spec.get("also", []))
    assert isinstance(spec, list), spec
    return Addresses.from_cidrs(spec)


def _service_space(service: dict[str, Any], internet: Addresses) -> TrafficSpace:
    """`{protocol, ports | icmp_type/icmp_code, sources}` as the set of what the internet can send."""
    name = str(service["protocol"])
    protocol = PROTOCOLS[name] if name in PROTOCOLS else int(name)
    sources = _sources(service["sources"]) & internet
    if protocol == -1:
        return TrafficSpace.of(IntervalSet.span(0, 255), ALL_PORTS, sources)
    if protocol in (ICMP, ICMPV6):
        ports = icmp_span(service.get("icmp_type", -1), service.get("icmp_code", -1))
    elif protocol in (TCP, UDP):
        ports = _ports(service["ports"])
    else:
        ports = ALL_PORTS
    return TrafficSpace.of(IntervalSet.point(protocol), ports, sources)


def _trace(result: ReachResult) -> str:
    lines = [f"verdict: {result.verdict.value}: {result.summary}"]
    if result.source_address or result.destination_address:
        lines.append(f"addresses: {result.source_address} -> {result.destination_address}")
    lines += [f"  {h.direction:7} {h.component:16} {h.resource}: {h.decision}: {h.text}" for h in result.hops]
    if result.ephemeral_ports is not None:
        lines.append(f"ephemeral client ports: {result.ephemeral_ports.describe() or 'none'}")
    if result.internet_sources is not None:
        lines.append(f"internet sources: {', '.join(result.internet_sources.to_cidrs()) or 'none'}")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


# -- the naive evaluator on the questions it can express ----------------------------------------
def _naive_verdict(snapshot: Snapshot, q: dict[str, Any], traffic: Traffic) -> bool | None:
    """The naive evaluator's answer, or None when the question is outside what it models."""
    src = resolve_endpoint(snapshot, str(q["from"]), "--from")
    dst = resolve_endpoint(snapshot, str(q["to"]), "--to")
    naive = NaiveEvaluator(snapshot)
    proto, point = traffic.protocol, traffic.point
    a = _primary(src)
    b = _primary(dst)
    if src.kind is EndpointKind.INTERNET_HOST and b is not None and dst.address is None:
        assert src.address is not None  # asked by id: the internet reaches its public address
        return naive.internet_to_interface(src.address, b, proto, point)
    if a is not None and dst.kind is EndpointKind.INTERNET_HOST:
        assert dst.address is not None
        return naive.interface_to_internet(a, dst.address, proto, point) is not None
    if a is not None and b is not None:
        return naive.interface_to_interface(a, b, proto, point)
    if a is not None and dst.kind is EndpointKind.PUBLIC_ADDRESS and dst.interface is not None:
        assert dst.address is not None  # a hairpin: out to the public address, back in from the sender's
        public = naive.interface_to_internet(a, dst.address, proto, point)
        return public is not None and naive.internet_to_interface(public, dst.interface, proto, point)
    return None


def _primary(end: Endpoint) -> NetworkInterface | None:
    """The interface when it is asked by id or by its primary private IPv4 (what the naive evaluator models)."""
    eni = end.interface
    if end.kind is not EndpointKind.INTERFACE or eni is None or not eni.private_ipv4s:
        return None
    return eni if end.address in (None, eni.primary_ipv4) else None


# -- the cases ------------------------------------------------------------------------------------
def _question_cases() -> list[Any]:
    cases = []
    for path in FILES:
        for i, q in enumerate(_document(path).get("questions", [])):
            what = f"{q.get('protocol')}" + (f"/{q['port']}" if "port" in q else "")
            if "icmp_type" in q:
                what += f" type {q['icmp_type']} code {q.get('icmp_code', 0)}"
            cases.append(pytest.param(path, i, id=f"{path.stem}[{i}] {q.get('from')} -> {q.get('to')} {what}"))
    return cases


def test_scenarios_exist() -> None:
    assert len(FILES) >= 15, f"expected the network scenarios in {SCENARIOS}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_is_documented(path: Path) -> None:
    """Each file cites the fact sheet and an AWS page, in its data and in its comment header."""
    doc = _document(path)
    assert set(doc) <= {"title", "cites", "estate", "aws_json", "questions", "exposure"}, sorted(doc)
    assert ("estate" in doc) != ("aws_json" in doc), "exactly one of estate and aws_json"
    assert doc.get("title"), "a title"
    cites = [str(c) for c in doc.get("cites", [])]
    assert any(c.startswith("facts/network.md §") for c in cites), cites
    assert any(c.startswith("https://docs.aws.amazon.com/") for c in cites), cites
    header = path.read_text(encoding="utf-8").split("\ntitle:")[0]
    assert header.startswith("#") and "https://docs.aws.amazon.com/" in header, "a comment header citing AWS"
    assert doc.get("questions") or doc.get("exposure"), "something to check"
    for q in doc.get("questions", []):
        assert set(q) <= QUESTION_KEYS, sorted(set(q) - QUESTION_KEYS)
        assert q["expect"] in ("allowed", "denied") and q.get("why"), q
        assert q.get("blocked_by") is None or (q["expect"] == "denied" and q["blocked_by"] in COMPONENTS), q


@pytest.mark.parametrize(("path", "index"), _question_cases())
def test_question(path: Path, index: int, estates_dir: Path) -> None:
    q = _document(path)["questions"][index]
    loaded = _loaded(path, estates_dir)
    traffic = _traffic(q)
    try:
        result = loaded.reach.reach(str(q["from"]), str(q["to"]), traffic)
    except Exception as exc:  # a crash is a wrong answer too; the user sees a traceback
        if q.get("xfail_reason"):
            pytest.xfail(f"{q['xfail_reason']} ({type(exc).__name__}: {exc})")
        raise AssertionError(f"{path.name} question {index}: edgeward raised {type(exc).__name__}: {exc}") from exc
    trace = _trace(result)
    context = f"{path.name} question {index}: {q['why']}\n{trace}"
    problems = _check(q, result, loaded.snapshot)
    naive = _naive_verdict(loaded.snapshot, q, traffic)
    if naive is not None and naive != (result.verdict is Verdict.ALLOWED):
        problems.append(f"the naive evaluator says {'allowed' if naive else 'denied'}")
    if q.get("xfail_reason"):
        if problems:
            pytest.xfail(f"{q['xfail_reason']} ({'; '.join(problems)})")
        pytest.fail(f"marked xfail ({q['xfail_reason']}) but the engine now answers as AWS does:\n{context}")
    assert not problems, "; ".join(problems) + "\n" + context


def _check(q: dict[str, Any], result: ReachResult, snapshot: Snapshot) -> list[str]:
    problems: list[str] = []
    if result.verdict.value != q["expect"]:
        problems.append(f"expected {q['expect']}, got {result.verdict.value}")
    blocking = result.blocking_hop
    if q["expect"] == "denied" and blocking is None:
        problems.append("a denied flow must name the hop that blocks it")
    if "blocked_by" in q and (blocking is None or blocking.component != q["blocked_by"]):
        problems.append(f"expected blocked by {q['blocked_by']}, got {blocking.component if blocking else None}")
    if "blocked_on" in q and (blocking is None or blocking.direction != q["blocked_on"]):
        problems.append(
            f"expected blocked on the {q['blocked_on']} path, got {blocking.direction if blocking else None}"
        )
    if "ephemeral_ports" in q:
        wanted = _ports(q["ephemeral_ports"]) if q["ephemeral_ports"] != "none" else IntervalSet()
        if result.ephemeral_ports != wanted:
            got = result.ephemeral_ports.describe() if result.ephemeral_ports is not None else None
            problems.append(f"expected ephemeral ports {q['ephemeral_ports']}, got {got}")
    if "sources" in q:
        wanted_sources = _sources(q["sources"]) & snapshot.internet_addresses
        if result.internet_sources != wanted_sources:
            got_sources = result.internet_sources.to_cidrs() if result.internet_sources is not None else None
            problems.append(f"expected internet sources {wanted_sources.to_cidrs()}, got {got_sources}")
    if "appears_as" in q and f"appearing as {q['appears_as']}" not in result.summary:
        problems.append(f"expected the summary to say the flow leaves appearing as {q['appears_as']}")
    text = "\n".join([result.summary, *(h.text for h in result.hops), *result.notes])
    problems += [f"the trace does not mention {m!r}" for m in q.get("trace_mentions", []) if m not in text]
    return problems


@pytest.mark.parametrize("path", [p for p in FILES if "exposure" in _document(p)], ids=lambda p: p.stem)
def test_exposure(path: Path, estates_dir: Path) -> None:
    doc = _document(path)
    loaded = _loaded(path, estates_dir)
    exposure = Exposure(loaded.snapshot, loaded.reach)
    wanted: dict[str, list[dict[str, Any]]] = doc["exposure"] or {}
    listed = {e.interface.id: e for e in exposure.all()}
    assert set(listed) == set(wanted), f"exposed interfaces: {sorted(listed)}, expected {sorted(wanted)}"
    internet = loaded.snapshot.internet_addresses
    for eni_id, services in wanted.items():
        expected = TrafficSpace()
        for service in services:
            expected = expected | _service_space(service, internet)
        got = exposure.interface_space(loaded.snapshot.interfaces[eni_id])
        shown = "\n".join(
            f"  {s.protocol_text()} {s.port_text()} from {', '.join(s.sources.to_cidrs())}"
            for s in listed[eni_id].services
        )
        assert got == expected, f"{path.name}: exposure of {eni_id} differs; edgeward lists:\n{shown}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_naive_oracle_agrees(path: Path, estates_dir: Path) -> None:
    """The engine and the naive per-packet evaluator agree on every pair, probe and client."""
    loaded = _loaded(path, estates_dir)
    try:
        checked, _allowed = agree_on_everything(loaded.snapshot)
    except AssertionError as exc:
        raise AssertionError(f"{path.name}: {_with_trace(str(exc), loaded.reach)}") from exc
    assert checked > 0


def _with_trace(message: str, reach: Reachability) -> str:
    """The oracle's message ("a -> b <traffic>: engine X, naive Y") with the engine's trace of that flow."""
    first = message.splitlines()[0]
    head, _, _ = first.partition(": engine")
    for traffic in PROBES:
        suffix = " " + traffic.describe()
        if head.endswith(suffix) and " -> " in head:
            source, _, destination = head[: -len(suffix)].partition(" -> ")
            try:
                return f"{message}\n{_trace(reach.reach(source, destination, traffic))}"
            except Exception as exc:  # the oracle's message matters more than a second failure
                return f"{message}\n(edgeward raised {type(exc).__name__} when asked again: {exc})"
    return message
