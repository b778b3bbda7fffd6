"""Reading a large AWS JSON directory on two cores: the interfaces and instances in a forked worker.

On a large estate the outputs of describe-instances and describe-network-interfaces are most of the
bytes (on the benchmark's large estate, 160 of 214 MB). What they become is small and plain
(interfaces and instances: strings, numbers and tuples), so a worker process can parse and transform
them while this process reads everything else, and send its results back cheaply (`marshal`).

The answer is exactly the sequential one:

- every file is transformed by the same `dispatch`, in a fresh `Collected` per file, and the files'
  results are merged in file order, as the sequential reader appends them;
- the worker sends back only interfaces and instances (and the ids of the interfaces only
  `Reservations` describe). A file whose result holds anything else, or one of those interfaces
  that no `NetworkInterfaces` output describes (its raw data is needed), is read again by this
  process, as is every file after a worker error;
- if the worker fails in any way, this process reads all of its files itself;
- errors: the merge walks the files in order and raises the first error met, so the error reported
  is the one the sequential reader would have reported.

Used only where edgeward/forking.py allows a worker (Linux, two CPUs, no other thread; not with
EDGEWARD_WORKERS=1), and with enough bytes in the worker's share to pay for it (`MIN_WORKER_BYTES`).
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from edgeward import forking
from edgeward.errors import InputError
from edgeward.forking import Forked
from edgeward.model.network import Instance, NetworkInterface
from edgeward.sources.aws_transform import build_instance, build_interface, build_source_ref

# The worker's share must be at least this large: below it, forking costs more than it saves.
MIN_WORKER_BYTES = 24 * 1024 * 1024
_FIRST_KEY = re.compile(rb'^\s*\{\s*"([A-Za-z]+)"\s*:')
_HEAD_BYTES = 512
# Cost of reading a file (parsing and transforming), in milliseconds: a fixed part, and a part per
# megabyte for each kind of output (measured on the benchmark's estates). The worker takes kinds it
# can send back, until the two halves balance.
_FILE_COST = 1.0
_COST_PER_MB = {"Reservations": 4.6, "NetworkInterfaces": 8.6, "SecurityGroups": 15.5}
_OTHER_COST_PER_MB = 15.0
# The worker's part of the total: under half, as its large files parse slower beside this process
# (memory bandwidth) and this process also merges (0.35, 0.4, 0.45 and 0.5 measured; 0.4 best).
_WORKER_PART = 0.40
_WORKER_KINDS = ("Reservations", "NetworkInterfaces")  # cheapest to send back first

File = tuple[Path, str | None, str | None]  # (path, account, region) as aws_json._walk yields them
Row = tuple[Any, ...]
_INTERFACE_FIELDS = tuple(f.name for f in fields(NetworkInterface))
_INSTANCE_FIELDS = tuple(f.name for f in fields(Instance))


def worker_share(files: Sequence[File], min_bytes: int = MIN_WORKER_BYTES) -> list[int] | None:
    """Indexes of the files the worker should read, or None when a worker is not worth it here."""
    if not forking.available():
        return None
    kinds: list[tuple[int, str, int]] = []  # (index, first key, bytes)
    for index, (path, _, _) in enumerate(files):
        try:
            with path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES)
            size = path.stat().st_size
        except OSError:
            continue  # this process reads it, and reports the error in its place
        found = _FIRST_KEY.match(head)
        kinds.append((index, found.group(1).decode() if found else "", size))

    def cost(kind: str, size: int) -> float:
        return _FILE_COST + size / 1e6 * _COST_PER_MB.get(kind, _OTHER_COST_PER_MB)

    total = sum(cost(kind, size) for _, kind, size in kinds)
    share: list[int] = []
    taken = size_taken = 0.0
    for wanted in _WORKER_KINDS:
        for index, kind, size in kinds:
            if kind == wanted and taken + cost(kind, size) / 2 <= total * _WORKER_PART:
                share.append(index)
                taken += cost(kind, size)
                size_taken += size
    return sorted(share) if share and size_taken >= min_bytes else None


def _pack(objects: Sequence[Any], names: tuple[str, ...]) -> list[Row]:
    """Each object as the tuple of its fields, its SourceRef as a tuple too (what marshal can carry)."""
    values = attrgetter(*names)
    rows = []
    for obj in objects:
        row = values(obj)
        source = row[-1]
        rows.append((*row[:-1], (source.file, source.place, source.line, source.address)))
    return rows


def _unpack_interfaces(rows: list[Row]) -> list[NetworkInterface]:
    return [build_interface(*row[:-1], build_source_ref(*row[-1])) for row in rows]


def _unpack_instances(rows: list[Row]) -> list[Instance]:
    return [build_instance(*row[:-1], build_source_ref(*row[-1])) for row in rows]


# What the worker sends back for a file: its interfaces, its instances, and the ids of the interfaces
# only its Reservations describe (used only if no NetworkInterfaces output describes them); or None.
Sent = tuple[list[Row], list[Row], list[str]]


def _work(files: Sequence[File], indexes: list[int], read_file: Callable[[File], Any]) -> bytes:
    """In the worker: what each file collected, or None (this process reads it again)."""
    results: dict[int, Sent | None] = {}
    failed = False
    for index in indexes:
        if failed:
            results[index] = None
            continue
        try:
            collected = read_file(files[index])
        except InputError:
            results[index] = None
            failed = True  # the files after it are read again too, so errors come out in order
            continue
        if not collected.only_interfaces_and_instances():
            results[index] = None
            continue
        results[index] = (
            _pack(collected.interfaces, _INTERFACE_FIELDS),
            _pack(collected.instances, _INSTANCE_FIELDS),
            [p.id for p in collected.pending_interfaces],
        )
    return marshal.dumps(results)


def collect_in_parallel(
    files: Sequence[File], share: list[int], read_file: Callable[[File], Any], merge: Callable[[Any], None]
) -> None:
    """Read `files` with a worker taking `share`; `merge` receives each file's Collected in file order."""
    with Forked(lambda: _work(files, share, read_file)) as worker:
        theirs = set(share)
        own: dict[int, Any] = {}
        stopped_at: tuple[int, InputError] | None = None
        for index in range(len(files)):
            if index in theirs:
                continue
            try:
                own[index] = read_file(files[index])
            except InputError as exc:
                stopped_at = (index, exc)
                break
        payload = worker.result()
    results: dict[int, Sent | None] = {}
    if payload is not None:
        try:
            results = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            results = {}  # read everything of the worker's here
    # an interface only a worker file's Reservations describe needs its raw data: read that file here
    described = {eni.id for collected in own.values() for eni in collected.interfaces}
    described.update(row[0] for sent in results.values() if sent is not None for row in sent[0])
    for index, sent in list(results.items()):
        if sent is not None and not described.issuperset(sent[2]):
            results[index] = None
    for index in range(len(files)):
        if stopped_at is not None and index == stopped_at[0]:
            raise stopped_at[1]
        if index in theirs:
            done = results.get(index)
            merge(read_file(files[index]) if done is None else _rebuilt(done))
        else:
            merge(own.pop(index))


def _rebuilt(done: Sent) -> Any:
    from edgeward.sources.aws_json import Collected

    interfaces, instances, _ = done
    return Collected(interfaces=_unpack_interfaces(interfaces), instances=_unpack_instances(instances))
