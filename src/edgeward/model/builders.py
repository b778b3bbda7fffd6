"""Positional constructors for the frozen model classes, for the hot loops of a large load.

A frozen dataclass's `__init__` sets each field with `object.__setattr__`, which looks the attribute
up on the type every time; for 150,000 security group rules that is a tenth of a second. A builder
sets the same slots through their descriptors directly, and gives an object equal in every field
(and so in `==` and `hash`) to `cls(*values)`. It runs no `__post_init__`: only classes without one
may use it (checked), and every value must be given, in field order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def positional_builder(cls: type[T]) -> Callable[..., T]:
    """`build(*values)`: the object `cls(*values)` would be, every field given in order."""
    if not is_dataclass(cls) or not hasattr(cls, "__slots__") or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: a builder needs a slots dataclass without __post_init__")
    names = [f.name for f in fields(cls)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = _new(_cls)"]
    for i, name in enumerate(names):
        namespace[f"_set{i}"] = getattr(cls, name).__set__  # the slot's member descriptor
        lines.append(f"    _set{i}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)  # generated like dataclasses' own __init__
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = f"positional_builder({cls.__name__})"
    return build
