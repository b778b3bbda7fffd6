"""Regenerate docs/rules.md from the rule registry (a test fails when the committed file is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from edgeward.report.rules_doc import rules_markdown
from edgeward.rules.registry import RULES

TARGET = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def main() -> int:
    TARGET.write_text(rules_markdown(RULES), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
