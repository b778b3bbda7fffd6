"""The estate as graph data for the HTML report: nodes, compound parents, internet flows, findings.

Only lookups: the exposure comes from `analysis.exposure`, the severities from the audit's findings.
Nothing here decides whether something is reachable or wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edgeward.analysis.exposure import InterfaceExposure
from edgeward.analysis.flows import describe_internet_sources
from edgeward.model.network import NetworkInterface
from edgeward.model.snapshot import Snapshot
from edgeward.rules.audit import AuditResult
from edgeward.rules.base import Finding, Severity

INTERNET = "internet"
EXPOSURE_RULES = frozenset({"EW101", "EW102", "EW103", "EW106"})


def _node_kind(eni: NetworkInterface) -> str:
    text = eni.description.lower()
    if eni.instance_id:
        return "instance"
    if text.startswith("elb ") or eni.interface_type in ("network_load_balancer", "gateway_load_balancer"):
        return "load-balancer"
    if eni.interface_type == "nat_gateway" or text.startswith("interface for nat gateway"):
        return "nat-gateway"
    if text.startswith("rds") or "database" in text:
        return "database"
    return "interface"


class GraphBuilder:
    def __init__(self, snapshot: Snapshot, result: AuditResult, exposures: Sequence[InterfaceExposure]) -> None:
        self.snapshot = snapshot
        self.result = result
        self.exposures = exposures
        self.node_of_interface: dict[str, str] = {}

    def node_id_for(self, eni: NetworkInterface) -> str:
        return eni.instance_id if eni.instance_id else eni.id

    def build(self) -> dict[str, Any]:
        nodes: list[dict[str, Any]] = [
            {"data": {"id": INTERNET, "label": "Internet", "kind": "internet", "severity": "none"}}
        ]
        for vpc in self.snapshot.vpcs.values():
            label = f"{vpc.name} ({vpc.id})" if vpc.name else vpc.id
            nodes.append({"data": {"id": vpc.id, "label": label, "kind": "vpc", "severity": "none"}})
        for subnet in self.snapshot.subnets.values():
            cidr = subnet.cidr_v4 or (subnet.cidrs_v6[0] if subnet.cidrs_v6 else "")
            prefix = f"{subnet.name} " if subnet.name else ""
            nodes.append(
                {
                    "data": {
                        "id": subnet.id,
                        "parent": subnet.vpc_id,
                        "label": f"{prefix}{subnet.id} {cidr}".strip(),
                        "kind": "subnet",
                        "severity": "none",
                    }
                }
            )
        seen: set[str] = set()
        for eni in self.snapshot.interfaces.values():
            node_id = self.node_id_for(eni)
            self.node_of_interface[eni.id] = node_id
            if node_id in seen:
                continue
            seen.add(node_id)
            instance = self.snapshot.instances.get(eni.instance_id or "")
            name: str | None = instance.name if instance else eni.name or eni.description
            label = f"{name} ({node_id})" if name else node_id
            nodes.append(
                {
                    "data": {
                        "id": node_id,
                        "parent": eni.subnet_id,
                        "label": label,
                        "kind": _node_kind(eni),
                        "interfaces": [eni.id],
                        "addresses": list(eni.private_ipv4s + eni.public_ipv4s + eni.ipv6s),
                        "groups": list(eni.group_ids),
                        "severity": "none",
                    }
                }
            )
        by_id = {n["data"]["id"]: n for n in nodes}
        for eni in self.snapshot.interfaces.values():
            node = by_id[self.node_of_interface[eni.id]]
            if eni.id not in node["data"]["interfaces"]:
                node["data"]["interfaces"].append(eni.id)

        findings = [f for f in self.result.findings if not f.suppressed]
        finding_nodes = [self.nodes_of_finding(f, by_id) for f in findings]
        for f, targets in zip(findings, finding_nodes, strict=True):
            for target in targets:
                data = by_id[target]["data"]
                data["severity"] = _max_severity(data["severity"], f.severity.value)

        edges: list[dict[str, Any]] = []
        for item in self.exposures:
            flow_target = self.node_of_interface.get(item.interface.id)
            if flow_target is None:
                continue
            severity = "exposed"
            for f, targets in zip(findings, finding_nodes, strict=True):
                if f.rule_id in EXPOSURE_RULES and flow_target in targets:
                    severity = _max_severity(severity, f.severity.value)
            services = [f"{s.protocol_text()} {s.port_text()}" for s in item.services]
            sources = sorted({describe_internet_sources(self.snapshot, s.sources, 3) for s in item.services})
            edges.append(
                {
                    "data": {
                        "id": f"flow:{item.interface.id}",
                        "source": INTERNET,
                        "target": flow_target,
                        "label": "; ".join(services[:3]) + (" ..." if len(services) > 3 else ""),
                        "services": services,
                        "sources": sources,
                        "severity": severity,
                    }
                }
            )
        return {
            "nodes": nodes,
            "edges": edges,
            "findings": [_finding_data(f, t) for f, t in zip(findings, finding_nodes, strict=True)],
            "suppressed": len(self.result.suppressed),
            "counts": self.result.counts(),
            "notes": list(self.result.notes),
            "input": self.result.input_path,
        }

    def nodes_of_finding(self, finding: Finding, by_id: dict[str, dict[str, Any]]) -> list[str]:
        """Graph nodes a finding is about: its resource, related interfaces, a group's members."""
        out: list[str] = []

        def add(node: str | None) -> None:
            if node and node in by_id and node not in out:
                out.append(node)

        add(finding.resource_id)
        add(self.node_of_interface.get(finding.resource_id))
        for related in finding.related:
            add(related)
            add(self.node_of_interface.get(related))
        if finding.resource_type == "security-group":
            for eni_id in self.snapshot.members_of_group.get(finding.resource_id, ()):
                add(self.node_of_interface.get(eni_id))
        if finding.resource_type == "network-acl":
            acl = self.snapshot.network_acls.get(finding.resource_id)
            for subnet_id in acl.subnet_ids if acl else ():
                add(subnet_id)
        return out


def _max_severity(current: str, new: str) -> str:
    order = ["none", "exposed", *[s.value for s in sorted(Severity, key=lambda s: s.rank)]]
    return new if order.index(new) > order.index(current) else current


def _finding_data(f: Finding, nodes: list[str]) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "resource": f.resource,
        "title": f.title,
        "message": f.message,
        "evidence": list(f.evidence_text[:12]),
        "remediation": f.remediation,
        "nodes": nodes,
    }


def graph_data(snapshot: Snapshot, result: AuditResult, exposures: Sequence[InterfaceExposure]) -> dict[str, Any]:
    return GraphBuilder(snapshot, result, exposures).build()
