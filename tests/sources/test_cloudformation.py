"""CloudFormation templates (YAML with short-form tags, and JSON), as a user runs edgeward on them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edgeward.cli import main
from edgeward.model import PeerKind
from edgeward.sources import detect_format, load_snapshot
from edgeward.sources.cloudformation import read_template

HERE = Path(__file__).parent / "cloudformation"
ESTATE = HERE / "estate.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def reach(source: Path, frm: str, to: str, *extra: str, port: str = "443") -> dict[str, Any]:
    code, out, err = run(
        "reach", str(source), "--from", frm, "--to", to, "--protocol", "tcp", "--port", port,
        "--output-format", "json", *extra,
    )  # fmt: skip
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def line_of(path: Path, text: str) -> int:
    """The line where `text` starts (leading spaces included), or else the first line containing it."""
    lines = path.read_text().splitlines()
    return next((i for i, line in enumerate(lines, 1) if line.startswith(text)), None) or next(
        i for i, line in enumerate(lines, 1) if text.strip() in line
    )


def template(tmp_path: Path, body: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


VPC = """\
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Subnet:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.1.0/24
"""


def test_templates_are_detected_by_content_and_suffix(tmp_path: Path) -> None:
    assert detect_format(ESTATE) == "cloudformation"
    as_json = tmp_path / "stack.json"
    as_json.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}))
    assert detect_format(as_json) == "cloudformation"
    assert detect_format(template(tmp_path, VPC, "stack.template")) == "cloudformation"
    native = template(tmp_path, "edgeward: 1\nvpcs: []\n", "estate.yaml")
    assert detect_format(native) == "native"


def test_the_estate_answers_with_logical_ids() -> None:
    data = reach(ESTATE, "internet", "cfn:Proxy")
    assert data["verdict"] == "allowed"
    assert data["destination_address"] == "10.20.1.10"
    assert next(h for h in data["trace"] if h["component"] == "security-group")["resource"] == "cfn:LbGroup"
    assert reach(ESTATE, "cfn:Proxy", "cfn:App", port="8080")["verdict"] == "allowed"  # LbGroup -> WebGroup
    assert reach(ESTATE, "cfn:Proxy", "cfn:Db", port="5432")["verdict"] == "denied"  # DbGroup admits WebGroup only


def test_every_object_carries_the_file_logical_id_and_line() -> None:
    snapshot = load_snapshot(ESTATE)
    group = snapshot.security_groups["cfn:LbGroup"]
    assert (group.source.file, group.source.address, group.source.line) == (
        str(ESTATE),
        "LbGroup",
        line_of(ESTATE, "  LbGroup:"),
    )
    assert snapshot.instances["cfn:Db"].source.line == line_of(ESTATE, "  Db:")


def test_intrinsics_parameters_mappings_and_conditions_are_evaluated() -> None:
    snapshot = load_snapshot(ESTATE)
    public = snapshot.subnets["cfn:PublicSubnet"]
    assert public.cidr_v4 == "10.20.1.0/24"  # !Select [1, !Cidr [!Ref VpcCidr, 4, 8]]
    assert public.cidrs_v6 == ("2600:1f18:abcd:1201::/64",)  # from !GetAtt Vpc.Ipv6CidrBlocks
    nat = snapshot.nat_gateways["cfn:NatGateway"]
    assert nat.public_ips == ("198.51.100.20",)  # !FindInMap through !GetAtt NatAddress.AllocationId
    proxy = snapshot.interfaces[snapshot.primary_interface_of_instance["cfn:Proxy"]]
    assert proxy.public_ipv4s == ("198.51.100.10",)  # !If IsProd


def test_parameters_are_overridden_on_the_command_line() -> None:
    data = reach(ESTATE, "cfn:App", "8.8.8.8", "--parameter", "Env=test")
    assert data["verdict"] == "allowed"
    assert "appearing as 198.51.100.120" in data["summary"]  # the test NAT address of the mapping
    code, _, err = run("exposure", str(ESTATE), "--parameter", "Nope=1")
    assert code == 2 and "--parameter: the template has no parameter Nope" in err
    code, _, err = run("exposure", str(ESTATE), "--parameter", "Env")
    assert code == 2 and "expected KEY=VALUE" in err


def test_a_parameter_without_a_value_names_where_it_is_needed(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        """\
        Parameters:
          Cidr: {Type: String}
        Resources:
          Vpc:
            Type: AWS::EC2::VPC
            Properties:
              CidrBlock: !Ref Cidr
        """,
    )
    code, _, err = run("exposure", str(path))
    assert code == 2
    assert err == (
        f"edgeward: error: {path}:7: Resources.Vpc.Properties.CidrBlock.Ref: parameter Cidr has no Default: "
        "give its value with --parameter Cidr=VALUE\n"
    )
    code, out, _ = run("exposure", str(path), "--parameter", "Cidr=10.9.0.0/16")
    assert code == 0 and "Nothing in this estate is reachable" in out


def test_a_resource_whose_condition_is_false_does_not_exist(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        VPC
        + """\
      Open:
        Type: AWS::EC2::SecurityGroup
        Condition: WantOpen
        Properties:
          GroupDescription: open
          VpcId: !Ref Vpc
    Parameters:
      Open: {Type: String, Default: "no"}
    Conditions:
      WantOpen: !Equals [!Ref Open, "yes"]
    """,
    )
    assert "cfn:Open" not in load_snapshot(path).security_groups
    assert "cfn:Open" in load_snapshot(path, parameters={"Open": "yes"}).security_groups


def test_a_group_without_egress_keeps_aws_default_egress(tmp_path: Path) -> None:
    """CloudFormation keeps the allow-all egress AWS adds when SecurityGroupEgress is absent ("if
    you do not add egress rules, we add egress rules that allow all outbound IPv4 and IPv6 traffic",
    AWS::EC2::SecurityGroup in the CloudFormation template reference), unlike Terraform; rules of
    separate SecurityGroupEgress resources are added beside it."""
    path = template(
        tmp_path,
        VPC
        + """\
      Quiet:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: no egress given
          VpcId: !Ref Vpc
      QuietToDns:
        Type: AWS::EC2::SecurityGroupEgress
        Properties:
          GroupId: !Ref Quiet
          IpProtocol: udp
          FromPort: 53
          ToPort: 53
          CidrIp: 10.0.0.2/32
      Closed:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: none at all
          VpcId: !Ref Vpc
          SecurityGroupEgress: []
    """,
    )
    snapshot = load_snapshot(path)
    quiet = [(r.protocol, r.cidr) for r in snapshot.security_groups["cfn:Quiet"].egress]
    assert quiet == [(-1, "0.0.0.0/0"), (17, "10.0.0.2/32")]
    assert snapshot.security_groups["cfn:Closed"].egress == ()


def test_the_default_ipv6_egress_depends_on_creation_order(tmp_path: Path) -> None:
    body = (
        VPC
        + """\
      V6:
        Type: AWS::EC2::VPCCidrBlock
        Properties:
          VpcId: !Ref Vpc
          Ipv6CidrBlock: 2600:1f18:1:100::/56
          Ipv6Pool: ipv6pool-ec2-0123456789abcdef0
      After:
        Type: AWS::EC2::SecurityGroup
        DependsOn: V6
        Properties:
          GroupDescription: created once the VPC has IPv6
          VpcId: !Ref Vpc
      Racing:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: may be created before the IPv6 block
          VpcId: !Ref Vpc
    """
    )
    snapshot = load_snapshot(template(tmp_path, body))
    assert [r.cidr for r in snapshot.security_groups["cfn:After"].egress] == ["0.0.0.0/0", "::/0"]
    assert [r.cidr for r in snapshot.security_groups["cfn:Racing"].egress] == ["0.0.0.0/0"]
    (unknown,) = snapshot.unknowns_of["cfn:Racing"]
    assert unknown.source.address == "Racing" and unknown.source.line == 23


def test_values_aws_assigns_are_unknown_with_their_line(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        VPC
        + """\
      Igw:
        Type: AWS::EC2::InternetGateway
      Attach:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
      Routes:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref Vpc}
      Out:
        Type: AWS::EC2::Route
        Properties: {RouteTableId: !Ref Routes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
      Assoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Routes}
      Web:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupDescription: web
          VpcId: !Ref Vpc
          SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}]
      Server:
        Type: AWS::EC2::Instance
        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Web]
          NetworkInterfaces:
            - DeviceIndex: 0
              SubnetId: !Ref Subnet
              AssociatePublicIpAddress: true
              GroupSet: [!Ref Web]
    """,
    )
    data = reach(path, "internet", "cfn:Server")
    assert data["verdict"] == "unknown"
    attributes = {(u["address"], u["attribute"], u["line"]) for u in data["unknown_values"]}
    assert ("Server", "NetworkInterfaces[0].PrivateIpAddress", 37) in attributes  # the interface's line
    assert ("Server", "NetworkInterfaces[0].AssociatePublicIpAddress (public IPv4)", 39) in attributes


def test_json_templates_have_lines_too(tmp_path: Path) -> None:
    doc = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Open": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "open",
                    "VpcId": {"Ref": "Vpc"},
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
                    ],
                },
            },
        }
    }
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(doc, indent=2))
    snapshot = load_snapshot(path)
    group = snapshot.security_groups["cfn:Open"]
    assert group.source.line == line_of(path, '    "Open"')
    assert group.ingress[0].peer_kind is PeerKind.CIDR
    doc["Resources"]["Open"]["Properties"]["SecurityGroupIngress"][0]["CidrIp"] = "0.0.0.0/99"  # type: ignore[index]
    path.write_text(json.dumps(doc, indent=2))
    code, _, err = run("exposure", str(path))
    assert code == 2
    cidr_line = line_of(path, '"CidrIp"')
    where = f"{path}:{cidr_line}: Resources.Open.Properties.SecurityGroupIngress[0].CidrIp: "
    assert err.startswith(f"edgeward: error: {where}")


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            VPC.replace("CidrBlock: 10.0.1.0/24", "CidrBlock: 10.0.1.0/33"),
            ":10: Resources.Subnet.Properties.CidrBlock",
            "10.0.1.0/33",
        ),
        (VPC.replace("!Ref Vpc", "!Ref Vcp"), ":9: Resources.Subnet.Properties.VpcId.Ref", "Ref to 'Vcp'"),
        (VPC.replace("VpcId: !Ref Vpc", "VpcId: !Reff Vpc"), ":9", "unknown tag !Reff"),
        (VPC.replace("      Subnet:", "      Subnet:\n      Subnet:"), ":7", "duplicate key 'Subnet'"),
        ("Parameters: {}\n", ":1: Resources", "needs a Resources mapping"),
        (
            VPC + "      Acl:\n        Type: AWS::EC2::NetworkAcl\n        Properties: {VpcId: !Ref Vpc}\n"
            "      Entry:\n        Type: AWS::EC2::NetworkAclEntry\n        Properties:\n"
            "          NetworkAclId: !Ref Acl\n          RuleNumber: 40000\n          Protocol: -1\n"
            "          RuleAction: allow\n          CidrBlock: 0.0.0.0/0\n",
            ":18: Resources.Entry.Properties.RuleNumber",
            "rule number must be 1-32766",
        ),
    ],
)
def test_bad_input_is_one_line_with_file_line_and_place(tmp_path: Path, body: str, where: str, message: str) -> None:
    path = template(tmp_path, body)
    code, out, err = run("exposure", str(path), "--format", "cloudformation")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"edgeward: error: {path}{where}")
    assert message in err


def test_short_tags_read_as_their_long_form(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        """\
        Resources:
          X:
            Type: AWS::EC2::VPC
            Properties:
              A: !GetAtt Y.GroupId
              B: !Sub "${AWS::Region}-x"
              C: !Join [",", [a, b]]
              D: !Select [0, !GetAZs ""]
              E: !Condition C1
        """,
    )
    props = read_template(path)["Resources"]["X"]["Properties"]
    assert props["A"] == {"Fn::GetAtt": ["Y", "GroupId"]}
    assert props["B"] == {"Fn::Sub": "${AWS::Region}-x"}
    assert props["C"] == {"Fn::Join": [",", ["a", "b"]]}
    assert props["D"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert props["E"] == {"Condition": "C1"}


def test_load_balancers_listeners_rules_and_targets_are_read() -> None:
    from edgeward.model.edge import OriginHeader, SecretText
    from edgeward.semantics.load_balancers import judge_listener

    path = HERE / "load_balancer.yaml"
    snapshot = load_snapshot(path)
    (lb,) = snapshot.edge.load_balancers
    assert (lb.arn, lb.subnet_ids, lb.security_group_ids) == (
        "cfn:Alb",
        ("cfn:SubnetA", "cfn:SubnetB"),
        ("cfn:AlbGroup",),
    )
    assert lb.attribute("routing.http.drop_invalid_header_fields.enabled") == "true"
    assert lb.source.line == line_of(path, "  Alb:")
    (listener,) = snapshot.edge.listeners
    (rule,) = listener.rules or ()  # the rule whose Condition is false does not exist
    assert rule.arn == "cfn:FromCloudFront"
    secret = (OriginHeader("X-Origin-Verify", SecretText("s3cr3t-origin-value")),)
    assert judge_listener(listener, secret).status == "checked"
    override = load_snapshot(path, parameters={"OriginSecret": "rotated"})
    assert judge_listener(override.edge.listeners[0], secret).status == "unchecked"
    (group,) = snapshot.edge.target_groups
    assert (group.load_balancer_arns, [t.id for t in group.targets]) == (("cfn:Alb",), ["cfn:App"])


def test_a_resource_in_an_imported_vpc_is_left_out_with_a_note(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        """\
        Resources:
          Group:
            Type: AWS::EC2::SecurityGroup
            Properties:
              GroupDescription: in a shared VPC
              VpcId: !ImportValue shared-vpc-id
        """,
    )
    code, out, _ = run("exposure", str(path), "--output-format", "json")
    assert code == 0
    (note,) = json.loads(out)["notes"]
    assert note.startswith("Group: the VPC (VpcId) is not known: Fn::ImportValue") and note.endswith(
        "left out of the estate"
    )
