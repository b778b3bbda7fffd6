"""Positional builders (model/builders.py) make objects equal in every field to the constructor's."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest

from edgeward.model.builders import positional_builder
from edgeward.model.network import (
    GroupReference,
    Instance,
    NetworkInterface,
    PeerKind,
    SecurityGroupRule,
    SourceRef,
)

SAMPLES: list[tuple[type, tuple[object, ...]]] = [
    (
        SecurityGroupRule,
        ("sg-1", False, 6, 80, 443, PeerKind.SECURITY_GROUP, None, GroupReference("sg-2"), None, "web", None, "p"),
    ),
    (GroupReference, ("sg-2", "111122223333", "vpc-1", "pcx-1", "active")),
    (SourceRef, ("f.json", "SecurityGroups[0]", 12, "aws_security_group.web")),
    (Instance, ("i-1", "111122223333", "eu-west-1", ("eni-1",), "stopped", (("Name", "web"),), SourceRef("f"))),
    (
        NetworkInterface,
        (
            "eni-1",
            "vpc-1",
            "subnet-1",
            "111122223333",
            "eu-west-1",
            ("10.0.0.5",),
            ("2001:db8::5",),
            ("203.0.113.5",),
            ("sg-1",),
            "i-1",
            0,
            "interface",
            "web",
            False,
            "in-use",
            (("Name", "web"),),
            SourceRef("f", "NetworkInterfaces[0]"),
        ),
    ),
]


@pytest.mark.parametrize(("cls", "values"), SAMPLES, ids=[cls.__name__ for cls, _ in SAMPLES])
def test_a_built_object_equals_the_constructed_one_in_every_field(cls: type, values: tuple[object, ...]) -> None:
    assert len(values) == len(fields(cls))
    built = positional_builder(cls)(*values)
    made = cls(*values)
    assert type(built) is cls
    assert built == made and hash(built) == hash(made)
    assert [getattr(built, f.name) for f in fields(cls)] == list(values)
    with pytest.raises(AttributeError):
        built.__setattr__(fields(cls)[0].name, "changed")  # still frozen


def test_every_field_must_be_given_and_no_more() -> None:
    build = positional_builder(GroupReference)
    with pytest.raises(TypeError):
        build("sg-1")
    with pytest.raises(TypeError):
        build("sg-1", None, None, None, None, "extra")


def test_classes_with_post_init_or_without_slots_are_refused() -> None:
    @dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclass(frozen=True)
    class Plain:
        value: int

    for cls in (Checked, Plain):
        with pytest.raises(TypeError):
            positional_builder(cls)
