"""Text rendering of the reachability matrix (analysis/matrix.py): classes and the traffic between them."""

from __future__ import annotations

from edgeward.analysis.matrix import ReachabilityMatrix


def render_matrix(matrix: ReachabilityMatrix, members_shown: int = 3) -> str:
    """A summary, then each class with the classes it reaches privately and with what."""
    interfaces = sum(len(c.interfaces) for c in matrix.classes)
    allowed_cells = sum(1 for mask in matrix.cells.values() if mask)
    asked = "all traffic" if matrix.traffic is None else ", ".join(t.describe() for t in matrix.traffic)
    lines = [
        f"Private reachability between interfaces ({asked}): {len(matrix.classes):,} classes of "
        f"{interfaces:,} interfaces",
        f"{len(matrix.cells):,} class pairs have a private route (same subnet, local or peering); "
        f"{allowed_cells:,} of them allow traffic ({matrix.interface_pairs():,} interface pairs)",
    ]
    if matrix.left_out:
        lines.append(f"left out: {len(matrix.left_out):,} interfaces (no private IPv4 address, or unknown values)")
    lines.append("")
    reached: dict[int, list[str]] = {}
    for source, destination, mask in matrix.allowed_pairs():
        index = int(source.id[1:]) - 1
        reached.setdefault(index, []).append(f"  -> {destination.id}: {'; '.join(matrix.describe_cell(mask))}")
    for index, cls in enumerate(matrix.classes):
        members = ", ".join(cls.interfaces[:members_shown])
        if len(cls.interfaces) > members_shown:
            members += f" and {len(cls.interfaces) - members_shown} more"
        groups = ", ".join(cls.group_ids) or "no security group"
        node = f", load balancer {cls.load_balancer}" if cls.load_balancer else ""
        lines.append(f"{cls.id}: {cls.vpc_id} {cls.subnet_id} [{groups}]{node} ({members})")
        lines.extend(reached.get(index, ["  (reaches no other class privately)"]))
    return "\n".join(lines)
