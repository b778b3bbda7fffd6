"""What each finding says: severities that depend on the evidence, the reasons, the rules it names."""

from __future__ import annotations

from pathlib import Path

from edgeward.algebra.addresses import Addresses
from edgeward.algebra.traffic import Box, TrafficSpace
from edgeward.model.network import SecurityGroupRule
from edgeward.rules.base import Finding, Severity
from edgeward.rules.context import AuditContext
from edgeward.rules.registry import RULES_BY_ID
from edgeward.rules.settings import Settings
from edgeward.semantics.security_groups import rule_protocols_and_ports
from edgeward.sources import load_snapshot
from tests.rules.support import load, needs_native

pytestmark = needs_native


def by_resource(rule_id: str, fixture: str, settings: Settings | None = None) -> dict[str, Finding]:
    return {f.resource_id: f for f in RULES_BY_ID[rule_id].check(load(fixture), settings)}


def test_admin_port_open_to_everyone_is_critical_and_to_a_partner_high() -> None:
    found = by_resource("EW101", "ew101_admin_ports.yaml")
    assert found["i-ssh-world_fail"].severity is Severity.CRITICAL
    assert found["i-rdp-partner_fail"].severity is Severity.HIGH
    assert found["i-ssh-ipv6-only_fail"].severity is Severity.CRITICAL  # every IPv6 address
    ssh = found["i-ssh-world_fail"]
    assert "SSH (tcp 22) from any IPv4 internet address" in ssh.message
    assert ssh.evidence["ports"][0]["allowed_by"][0]["group"] == "sg-ssh-world"
    assert ssh.evidence["ports"][0]["allowed_by"][0]["rule"] == "tcp port 22 from 0.0.0.0/0"
    assert ssh.related[0] == "eni-ssh-world"
    assert ssh.location.line is not None  # the group's line in the YAML, where the fix goes


def test_trusted_admin_cidrs_make_admin_ports_from_them_fine() -> None:
    trusted = Settings(trusted_admin_cidrs=Addresses.from_cidrs(["52.95.110.0/24"]))
    found = by_resource("EW101", "ew101_admin_ports.yaml", trusted)
    assert "i-rdp-partner_fail" not in found
    assert "i-ssh-world_fail" in found  # the rest of the internet is not trusted
    assert "52.95.110.0/24" not in found["i-ssh-world_fail"].evidence["ports"][0]["sources"]


def test_database_reachable_from_an_office_prefix_list_is_high_not_ignored() -> None:
    found = by_resource("EW102", "ew102_database_ports.yaml")
    offices = found["i-mysql-offices_fail"]
    assert offices.severity is Severity.HIGH
    assert offices.evidence["ports"][0]["sources"] == ["52.95.110.0/24", "54.239.0.0/24"]
    assert found["i-postgres-world_fail"].severity is Severity.CRITICAL


def test_all_traffic_names_protocol_minus_one() -> None:
    found = by_resource("EW103", "ew103_all_ports.yaml")
    assert found["i-all-traffic_fail"].title == "All traffic (protocol -1) reachable from the internet"
    assert found["i-all-tcp-ipv6_fail"].title == "Every TCP port reachable from the internet"
    assert found["i-all-tcp-ipv6_fail"].evidence["sources"] != []


def test_open_rule_without_public_path_says_what_blocks_it() -> None:
    found = by_resource("EW104", "ew104_open_without_public_path.yaml")
    private = found["sg-ssh-world-private_fail"]
    assert private.severity is Severity.LOW
    assert "no public IPv4 address" in private.message
    assert private.evidence["why_not_reachable"][0]["interfaces"] == ["eni-private"]
    unused = found["sg-mysql-world-unused_fail"]
    assert "no network interface" in unused.message


def test_ipv6_bypass_is_high_when_reachable_over_ipv6_and_medium_otherwise() -> None:
    found = by_resource("EW106", "ew106_ipv6_bypass.yaml")
    reachable = found["sg-bypass-reachable_fail"]
    assert reachable.severity is Severity.HIGH
    assert reachable.evidence["reachable_over_ipv6_on"] == ["eni-dual"]
    assert [r["rule"] for r in reachable.evidence["ipv6_rules"]] == ["tcp port 22 from ::/0"]
    latent = found["sg-bypass-latent_fail"]
    assert latent.severity is Severity.MEDIUM
    assert latent.evidence["ipv6_rules"][0]["rule"] == "all traffic from ::/0"  # hidden behind protocol -1


def test_redundant_rule_names_the_rules_that_cover_it() -> None:
    found = by_resource("EW109", "ew109_subsumed_rules.yaml")
    union = found["sg-union_fail"]
    covering = sorted(r["rule"] for r in union.evidence["covered_by"])
    assert covering == ["tcp ports 0-1023 from 0.0.0.0/1", "tcp ports 0-1023 from 128.0.0.0/1"]
    duplicate = found["sg-duplicate_fail"]
    assert duplicate.evidence["rule"]["position"].startswith("security_groups[1].ingress[1]")  # the later copy


def test_shadowed_entry_contradicting_intent_is_medium_redundant_low() -> None:
    found = by_resource("EW201", "ew201_shadowed_nacl_entries.yaml")
    assert found["acl-deny-after-allow_fail"].severity is Severity.MEDIUM
    assert found["acl-deny-after-allow_fail"].evidence["shadowed_by"][0]["rule_number"] == 100
    assert found["acl-redundant_fail"].severity is Severity.LOW
    union = found["acl-union_fail"]
    assert [e["rule_number"] for e in union.evidence["shadowed_by"]] == [100, 110]


def test_return_traffic_blocked_entirely_is_medium_partly_low() -> None:
    findings = RULES_BY_ID["EW202"].check(load("ew202_return_traffic.yaml"))
    found = {(f.resource_id, f.evidence["initiated"]): f for f in findings}
    none = found[("acl-no-ephemeral_fail", "inbound")]
    assert none.severity is Severity.MEDIUM
    assert none.evidence["initiated"] == "inbound"
    without_reply = Addresses.from_cidrs(none.evidence["flows"][0]["peers_without_reply"])
    assert without_reply.contains("52.1.2.3")
    assert not without_reply.contains("10.0.3.7")  # inside the subnet: NACLs do not apply
    assert ("acl-no-ephemeral_fail", "outbound") in found  # calls out get no replies either
    linux = found[("acl-linux-only_fail", "inbound")]
    assert linux.severity is Severity.LOW
    assert "Windows Server 2008+ (49152-65535)" in linux.message
    assert linux.evidence["flows"][0]["reply_ports_that_pass"] == [[32768, 60999]]


def test_foreign_group_reference_is_info_deleted_peering_low() -> None:
    found = by_resource("EW501", "ew501_stale_references.yaml")
    assert found["sg-other-account_fail"].severity is Severity.INFO
    assert "444455556666" in found["sg-other-account_fail"].message
    assert found["sg-deleted-peering_fail"].severity is Severity.LOW
    assert "pcx-gone is deleted" in found["sg-deleted-peering_fail"].message


def test_cloudfront_prefix_list_counts_55_toward_the_quota() -> None:
    found = by_resource("EW511", "ew511_rules_per_group.yaml")
    cloudfront = found["sg-cloudfront-plus6_fail"]
    assert cloudfront.evidence["count"] == 61
    assert any("counts 55" in w for w in cloudfront.evidence["weights"])
    assert found["sg-customer-list_fail"].evidence["count"] == 61  # MaxEntries, not its 2 entries


def test_bypassable_origin_carries_the_path_and_the_smallest_fix() -> None:
    found = by_resource("EW301", "ew301_origin_bypassable.yaml")
    bypass = found["EOPEN_fail"]
    assert bypass.severity is Severity.HIGH
    assert "listener HTTPS:443 of open" in bypass.message
    assert bypass.evidence["verdict"] == "bypassable"
    assert bypass.evidence["fix"]["text"]
    assert bypass.remediation == bypass.evidence["fix"]["text"]
    assert bypass.location.place == "edge.distributions[0].origins[0]"  # where to fix it


def test_shared_secret_is_high_short_secret_medium_and_neither_is_shown() -> None:
    findings = RULES_BY_ID["EW303"].check(load("ew303_origin_secrets.yaml"))
    found = {f.resource_id: f for f in findings}
    assert found["ESHAREDA_fail"].severity is Severity.HIGH
    assert "shared with distribution(s) ESHAREDB_fail" in found["ESHAREDA_fail"].message
    assert found["ESHORT_fail"].severity is Severity.MEDIUM
    assert "6 characters" in found["ESHORT_fail"].message
    for finding in findings:
        assert "abc123" not in repr(finding) and "Zq8Wm3Rt6Yp1Ks4Vd7Hn2Lc5Xb9Jf0Ga" not in repr(finding)
        assert finding.evidence["fingerprint"].startswith("sha256:")


def test_http_only_origin_sending_a_secret_is_high() -> None:
    found = by_resource("EW306", "ew306_http_only.yaml")
    assert found["EHTTP_fail"].severity is Severity.HIGH
    assert "X-Origin-Verify" in found["EHTTP_fail"].message


def test_oac_without_source_arn_is_not_also_reported_as_other_distributions() -> None:
    snapshot = load("ew304_oac_source_arn.yaml")
    assert {f.resource_id for f in RULES_BY_ID["EW304"].check(snapshot)} == {"EOACOPEN_fail"}
    assert RULES_BY_ID["EW302"].check(snapshot) == []


def test_removing_every_redundant_rule_changes_nothing_a_group_admits(tmp_path: Path) -> None:
    """EW109's promise, checked on a generated estate with hundreds of overlapping rules."""
    from bench.generate import generate

    generate(tmp_path / "estate", size="small")
    snapshot = load_snapshot(tmp_path / "estate")
    ctx = AuditContext(snapshot)
    redundant = {(f.resource_id, f.evidence["rule"]["position"]) for f in RULES_BY_ID["EW109"].run(ctx)}
    assert len(redundant) > 20  # the generator writes overlapping rules: the check is not vacuous

    def space(rules: tuple[SecurityGroupRule, ...]) -> TrafficSpace:
        boxes = []
        for rule in rules:
            protocols, ports = rule_protocols_and_ports(rule)
            boxes.append(Box(protocols, ports, ctx.semantics.groups.peers(rule).addresses))
        return TrafficSpace(boxes)

    for group in snapshot.security_groups.values():
        for rules in (group.ingress, group.egress):
            kept = tuple(r for r in rules if (group.id, r.position) not in redundant)
            assert space(kept) == space(rules), group.id


def test_removing_every_shadowed_nacl_entry_changes_nothing_the_nacl_allows(tmp_path: Path) -> None:
    """EW201's promise on a generated estate: shadowed entries never decide a packet."""
    from dataclasses import replace

    from bench.generate import generate

    from edgeward.semantics.network_acls import NetworkAclSemantics

    generate(tmp_path / "estate", size="small")
    snapshot = load_snapshot(tmp_path / "estate")
    shadowed = {
        (f.resource_id, f.evidence["entry"]["direction"], f.evidence["entry"]["rule_number"])
        for f in RULES_BY_ID["EW201"].check(snapshot)
    }
    assert shadowed  # not vacuous
    semantics = NetworkAclSemantics(snapshot)
    for acl in snapshot.network_acls.values():
        kept = tuple(
            e for e in acl.entries if (acl.id, "egress" if e.egress else "ingress", e.rule_number) not in shadowed
        )
        trimmed = replace(acl, id=acl.id + "-trimmed", entries=kept)
        for egress in (False, True):
            assert semantics.allowed_space(trimmed, egress) == semantics.allowed_space(acl, egress), acl.id
