"""Readable CloudFront origin scenarios under tests/scenarios/origins/: an estate and the verdicts.

Each file states one family of corners of issue 3 (part 4), cites the AWS facts they rest on
(`cites`: sections of shared/facts/cloudfront.md and network.md, and AWS pages), and gives:

- `estate`: the estate in edgeward's native format, or `aws_json`: {file name: AWS CLI output};
- `expect`: one entry per origin of the estate (every origin must have one): the `corner` it shows,
  `distribution`, `origin`, the `verdict` a user must see, `why`, and optionally words that the
  summary, evidence, fix and notes must contain (`summary_mentions`, `evidence_mentions`,
  `fix_mentions`, `notes_mentions`).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from edgeward.analysis.origins import VERDICTS, OriginAnalysis, OriginVerdict
from edgeward.sources import load_snapshot

SCENARIOS = Path(__file__).parent / "origins"
FILES = sorted(SCENARIOS.glob("*.yaml"))
FILE_KEYS = {"title", "cites", "estate", "aws_json", "expect"}
EXPECT_KEYS = {
    "corner",
    "distribution",
    "origin",
    "verdict",
    "why",
    "cites",
    "summary_mentions",
    "evidence_mentions",
    "fix_mentions",
    "notes_mentions",
}


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (the later one would win silently)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"line {node.start_mark.line + 1}: key(s) {', '.join(twice)} given twice")
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@cache
def _document(path: Path) -> dict[str, Any]:
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    assert isinstance(doc, dict), f"{path.name}: not a mapping"
    return doc


_VERDICTS: dict[Path, dict[tuple[str, str], OriginVerdict]] = {}


def verdicts_of(path: Path, tmp_root: Path) -> dict[tuple[str, str], OriginVerdict]:
    """The scenario's estate written out as a user would have it, read by the normal loader."""
    if path not in _VERDICTS:
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
        found = OriginAnalysis(load_snapshot(target)).all()
        _VERDICTS[path] = {(v.distribution.id, v.origin.id): v for v in found}
    return _VERDICTS[path]


@pytest.fixture(scope="session")
def estates_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("origin-scenarios")


def _cases() -> list[Any]:
    out = []
    for path in FILES:
        for n, entry in enumerate(_document(path).get("expect", [])):
            out.append(pytest.param(path, entry, id=f"{path.stem}[{n}]-{entry.get('distribution')}"))
    return out


def test_scenario_files_are_well_formed() -> None:
    assert len(FILES) >= 8, f"expected the origin scenarios in {SCENARIOS}"
    for path in FILES:
        doc = _document(path)
        assert set(doc) <= FILE_KEYS, f"{path.name}: unknown keys {set(doc) - FILE_KEYS}"
        assert doc.get("title") and doc.get("cites"), f"{path.name}: needs a title and cites"
        assert ("estate" in doc) != ("aws_json" in doc), f"{path.name}: give estate or aws_json"
        for entry in doc["expect"]:
            assert set(entry) <= EXPECT_KEYS, f"{path.name}: unknown keys {set(entry) - EXPECT_KEYS}"
            assert entry["verdict"] in VERDICTS, f"{path.name}: {entry['verdict']}"
            assert entry.get("corner") and entry.get("why"), f"{path.name}: each expectation names its corner and why"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_origin_has_an_expectation(path: Path, estates_dir: Path) -> None:
    found = set(verdicts_of(path, estates_dir))
    expected = {(e["distribution"], e["origin"]) for e in _document(path)["expect"]}
    assert found == expected, f"{path.name}: origins without expectation {found - expected}, unknown {expected - found}"


def _text(values: tuple[str, ...] | list[str] | str) -> str:
    return "\n".join(values) if not isinstance(values, str) else values


@pytest.mark.parametrize(("path", "entry"), _cases())
def test_origin_verdict(path: Path, entry: dict[str, Any], estates_dir: Path) -> None:
    verdict = verdicts_of(path, estates_dir)[(entry["distribution"], entry["origin"])]
    shown = json.dumps(verdict.to_json(), indent=1)
    assert verdict.verdict == entry["verdict"], (
        f"{entry['corner']}: expected {entry['verdict']} ({entry['why']})\n{shown}"
    )
    fix_text = "" if verdict.fix is None else verdict.fix.text + "\n" + json.dumps(verdict.fix.to_json())
    for key, text in (
        ("summary_mentions", verdict.summary),
        ("evidence_mentions", _text(verdict.evidence)),
        ("fix_mentions", fix_text),
        ("notes_mentions", _text(verdict.notes)),
    ):
        for words in entry.get(key, []):
            assert words in text, f"{entry['corner']}: {key} lacks {words!r}\n{shown}"
    if verdict.verdict == "only-via-cloudfront":
        assert verdict.fix is None, "an origin reachable only through CloudFront needs no fix"
    else:
        assert verdict.fix is not None and verdict.fix.text, f"{entry['corner']}: a non-passing verdict carries a fix"
