"""Text rendering of the reachability matrix (analysis/matrix.py): classes and the traffic between them."""

from __future__ import annotations

from collections.abc import Iterator

from edgeward.analysis.matrix import ReachabilityMatrix


def render_matrix(matrix: ReachabilityMatrix, members_shown: int = 3) -> str:
    """A summary, then each class with the classes it reaches privately and with what."""
    return "\n".join(matrix_lines(matrix, members_shown))


def matrix_lines(matrix: ReachabilityMatrix, members_shown: int = 3) -> Iterator[str]:
    """The text of `render_matrix`, line by line (a large estate has millions of lines)."""
    interfaces = sum(len(c.interfaces) for c in matrix.classes)
    allowed_cells = sum(1 for mask in matrix.cells.values() if mask)
    asked = "all traffic" if matrix.traffic is None else ", ".join(t.describe() for t in matrix.traffic)
    yield (
        f"Private reachability between interfaces ({asked}): {len(matrix.classes):,} classes of "
        f"{interfaces:,} interfaces"
    )
    yield (
        f"{len(matrix.cells):,} class pairs have a private route (same subnet, local or peering); "
        f"{allowed_cells:,} of them allow traffic ({matrix.interface_pairs():,} interface pairs)"
    )
    if matrix.left_out:
        yield f"left out: {len(matrix.left_out):,} interfaces (no private IPv4 address, or unknown values)"
    yield ""
    reached: dict[int, list[tuple[int, int]]] = {}
    for (source, destination), mask in sorted(matrix.cells.items()):
        if mask:
            reached.setdefault(source, []).append((destination, mask))
    for index, cls in enumerate(matrix.classes):
        members = ", ".join(cls.interfaces[:members_shown])
        if len(cls.interfaces) > members_shown:
            members += f" and {len(cls.interfaces) - members_shown} more"
        groups = ", ".join(cls.group_ids) or "no security group"
        node = f", load balancer {cls.load_balancer}" if cls.load_balancer else ""
        yield f"{cls.id}: {cls.vpc_id} {cls.subnet_id} [{groups}]{node} ({members})"
        cells = reached.get(index)
        if not cells:
            yield "  (reaches no other class privately)"
            continue
        for destination, mask in cells:
            yield f"  -> {matrix.classes[destination].id}: {'; '.join(matrix.describe_cell(mask))}"
