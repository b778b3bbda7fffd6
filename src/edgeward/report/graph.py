"""The estate as graph data for the HTML report: nodes, compound parents, flows, origins, findings.

Only lookups: internet flows come from `analysis.exposure`, origin verdicts from `analysis.origins`,
severities from the audit's findings. Nothing here decides whether something is reachable or wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edgeward.analysis.exposure import InterfaceExposure
from edgeward.analysis.flows import describe_internet_sources
from edgeward.model.edge import EdgeEstate, LoadBalancer
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


def _lb_node(lb: LoadBalancer) -> str:
    return f"lb:{lb.name}"


class GraphBuilder:
    def __init__(
        self,
        snapshot: Snapshot,
        result: AuditResult,
        exposures: Sequence[InterfaceExposure],
        origins: Sequence[Any] = (),
    ) -> None:
        self.snapshot = snapshot
        self.result = result
        self.exposures = exposures
        self.origins = origins  # OriginVerdict objects, when the snapshot has distributions
        self.edge = snapshot.edge if isinstance(snapshot.edge, EdgeEstate) else EdgeEstate()
        self.node_of_interface: dict[str, str] = {}
        self.alias: dict[str, str] = {}  # resource ids (distribution id, load balancer ARN) -> node id
        self.nodes: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}

    def node_id_for(self, eni: NetworkInterface) -> str:
        return eni.instance_id if eni.instance_id else eni.id

    def _add(self, data: dict[str, Any]) -> dict[str, Any]:
        data.setdefault("severity", "none")
        node = {"data": data}
        self.nodes.append(node)
        self.by_id[data["id"]] = node
        return node

    def build(self) -> dict[str, Any]:
        self._add({"id": INTERNET, "label": "Internet", "kind": "internet"})
        for vpc in self.snapshot.vpcs.values():
            self._add({"id": vpc.id, "label": f"{vpc.name} ({vpc.id})" if vpc.name else vpc.id, "kind": "vpc"})
        for subnet in self.snapshot.subnets.values():
            cidr = subnet.cidr_v4 or (subnet.cidrs_v6[0] if subnet.cidrs_v6 else "")
            prefix = f"{subnet.name} " if subnet.name else ""
            label = f"{prefix}{subnet.id} {cidr}".strip()
            self._add({"id": subnet.id, "parent": subnet.vpc_id, "label": label, "kind": "subnet"})
        self._load_balancers()
        self._interfaces()
        self._distributions()

        findings = [f for f in self.result.findings if not f.suppressed]
        targets_of = [self.nodes_of_finding(f) for f in findings]
        for f, targets in zip(findings, targets_of, strict=True):
            for target in targets:
                data = self.by_id[target]["data"]
                data["severity"] = _max_severity(data["severity"], f.severity.value)

        edges = self._flows(findings, targets_of) + self._origin_edges()
        return {
            "nodes": self.nodes,
            "edges": edges,
            "findings": [_finding_data(f, t) for f, t in zip(findings, targets_of, strict=True)],
            "suppressed": len(self.result.suppressed),
            "counts": self.result.counts(),
            "notes": list(self.result.notes),
            "input": self.result.input_path,
        }

    # -- nodes ------------------------------------------------------------------------------
    def _load_balancers(self) -> None:
        for lb in self.edge.load_balancers:
            node = _lb_node(lb)
            parent = lb.vpc_id if lb.vpc_id in self.snapshot.vpcs else None
            data: dict[str, Any] = {
                "id": node,
                "label": f"{lb.name} ({lb.type}, {lb.scheme})",
                "kind": "load-balancer",
                "interfaces": [],
                "addresses": [],
                "groups": list(lb.security_group_ids),
            }
            if parent:
                data["parent"] = parent
            self._add(data)
            self.alias[lb.arn] = node

    def _lb_of(self, eni: NetworkInterface) -> str | None:
        """The load balancer an interface is a node of: AWS describes it `ELB app/<name>/<id>`."""
        if not eni.description.startswith("ELB "):
            return None
        key = eni.description[4:]
        parts = key.split("/")
        for lb in self.edge.load_balancers:
            if (lb.key and lb.key == key) or (len(parts) >= 2 and parts[1] == lb.name):
                return _lb_node(lb)
        return None

    def _interfaces(self) -> None:
        for eni in self.snapshot.interfaces.values():
            lb_node = self._lb_of(eni)
            node_id = lb_node or self.node_id_for(eni)
            self.node_of_interface[eni.id] = node_id
            if node_id in self.by_id:
                data = self.by_id[node_id]["data"]
                data.setdefault("interfaces", []).append(eni.id)
                data.setdefault("addresses", []).extend(eni.private_ipv4s + eni.public_ipv4s + eni.ipv6s)
                continue
            instance = self.snapshot.instances.get(eni.instance_id or "")
            name: str | None = instance.name if instance else eni.name or eni.description
            self._add(
                {
                    "id": node_id,
                    "parent": eni.subnet_id,
                    "label": f"{name} ({node_id})" if name else node_id,
                    "kind": _node_kind(eni),
                    "interfaces": [eni.id],
                    "addresses": list(eni.private_ipv4s + eni.public_ipv4s + eni.ipv6s),
                    "groups": list(eni.group_ids),
                }
            )

    def _distributions(self) -> None:
        for dist in self.edge.distributions:
            node = f"cf:{dist.id}"
            aliases = f" {', '.join(dist.aliases)}" if dist.aliases else ""
            self._add({"id": node, "label": f"CloudFront {dist.label}{aliases}", "kind": "cloudfront"})
            self.alias[dist.id] = node

    def _origin_target(self, verdict: Any) -> str:
        """The node an origin resolves to (created for buckets, function URLs and unknown domains)."""
        from edgeward.semantics.cloudfront import resolve_origin

        res = resolve_origin(self.snapshot, self.edge, verdict.origin)
        if res.load_balancer is not None and res.load_balancer.arn in self.alias:
            return self.alias[res.load_balancer.arn]
        if res.interface is not None and res.interface.id in self.node_of_interface:
            return self.node_of_interface[res.interface.id]
        kind = {"s3-rest": "bucket", "s3-website": "bucket", "lambda-url": "function"}.get(res.kind, "origin")
        node = f"origin:{verdict.origin.domain}"
        if node not in self.by_id:
            self._add({"id": node, "label": verdict.resolved or verdict.origin.domain, "kind": kind})
        return node

    # -- edges ------------------------------------------------------------------------------
    def _flows(self, findings: list[Finding], targets_of: list[list[str]]) -> list[dict[str, Any]]:
        edges: list[dict[str, Any]] = []
        merged: dict[str, dict[str, Any]] = {}
        for item in self.exposures:
            flow_target = self.node_of_interface.get(item.interface.id)
            if flow_target is None:
                continue
            severity = "exposed"
            for f, targets in zip(findings, targets_of, strict=True):
                if f.rule_id in EXPOSURE_RULES and flow_target in targets:
                    severity = _max_severity(severity, f.severity.value)
            services = [f"{s.protocol_text()} {s.port_text()}" for s in item.services]
            sources = sorted({describe_internet_sources(self.snapshot, s.sources, 3) for s in item.services})
            if flow_target in merged:  # several interfaces of one load balancer
                data = merged[flow_target]
                data["services"] = sorted(set(data["services"]) | set(services))
                data["sources"] = sorted(set(data["sources"]) | set(sources))
                data["severity"] = _max_severity(data["severity"], severity)
                continue
            data = {
                "id": f"flow:{flow_target}",
                "source": INTERNET,
                "target": flow_target,
                "kind": "flow",
                "label": "; ".join(services[:3]) + (" ..." if len(services) > 3 else ""),
                "services": services,
                "sources": sources,
                "severity": severity,
            }
            merged[flow_target] = data
            edges.append({"data": data})
        return edges

    def _origin_edges(self) -> list[dict[str, Any]]:
        edges: list[dict[str, Any]] = []
        for dist in self.edge.distributions:
            edges.append(
                {
                    "data": {
                        "id": f"viewer:{dist.id}",
                        "source": INTERNET,
                        "target": f"cf:{dist.id}",
                        "kind": "viewer",
                        "label": "viewers",
                        "services": ["HTTP/HTTPS through CloudFront"],
                        "sources": ["any internet address"],
                        "severity": "none",
                    }
                }
            )
        for verdict in self.origins:
            target = self._origin_target(verdict)
            source = f"cf:{verdict.distribution.id}"
            if source not in self.by_id:
                continue
            edges.append(
                {
                    "data": {
                        "id": f"origin:{verdict.distribution.id}:{verdict.origin.id}",
                        "source": source,
                        "target": target,
                        "kind": "origin",
                        "label": f"origin {verdict.origin.id}: {verdict.verdict}",
                        "verdict": verdict.verdict,
                        "services": [verdict.summary],
                        "sources": [verdict.resolved],
                        "severity": "none",
                    }
                }
            )
        return edges

    # -- findings ---------------------------------------------------------------------------
    def nodes_of_finding(self, finding: Finding) -> list[str]:
        """Graph nodes a finding is about: its resource, related interfaces, a group's members."""
        out: list[str] = []

        def add(node: str | None) -> None:
            if node and node in self.by_id and node not in out:
                out.append(node)

        for ident in (finding.resource_id, *finding.related):
            add(self.alias.get(ident))
            add(ident)
            add(self.node_of_interface.get(ident))
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


def graph_data(
    snapshot: Snapshot, result: AuditResult, exposures: Sequence[InterfaceExposure], origins: Sequence[Any] = ()
) -> dict[str, Any]:
    return GraphBuilder(snapshot, result, exposures, origins).build()
