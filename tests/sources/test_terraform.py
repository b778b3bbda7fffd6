"""Terraform: `terraform show -json` of plans and states, as a user runs edgeward on them.

The fixtures are real Terraform 1.11 / AWS provider 5.100.0 output, made by
scripts/regenerate_terraform_fixtures.sh from the .tf files beside them; these tests never run
Terraform.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli import main
from edgeward.model import PeerKind, RouteTarget, UnknownKind
from edgeward.sources import detect_format, load_snapshot

HERE = Path(__file__).parent / "terraform"
STATE = HERE / "estate" / "state.json"
PLAN_OVER_STATE = HERE / "estate" / "plan-over-state.json"
FRESH_PLAN = HERE / "estate" / "plan.json"
UNKNOWNS = HERE / "plan_unknowns" / "plan.json"

PROXY, APP, DB = "i-0a1b2c3d4e5f60718", "i-0b2c3d4e5f6071829", "i-0c3d4e5f607182930"
LB_GROUP, DB_GROUP = "sg-0a3b4c5d6e7f8a9b0", "sg-0c5d6e7f8a9b0c1d2"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def reach(source: Path, frm: str, to: str, protocol: str = "tcp", port: str | None = "443") -> dict[str, Any]:
    args = ["reach", str(source), "--from", frm, "--to", to, "--protocol", protocol, "--output-format", "json"]
    if port is not None:
        args += ["--port", port]
    code, out, err = run(*args)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_plans_and_states_are_detected_as_terraform() -> None:
    for path in (STATE, PLAN_OVER_STATE, FRESH_PLAN, UNKNOWNS):
        assert detect_format(path) == "terraform"


def test_a_state_answers_with_the_ids_aws_gave() -> None:
    data = reach(STATE, "internet", PROXY)
    assert data["verdict"] == "allowed"
    assert data["destination_address"] == "10.20.1.10"  # the Elastic IP 198.51.100.10, NATed by the gateway
    group_hop = next(h for h in data["trace"] if h["component"] == "security-group")
    assert group_hop["resource"] == LB_GROUP
    assert "203.0.113.0/24" not in data["internet_sources"]  # the NACL's deny (rule 90)
    assert any(c.startswith("203.0.112.") for c in data["internet_sources"])


def test_a_plan_over_the_state_gives_the_answers_of_the_state() -> None:
    flows = [
        ("internet", PROXY, "tcp", "443"),
        ("internet", PROXY, "tcp", "22"),
        ("203.0.113.7", PROXY, "tcp", "443"),
        ("2001:db8::1", PROXY, "tcp", "443"),
        (PROXY, APP, "tcp", "8080"),
        (PROXY, DB, "tcp", "5432"),
        (APP, DB, "tcp", "5432"),
        (APP, "8.8.8.8", "tcp", "443"),
    ]
    for frm, to, protocol, port in flows:
        assert reach(PLAN_OVER_STATE, frm, to, protocol, port) == reach(STATE, frm, to, protocol, port)
    assert (
        run("exposure", str(PLAN_OVER_STATE), "--output-format", "json")[1]
        == run("exposure", str(STATE), "--output-format", "json")[1]
    )


def test_a_security_group_without_egress_blocks_has_no_egress_rule() -> None:
    """Terraform revokes AWS's default allow-all egress of a new group ("NOTE on Egress rules",
    registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group): the db
    group has only the egress of its separate aws_security_group_rule."""
    snapshot = load_snapshot(STATE)
    egress = snapshot.security_groups[DB_GROUP].egress
    assert [(r.protocol, r.from_port, r.to_port, r.cidr) for r in egress] == [(6, 443, 443, "10.20.0.0/16")]
    data = reach(STATE, DB, "8.8.8.8")
    assert data["verdict"] == "denied"
    assert data["trace"][0]["component"] == "security-group"
    # with AWS's default still there, the same flow would leave through the NAT gateway
    assert reach(STATE, APP, "8.8.8.8")["verdict"] == "allowed"


def test_every_object_carries_its_resource_address() -> None:
    snapshot = load_snapshot(STATE)
    assert snapshot.security_groups[LB_GROUP].source.address == "aws_security_group.lb"
    subnet = snapshot.subnets["subnet-0b1c2d3e4f5a6b7c8"]
    assert subnet.source.address == "module.network.aws_subnet.public"
    assert snapshot.instances[PROXY].source.address == "aws_instance.proxy"
    web = next(g for g in snapshot.security_groups.values() if g.name == "web")
    assert web.ingress[0].position == "aws_vpc_security_group_ingress_rule.web_from_lb"
    main_table = next(t for t in snapshot.route_tables.values() if t.is_main)
    assert main_table.source.address == "module.network.aws_vpc.this"  # created by AWS with the VPC


def test_references_of_a_fresh_plan_link_through_modules_to_placeholders() -> None:
    snapshot = load_snapshot(UNKNOWNS)
    origin = snapshot.security_groups["tf:aws_security_group.origin"]
    peers = {
        (r.protocol, r.from_port, r.peer_kind, r.group.group_id if r.group else r.prefix_list_id)
        for r in origin.ingress
    }
    assert (6, 80, PeerKind.SECURITY_GROUP, "tf:aws_security_group.admin") in peers  # inline security_groups
    assert (1, -1, PeerKind.SECURITY_GROUP, "tf:aws_security_group.origin") in peers  # self = true
    assert (6, 22, PeerKind.PREFIX_LIST, "tf:aws_ec2_managed_prefix_list.office") in peers
    assert (6, 443, PeerKind.PREFIX_LIST, "tf:data.aws_ec2_managed_prefix_list.cloudfront") in peers
    assert snapshot.prefix_lists["tf:aws_ec2_managed_prefix_list.office"].cidrs == ("192.0.2.0/28", "192.0.2.64/28")
    # count.index picks the subnet with the instance's own index, through the module's output
    second = snapshot.interfaces[snapshot.primary_interface_of_instance["tf:aws_instance.origin[1]"]]
    assert second.subnet_id == "tf:module.vpc.aws_subnet.this[1]"
    # module.vpc.subnet_ids[0] names the first subnet
    assert snapshot.interfaces["tf:aws_network_interface.admin"].subnet_id == "tf:module.vpc.aws_subnet.this[0]"
    assert snapshot.interfaces["tf:aws_network_interface.admin"].group_ids == ("tf:aws_security_group.admin",)
    # for_each over a module output; aws_main_route_table_association makes the table main
    table = snapshot.route_tables["tf:module.vpc.aws_route_table.this"]
    assert table.is_main
    peering = [r for r in table.routes if r.target is RouteTarget.PEERING]
    assert [(r.destination, r.target_id) for r in peering] == [
        ("10.60.0.0/16", "tf:aws_vpc_peering_connection.to_peer")
    ]
    assert snapshot.peering_connections["tf:aws_vpc_peering_connection.to_peer"].status == "active"  # auto_accept


def test_default_resources_replace_what_aws_creates() -> None:
    snapshot = load_snapshot(UNKNOWNS)
    default_acl = snapshot.network_acls["tf:module.vpc.aws_vpc.this.default_network_acl_id"]
    inbound = [(e.rule_number, e.protocol, e.allow) for e in default_acl.ordered(egress=False)]
    assert inbound == [(100, 6, True), (200, 1, True), (32767, -1, False), (32768, -1, False)]
    assert set(default_acl.subnet_ids) == {"tf:module.vpc.aws_subnet.this[0]", "tf:module.vpc.aws_subnet.this[1]"}
    locked = snapshot.network_acls["tf:module.vpc.aws_network_acl.locked"]
    assert [e.rule_number for e in locked.ordered(egress=False)] == [50, 32767, 32768]
    managed = snapshot.security_groups["tf:module.vpc.aws_vpc.this.default_security_group_id"]
    assert managed.ingress == () and managed.egress == ()  # aws_default_security_group with no rules
    unmanaged = snapshot.security_groups["tf:aws_vpc.peer.default_security_group_id"]
    assert [r.group.group_id for r in unmanaged.ingress if r.group] == [unmanaged.id]  # as AWS creates it


def test_the_cloudfront_list_read_at_apply_time_uses_the_dated_copy() -> None:
    snapshot = load_snapshot(UNKNOWNS)
    cloudfront = snapshot.prefix_lists["tf:data.aws_ec2_managed_prefix_list.cloudfront"]
    assert cloudfront.from_dated_copy and cloudfront.cidrs
    assert any("dated copy" in note for note in snapshot.notes)


def test_unknown_addresses_make_the_verdict_unknown_never_a_guess() -> None:
    data = reach(UNKNOWNS, "internet", "tf:aws_instance.origin[0]")
    assert data["verdict"] == "unknown"
    unknown = {(u["address"], u["attribute"]) for u in data["unknown_values"]}
    assert ("aws_instance.origin[0]", "private_ip") in unknown
    assert ("aws_instance.origin[0]", "public_ip") in unknown
    assert data["unknown_values"][0]["file"] == str(UNKNOWNS)
    snapshot = load_snapshot(UNKNOWNS)
    assert all(u.kind is UnknownKind.ADDRESS for u in snapshot.unknowns_of["tf:aws_network_interface.admin"])


def test_exposure_of_a_plan_sets_aside_what_depends_on_the_unassigned_ipv6_block() -> None:
    code, out, _ = run("exposure", str(FRESH_PLAN), "--output-format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["exposed"] == []
    assert {u["label"].split()[0] for u in data["unknown"]} == {
        "tf:aws_instance.proxy.primary_network_interface_id",
        "tf:aws_instance.app.primary_network_interface_id",
        "tf:aws_instance.db.primary_network_interface_id",
    }
    reasons = {(v["address"], v["attribute"]) for u in data["unknown"] for v in u["unknown_values"]}
    assert ("module.network.aws_vpc.this", "ipv6_cidr_block") in reasons


def _broken(tmp_path: Path, change: Any) -> Path:
    doc = json.loads(STATE.read_text())
    change(doc)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    return path


def _resource(doc: dict[str, Any], address: str) -> dict[str, Any]:
    def walk(module: dict[str, Any]) -> list[dict[str, Any]]:
        return module.get("resources", []) + [r for c in module.get("child_modules", []) for r in walk(c)]

    return next(r for r in walk(doc["values"]["root_module"]) if r["address"] == address)


@pytest.mark.parametrize(
    ("change", "place", "message"),
    [
        (
            lambda d: _resource(d, "aws_security_group.lb")["values"]["ingress"][0].update(cidr_blocks=["0.0.0.0/33"]),
            "aws_security_group.lb.ingress[0].cidr_blocks[0]",
            "0.0.0.0/33",
        ),
        (
            lambda d: _resource(d, "module.network.aws_network_acl.public")["values"]["ingress"][0].update(
                rule_no=40000
            ),
            "module.network.aws_network_acl.public.ingress[0].rule_no",
            "rule number must be 1-32766",
        ),
        (
            lambda d: _resource(d, "aws_security_group_rule.db_from_web")["values"].update(protocol="tcpp"),
            "aws_security_group_rule.db_from_web.protocol",
            "unknown protocol",
        ),
        (lambda d: d.update(format_version="2.0"), "format_version", "unsupported version"),
    ],
)
def test_bad_input_is_one_line_with_file_and_resource_address(
    tmp_path: Path, change: Any, place: str, message: str
) -> None:
    path = _broken(tmp_path, change)
    code, out, err = run("exposure", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"edgeward: error: {path}: {place}: ")
    assert message in err


def test_a_file_that_is_not_terraform_output_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    code, _, err = run("exposure", str(path), "--format", "terraform")
    assert code == 2 and "invalid JSON" in err and err.count("\n") == 1
    path.write_text('{"Vpcs": []}')
    code, _, err = run("exposure", str(path), "--format", "terraform")
    assert code == 2 and "format_version: missing" in err


def test_loading_makes_no_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for path in (STATE, PLAN_OVER_STATE, FRESH_PLAN, UNKNOWNS):
        load_snapshot(path)


LB_CASE = HERE / "load_balancer"
ORIGIN_SECRET = "s3cr3t-origin-value"


@pytest.mark.parametrize("name", ["state.json", "plan-over-state.json", "plan.json"])
def test_load_balancers_listeners_rules_and_targets_are_read(name: str) -> None:
    from edgeward.model.edge import OriginHeader, SecretText
    from edgeward.semantics.load_balancers import judge_listener

    snapshot = load_snapshot(LB_CASE / name)
    (lb,) = snapshot.edge.load_balancers
    assert (lb.name, lb.type, lb.scheme, len(lb.subnet_ids)) == ("web", "application", "internet-facing", 2)
    assert snapshot.security_groups[lb.security_group_ids[0]].name == "alb"
    (listener,) = snapshot.edge.listeners
    assert (listener.port, listener.protocol, listener.load_balancer_arn) == (80, "HTTP", lb.arn)
    assert [a.status_code for a in listener.default_actions] == ["403"]
    (rule,) = listener.rules or ()
    assert rule.priority == 10 and rule.source.address == "aws_lb_listener_rule.from_cloudfront"
    assert ORIGIN_SECRET not in repr(rule)  # the header value is held as a secret
    right = (OriginHeader("X-Origin-Verify", SecretText(ORIGIN_SECRET)),)
    wrong = (OriginHeader("X-Origin-Verify", SecretText("another-value")),)
    assert judge_listener(listener, right).status == "checked"
    assert judge_listener(listener, wrong).status == "unchecked"
    (group,) = snapshot.edge.target_groups
    assert group.load_balancer_arns == (lb.arn,)
    (target,) = group.targets
    assert target.port == 8080 and snapshot.instances[target.id].source.address == "aws_instance.app"


def test_a_rule_whose_priority_is_assigned_at_apply_makes_the_listener_rules_unknown(tmp_path: Path) -> None:
    from edgeward.semantics.load_balancers import judge_listener

    doc = json.loads((LB_CASE / "plan.json").read_text())
    for res in doc["planned_values"]["root_module"]["resources"]:
        if res["address"] == "aws_lb_listener_rule.from_cloudfront":
            del res["values"]["priority"]
    for change in doc["resource_changes"]:
        if change["address"] == "aws_lb_listener_rule.from_cloudfront":
            change["change"]["after_unknown"]["priority"] = True
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    snapshot = load_snapshot(path)
    (listener,) = snapshot.edge.listeners
    assert listener.rules is None
    assert judge_listener(listener, ()).status == "unknown"


def test_an_existing_group_the_plan_does_not_describe_makes_answers_unknown(tmp_path: Path) -> None:
    doc = json.loads(STATE.read_text())
    _resource(doc, "aws_instance.app")["values"]["vpc_security_group_ids"] = ["sg-0123existing4567"]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    data = reach(path, PROXY, APP, port="8080")
    assert data["verdict"] == "unknown"
    assert data["unknown_values"][0]["attribute"] == "security group sg-0123existing4567 (not in this input)"
    assert reach(path, PROXY, DB, port="5432")["verdict"] == "denied"  # answers not about app stay known
