"""`edgeward origins` as text: one block per origin, verdict first, then why and the smallest fix."""

from __future__ import annotations

import json
from collections import Counter

from edgeward.analysis.origins import VERDICTS, OriginVerdict

TITLE = {
    "only-via-cloudfront": "ONLY VIA CLOUDFRONT",
    "other-distributions-can-reach": "OTHER DISTRIBUTIONS CAN REACH",
    "bypassable": "BYPASSABLE",
    "unknown": "UNKNOWN",
}


def render_origins(verdicts: list[OriginVerdict], notes: tuple[str, ...] = ()) -> str:
    if not verdicts:
        return "No CloudFront distribution (with origins) in this estate."
    lines: list[str] = []
    for v in verdicts:
        where = v.origin.domain or f"VPC origin {v.origin.vpc_origin_id}"
        lines.append(f"{TITLE[v.verdict]}: {v.distribution.label} origin {v.origin.id} ({where})")
        lines.append(f"  resolved to: {v.resolved}")
        lines.append(f"  {v.summary}")
        if v.evidence:
            lines.append("  evidence:")
            lines.extend(f"    - {e}" for e in v.evidence)
        if v.fix is not None:
            lines.append(f"  fix: {v.fix.text}")
            lines.extend(f"    change: {json.dumps(c, sort_keys=True)}" for c in v.fix.changes)
        lines.extend(f"  note: {n}" for n in v.notes)
        lines.append("")
    counts = Counter(v.verdict for v in verdicts)
    lines.append(
        f"{len(verdicts)} origin(s): " + ", ".join(f"{counts[name]} {name}" for name in VERDICTS if counts[name])
    )
    lines.extend(f"Note: {n}" for n in notes)
    return "\n".join(lines)
