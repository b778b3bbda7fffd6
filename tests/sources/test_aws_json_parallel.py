"""Reading a directory on two cores (sources/aws_json_parallel.py) gives exactly the sequential answer:
the same estate in the same order, the same first error, and a worker that fails changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from bench.generate import generate

from edgeward.errors import InputError
from edgeward.sources import aws_json
from edgeward.sources import aws_json_parallel as parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker is forked")


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("estate")
    generate(out, size="small", seed=3)
    return out


def _files(root: Path) -> list[tuple[Path, str | None, str | None]]:
    return list(aws_json._walk(root))


def _kind(path: Path) -> str:
    return next(iter(json.loads(path.read_text())))


def _sequential(root: Path) -> aws_json.Collected:
    collected = aws_json.Collected()
    for file in _files(root):
        collected.absorb(aws_json.read_file(file))
    return collected


def _parallel(root: Path, share: list[int]) -> aws_json.Collected:
    collected = aws_json.Collected()
    parallel.collect_in_parallel(_files(root), share, aws_json.read_file, collected.absorb)
    return collected


def _share(root: Path, *kinds: str) -> list[int]:
    return [i for i, (path, _, _) in enumerate(_files(root)) if _kind(path) in kinds]


def _same(a: aws_json.Collected, b: aws_json.Collected) -> None:
    estate_a, estate_b = aws_json.network_estate(a), aws_json.network_estate(b)
    assert estate_a == estate_b
    assert [e.id for e in estate_a.network_interfaces] == [e.id for e in estate_b.network_interfaces]
    assert [i.id for i in estate_a.instances] == [i.id for i in estate_b.instances]


def test_the_worker_share_gives_the_sequential_estate_in_the_same_order(estate: Path) -> None:
    share = _share(estate, "Reservations", "NetworkInterfaces")
    assert len(share) >= 2
    _same(_parallel(estate, share), _sequential(estate))


def test_corpus_directories_read_in_parallel_equal_sequential(corpus: Path) -> None:
    checked = 0
    for root in sorted(p for p in corpus.iterdir() if p.is_dir()):
        share = _share(root, "Reservations", "NetworkInterfaces")
        if share:
            _same(_parallel(root, share), _sequential(root))
            checked += 1
    assert checked >= 3


def test_reservations_read_by_the_worker_are_not_read_again_when_the_interfaces_are_described_here(
    estate: Path,
) -> None:
    files = _files(estate)
    share = _share(estate, "Reservations")  # describe-network-interfaces stays in this process
    read_here: list[int] = []

    def counting(file: tuple[Path, str | None, str | None]) -> aws_json.Collected:
        if os.getpid() == parent:
            read_here.append(files.index(file))
        return aws_json.read_file(file)

    parent = os.getpid()
    collected = aws_json.Collected()
    parallel.collect_in_parallel(files, share, counting, collected.absorb)
    _same(collected, _sequential(estate))
    assert not set(read_here) & set(share)


def test_an_interface_only_reservations_describe_is_read_here_with_its_raw_data(tmp_path: Path, estate: Path) -> None:
    root = tmp_path / "estate"
    root.mkdir()
    for file in estate.rglob("*.json"):
        target = root / file.relative_to(estate)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    # drop one interface from describe-network-interfaces: only describe-instances still has it
    ni = next(p for p in root.rglob("*.json") if _kind(p) == "NetworkInterfaces")
    doc = json.loads(ni.read_text())
    in_instance = next(e for e in doc["NetworkInterfaces"] if (e.get("Attachment") or {}).get("InstanceId"))
    doc["NetworkInterfaces"].remove(in_instance)
    ni.write_text(json.dumps(doc))
    sequential = _sequential(root)
    assert in_instance["NetworkInterfaceId"] in {e.id for e in aws_json.network_estate(sequential).network_interfaces}
    _same(_parallel(root, _share(root, "Reservations")), sequential)


def test_the_first_error_in_file_order_is_the_one_reported(tmp_path: Path, estate: Path) -> None:
    root = tmp_path / "estate"
    for file in estate.rglob("*.json"):
        target = root / file.relative_to(estate)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.read_bytes())
    files = _files(root)
    share = _share(root, "Reservations", "NetworkInterfaces")
    first_theirs = share[0]
    later_own = next(i for i in range(first_theirs + 1, len(files)) if i not in share)
    files[first_theirs][0].write_text('{"Reservations": [{"Instances": [{"InstanceId": 7}]}]}')
    files[later_own][0].write_text("{not json")

    with pytest.raises(InputError) as sequential:
        _sequential(root)
    with pytest.raises(InputError) as both:
        _parallel(root, share)
    assert str(both.value) == str(sequential.value)
    assert str(files[first_theirs][0]) in str(both.value)

    files[first_theirs][0].write_text(estate.joinpath(files[first_theirs][0].relative_to(root)).read_text())
    with pytest.raises(InputError) as own_only:
        _parallel(root, share)
    assert str(files[later_own][0]) in str(own_only.value)


def test_a_worker_that_fails_changes_nothing(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> bytes:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(parallel, "_work", broken)  # the forked worker runs this and exits 1
    _same(_parallel(estate, _share(estate, "Reservations", "NetworkInterfaces")), _sequential(estate))


def test_when_the_worker_is_used(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(estate)
    share = parallel.worker_share(files, min_bytes=0)
    if share is None:  # one CPU, or not Linux: then never
        assert len(os.sched_getaffinity(0)) < 2 if hasattr(os, "sched_getaffinity") else True
        return
    assert share and {_kind(files[i][0]) for i in share} <= {"Reservations", "NetworkInterfaces"}
    assert parallel.worker_share(files) is None  # a small estate is not worth a process
    monkeypatch.setenv("EDGEWARD_WORKERS", "1")
    assert parallel.worker_share(files, min_bytes=0) is None
