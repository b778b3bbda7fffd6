"""Prepare a Terraform state from a plan, as if it had been applied (for test fixtures only).

    python scripts/terraform_state_from_plan.py PLAN_JSON APPLIED_JSON > terraform.tfstate

PLAN_JSON is `terraform show -json` of a plan made with no state. Every value the plan leaves
unknown is filled: from APPLIED_JSON (`{"<address>": {"<attribute>": value}}`, what AWS would have
assigned: ids, addresses, IPv6 blocks), else, for an attribute whose configuration expression
names exactly one resource, with that resource's id (an `_id` attribute or an inline block's
field), else `tags_all` from `tags`, `arn` and `owner_id` made up, else null. Running
`terraform plan -refresh=false` over the result then shows no change, and `terraform show -json`
of it is a real state document, with no AWS access at any step.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
INDEX = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+|\*)\]')


def walk(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        out.extend(walk(child))
    return out


def config_resources(configuration: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def visit(module: dict[str, Any], prefix: str) -> None:
        for res in module.get("resources", []):
            out[prefix + res["address"]] = res
        for name, call in module.get("module_calls", {}).items():
            visit(call.get("module", {}), f"{prefix}module.{name}.")

    visit(configuration.get("root_module", {}), "")
    return out


def refs_of(expr: Any) -> list[str]:
    if isinstance(expr, dict):
        refs = list(expr.get("references", []))
        for key, value in expr.items():
            if key not in ("references", "constant_value"):
                refs.extend(refs_of(value))
        return refs
    if isinstance(expr, list):
        return [r for item in expr for r in refs_of(item)]
    return []


def main() -> None:
    plan = json.load(open(sys.argv[1]))
    applied: dict[str, dict[str, Any]] = json.load(open(sys.argv[2]))
    unknown = {rc["address"]: rc["change"].get("after_unknown", {}) for rc in plan.get("resource_changes", [])}
    configs = config_resources(plan["configuration"])
    resources = [r for r in walk(plan["planned_values"]["root_module"]) if r["mode"] == "managed"]
    values: dict[str, dict[str, Any]] = {r["address"]: dict(r.get("values") or {}) for r in resources}
    by_config: dict[str, list[str]] = {}
    for r in resources:
        by_config.setdefault(INDEX.sub("", r["address"]), []).append(r["address"])

    def module_prefix(address: str) -> str:
        return "".join(f"module.{m}." for m in re.findall(r"module\.([A-Za-z0-9_-]+)", address))

    def follow(prefix: str, ref: str) -> tuple[str, str] | None:
        """The address of the one resource a reference names (through module outputs), and the attribute."""
        m = re.match(r"^module\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)", ref)
        if m:
            module = plan["configuration"]["root_module"]
            for name in [*re.findall(r"module\.([A-Za-z0-9_-]+)\.", prefix), m.group(1)]:
                module = module["module_calls"][name]["module"]
            output_refs = refs_of(module["outputs"][m.group(2)]["expression"])
            return follow(prefix + f"module.{m.group(1)}.", output_refs[0]) if output_refs else None
        m = re.match(r"^(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\.([a-z0-9_]+))?", ref)
        if m:
            found = by_config.get(prefix + m.group(1), [])
            return (found[0], m.group(2) or "id") if len(found) == 1 else None
        return None

    def targets_of(address: str, attr: str) -> list[tuple[str, str]]:
        config = configs.get(INDEX.sub("", address), {})
        refs = [r for r in refs_of(config.get("expressions", {}).get(attr)) if not r.startswith(("count.", "each."))]
        kept = [r for r in refs if not any(k.startswith(r + ".") for k in refs)]
        return list(dict.fromkeys(t for t in (follow(module_prefix(address), r) for r in kept) if t))

    def resolve_id(address: str, attr: str) -> Any:
        targets = targets_of(address, attr)
        return values[targets[0][0]].get(targets[0][1]) if len(targets) == 1 else None

    def resolve_ids(address: str, attr: str) -> Any:
        return [values[t].get(a) for t, a in targets_of(address, attr)]

    def fill(address: str, attr: str, flags: Any, current: Any) -> Any:
        if flags is True:
            if attr in applied.get(address, {}):
                return applied[address][attr]
            if attr.endswith(("_id", "_arn")) or attr in ("instance", "network_interface"):
                return resolve_id(address, attr)
            if attr.endswith("_ids") or attr in ("security_groups", "subnets"):
                return resolve_ids(address, attr)
            return None
        if isinstance(flags, list) and isinstance(current, list):
            out = []
            for i, item in enumerate(current):
                item_flags = flags[i] if i < len(flags) else {}
                if isinstance(item, dict) and isinstance(item_flags, dict):
                    item = dict(item)
                    for key, flag in item_flags.items():
                        if flag is True:
                            item[key] = resolve_id(address, attr) if key.endswith(("_id", "_arn")) else None
                out.append(item)
            return out
        return current

    for _ in range(5):  # ids flow along references: repeat until every link is filled
        for r in resources:
            address = r["address"]
            own = values[address]
            for attr, flags in unknown.get(address, {}).items():
                if attr == "id":
                    own["id"] = applied.get(address, {}).get("id")
                elif attr == "tags_all":
                    own["tags_all"] = own.get("tags") or {}
                elif attr == "arn":
                    own["arn"] = f"arn:aws:ec2:{REGION}:{ACCOUNT}:{r['type'].removeprefix('aws_')}/{own.get('id')}"
                elif attr == "owner_id":
                    own["owner_id"] = ACCOUNT
                else:
                    own[attr] = fill(address, attr, flags, own.get(attr))
            for attr, value in applied.get(address, {}).items():
                own[attr] = value

    for r in resources:  # what AWS reads back where the plan has null
        if r["type"] in ("aws_network_acl", "aws_default_network_acl"):
            for key in ("ingress", "egress"):
                for item in values[r["address"]].get(key) or []:
                    for field in ("icmp_code", "icmp_type"):
                        item[field] = item.get(field) or 0

    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in resources:
        module = r["address"].rsplit(f"{r['type']}.{r['name']}", 1)[0].rstrip(".")
        instance: dict[str, Any] = {
            "schema_version": r.get("schema_version", 0),
            "attributes": values[r["address"]],
            "sensitive_attributes": [],
        }
        if "index" in r:
            instance["index_key"] = r["index"]
        grouped.setdefault((module, r["type"], r["name"]), []).append(instance)
    state = {
        "version": 4,
        "terraform_version": plan["terraform_version"],
        "serial": 1,
        "lineage": "6d1f4b1e-edge-ward-0000-fixture000000",
        "outputs": {},
        "resources": [
            {
                **({"module": module} if module else {}),
                "mode": "managed",
                "type": rtype,
                "name": name,
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": instances,
            }
            for (module, rtype, name), instances in grouped.items()
        ],
        "check_results": None,
    }
    json.dump(state, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
