"""The native estate format: what a user writes, what edgeward builds, and how it says what is wrong."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from edgeward.cli import main
from edgeward.errors import InputError
from edgeward.model.network import NaclEntry, NetworkAcl, PeerKind, RouteTarget, SecurityGroup, SecurityGroupRule
from edgeward.model.snapshot import Snapshot
from edgeward.sources import load_snapshot, native
from edgeward.sources.native import load_native, native_json_schema

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
FIXTURES = Path(__file__).parent / "fixtures"

HEAD = """\
edgeward: 1
account: "111122223333"
region: us-east-1
"""

ONE_VPC = (
    HEAD
    + """\
vpcs:
  - id: vpc-a
    cidr: 10.0.0.0/16
    subnets:
      - {id: subnet-a, cidr: 10.0.1.0/24}
"""
)


def write(tmp_path: Path, *parts: str, name: str = "estate.yaml") -> Path:
    """Write the parts, each dedented on its own, as one file."""
    path = tmp_path / name
    path.write_text("".join(dedent(part) for part in parts))
    return path


def line_of(path: Path, marker: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing `marker`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if marker in line]
    return hits[nth - 1]


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_native(path)
    assert "\n" not in str(info.value)  # one line, as the CLI prints it
    return info.value


def assert_error(exc: InputError, path: Path, place: str, line: int, *words: str) -> None:
    assert exc.file == str(path)
    assert exc.place == f"{place} (line {line})"
    for word in words:
        assert word in exc.detail
    assert str(exc) == f"{path}: {place} (line {line}): {exc.detail}"


# -- the examples -----------------------------------------------------------------------------
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_conform_to_the_published_schema(example: Path) -> None:
    snapshot = load_native(example)
    assert snapshot.interfaces and snapshot.security_groups
    jsonschema.Draft202012Validator(native_json_schema()).validate(yaml.safe_load(example.read_text()))


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {"three-tier.yaml", "web-server.yaml"}


def test_three_tier_chains_the_tiers_by_group_reference() -> None:
    snapshot = load_native(REPO / "examples" / "three-tier.yaml")
    web = snapshot.security_groups["sg-web"]
    db = snapshot.security_groups["sg-db"]
    assert [(r.peer_kind, r.group.group_id if r.group else None, r.from_port) for r in web.ingress] == [
        (PeerKind.SECURITY_GROUP, "sg-lb", 8080)
    ]
    assert [(r.group.group_id if r.group else None, r.from_port) for r in db.ingress] == [("sg-web", 5432)]
    assert db.egress == ()  # `egress: []`: nothing leaves the database
    lb = snapshot.security_groups["sg-lb"]
    assert {r.cidr for r in lb.ingress} == {"0.0.0.0/0", "::/0"}
    private = snapshot.route_tables[snapshot.route_table_of_subnet["subnet-app-a"]]
    assert [(r.destination, r.target) for r in private.routes if r.target is not RouteTarget.LOCAL] == [
        ("0.0.0.0/0", RouteTarget.NAT_GATEWAY)
    ]
    assert snapshot.vpcs["vpc-shop"].cidrs_v6  # dual-stack


def _header_claims() -> list[tuple[str, list[str], str]]:
    """Every `edgeward reach ...` line of the examples' headers, with the verdict stated under it."""
    claims = []
    for example in EXAMPLES:
        lines = example.read_text().splitlines()
        for line, answer in itertools.pairwise(lines):
            match = re.match(r"#\s+edgeward reach (\S+) (.*)$", line)
            if match:
                verdict = answer.lstrip("# ").split()[0].rstrip(",:")
                claims.append((example.name, [str(REPO / match.group(1)), *match.group(2).split()], verdict))
    return claims


@pytest.mark.parametrize(("example", "args", "verdict"), _header_claims())
def test_example_headers_state_what_edgeward_answers(example: str, args: list[str], verdict: str) -> None:
    result = CliRunner().invoke(main, ["reach", *args, "--output-format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == verdict


def test_header_claims_cover_both_examples_and_both_verdicts() -> None:
    claims = _header_claims()
    assert {c[0] for c in claims} == {"three-tier.yaml", "web-server.yaml"}
    assert {c[2] for c in claims} == {"allowed", "denied"}


def test_web_server_ssh_is_open_to_the_office_range_only() -> None:
    args = ["reach", str(REPO / "examples" / "web-server.yaml"), "--from", "internet", "--to", "i-web"]
    result = CliRunner().invoke(main, [*args, "--protocol", "tcp", "--port", "22", "--output-format", "json"])
    data = json.loads(result.stdout)
    assert data["verdict"] == "allowed"
    assert data["internet_sources"] == ["198.51.100.0/24"]  # a documentation range is an internet range


def test_load_snapshot_detects_the_native_format() -> None:
    snapshot = load_snapshot(REPO / "examples" / "web-server.yaml")
    assert isinstance(snapshot, Snapshot)
    assert snapshot.primary_interface_of_instance["i-web"] == "eni-web"


# -- what AWS creates without being asked -----------------------------------------------------
def test_group_without_egress_gets_the_aws_default_outbound_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD,
        """\
        vpcs:
          - {id: vpc-dual, cidr: 10.0.0.0/16, ipv6_cidr: "2600:1f18:1:200::/56"}
          - {id: vpc-v4, cidr: 10.1.0.0/16}
        security_groups:
          - {id: sg-dual, vpc: vpc-dual}
          - {id: sg-v4, vpc: vpc-v4}
          - {id: sg-closed, vpc: vpc-dual, egress: []}
        """,
    )
    groups = load_native(path).security_groups

    def outbound(group: SecurityGroup) -> list[tuple[int, str | None]]:
        return [(r.protocol, r.cidr) for r in group.egress]

    assert outbound(groups["sg-dual"]) == [(-1, "0.0.0.0/0"), (-1, "::/0")]
    assert outbound(groups["sg-v4"]) == [(-1, "0.0.0.0/0")]
    assert outbound(groups["sg-closed"]) == []
    assert groups["sg-dual"].ingress == ()  # a new group admits nothing


def test_every_vpc_gets_a_default_nacl_that_allows_all_as_aws_creates_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD,
        """\
        vpcs:
          - id: vpc-dual
            cidr: 10.0.0.0/16
            ipv6_cidr: "2600:1f18:1:200::/56"
            subnets:
              - {id: subnet-1, cidr: 10.0.1.0/24}
              - {id: subnet-2, cidr: 10.0.2.0/24, network_acl: acl-custom}
          - {id: vpc-v4, cidr: 10.1.0.0/16, subnets: [{id: subnet-3, cidr: 10.1.1.0/24}]}
        network_acls:
          - {id: acl-custom, vpc: vpc-dual}
        """,
    )
    snapshot = load_native(path)
    dual = snapshot.network_acls[snapshot.acl_of_subnet["subnet-1"]]
    assert dual.is_default and dual.vpc_id == "vpc-dual"
    assert dual.subnet_ids == ("subnet-1",)
    inbound = [(e.rule_number, e.allow, e.protocol, e.cidr) for e in dual.ordered(egress=False)]
    assert inbound == [
        (100, True, -1, "0.0.0.0/0"),
        (101, True, -1, "::/0"),
        (32767, False, -1, "0.0.0.0/0"),
        (32768, False, -1, "::/0"),
    ]
    assert [(e.rule_number, e.allow) for e in dual.ordered(egress=True)] == [
        (100, True),
        (101, True),
        (32767, False),
        (32768, False),
    ]
    v4 = snapshot.network_acls[snapshot.acl_of_subnet["subnet-3"]]
    assert [(e.rule_number, e.cidr) for e in v4.ordered(egress=False)] == [(100, "0.0.0.0/0"), (32767, "0.0.0.0/0")]
    assert snapshot.acl_of_subnet["subnet-2"] == "acl-custom"


def test_a_custom_nacl_denies_all_but_what_is_written(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC.replace("{id: subnet-a, cidr: 10.0.1.0/24}", "{id: subnet-a, cidr: 10.0.1.0/24, network_acl: acl-web}"),
        """\
        network_acls:
          - id: acl-web
            vpc: vpc-a
            inbound:
              - {rule: 200, protocol: tcp, ports: 1024-65535, cidr: 0.0.0.0/0, action: allow}
              - {rule: 100, protocol: tcp, ports: 443, cidr: 0.0.0.0/0, action: allow}
              - {rule: 50, protocol: all, cidr: 192.0.2.7, action: deny}
        """,
    )
    acl = load_native(path).network_acls["acl-web"]
    assert not acl.is_default and acl.subnet_ids == ("subnet-a",)
    assert [(e.rule_number, e.allow, e.cidr, e.port_from, e.port_to) for e in acl.ordered(egress=False)] == [
        (50, False, "192.0.2.7/32", None, None),
        (100, True, "0.0.0.0/0", 443, 443),
        (200, True, "0.0.0.0/0", 1024, 65535),
        (32767, False, "0.0.0.0/0", None, None),
    ]
    # nothing written outbound: only the * deny, so replies cannot leave
    assert acl.ordered(egress=True) == (NaclEntry(32767, True, False, -1, "0.0.0.0/0", position="* (implicit)"),)


def test_a_nacl_marked_default_replaces_the_generated_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        network_acls:
          - id: acl-0123
            vpc: vpc-a
            default: true
            inbound: [{rule: 100, protocol: tcp, ports: 22, cidr: 10.0.0.0/8, action: allow}]
        """,
    )
    snapshot = load_native(path)
    assert [a.id for a in snapshot.network_acls.values()] == ["acl-0123"]
    assert snapshot.acl_of_subnet["subnet-a"] == "acl-0123"
    assert snapshot.network_acls["acl-0123"].subnet_ids == ("subnet-a",)


def test_main_route_table_and_local_routes_are_implicit_as_in_aws(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD,
        """\
        vpcs:
          - id: vpc-a
            cidr: 10.0.0.0/16
            ipv6_cidr: "2600:1f18:1:200::/56"
            internet_gateway: igw-a
            subnets:
              - {id: subnet-public, cidr: 10.0.1.0/24, route_table: rtb-public}
              - {id: subnet-private, cidr: 10.0.2.0/24}
        route_tables:
          - id: rtb-public
            vpc: vpc-a
            routes:
              - {destination: 0.0.0.0/0, target: igw-a}
              - {destination: office, target: vgw-gone, blackhole: true}
        prefix_lists:
          - {id: pl-1, name: office, entries: [198.51.100.0/24]}
        """,
    )
    snapshot = load_native(path)
    main_table = snapshot.route_tables[snapshot.route_table_of_subnet["subnet-private"]]
    assert main_table.is_main and main_table.vpc_id == "vpc-a"
    assert [(r.destination, r.target_id) for r in main_table.routes] == [
        ("10.0.0.0/16", "local"),
        ("2600:1f18:1:200::/56", "local"),
    ]
    public = snapshot.route_tables["rtb-public"]
    assert public.subnet_ids == ("subnet-public",) and not public.is_main
    assert [(r.destination, r.destination_prefix_list_id, r.target, r.blackhole) for r in public.routes] == [
        ("10.0.0.0/16", None, RouteTarget.LOCAL, False),
        ("2600:1f18:1:200::/56", None, RouteTarget.LOCAL, False),
        ("0.0.0.0/0", None, RouteTarget.INTERNET_GATEWAY, False),
        (None, "pl-1", RouteTarget.VIRTUAL_PRIVATE_GATEWAY, True),
    ]
    assert snapshot.internet_gateways_of_vpc["vpc-a"] == ("igw-a",)


def test_a_declared_main_table_is_the_only_main_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        route_tables:
          - {id: rtb-main, vpc: vpc-a, main: true}
        """,
    )
    snapshot = load_native(path)
    assert list(snapshot.route_tables) == ["rtb-main"]
    assert snapshot.route_table_of_subnet["subnet-a"] == "rtb-main"


def test_cloudfront_list_named_without_entries_is_filled_from_the_dated_copy(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        prefix_lists:
          - {id: pl-3b927c52, name: com.amazonaws.global.cloudfront.origin-facing}
        security_groups:
          - id: sg-origin
            vpc: vpc-a
            ingress: [{protocol: tcp, ports: 443, from_prefix_list: com.amazonaws.global.cloudfront.origin-facing}]
        """,
    )
    snapshot = load_native(path)
    cloudfront = snapshot.prefix_lists["pl-3b927c52"]
    assert cloudfront.aws_managed and cloudfront.from_dated_copy and cloudfront.cidrs
    assert snapshot.security_groups["sg-origin"].ingress[0].prefix_list_id == "pl-3b927c52"
    assert any("pl-3b927c52" in note for note in snapshot.notes)


# -- rules as the EC2 API has them ------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{protocol: tcp, ports: 443, from: 0.0.0.0/0}", (6, 443, 443)),
        ("{protocol: udp, ports: 1000-2000, from: 0.0.0.0/0}", (17, 1000, 2000)),
        ("{protocol: '6', ports: all, from: 0.0.0.0/0}", (6, 0, 65535)),
        ("{protocol: icmp, icmp_type: 3, icmp_code: 4, from: 0.0.0.0/0}", (1, 3, 4)),
        ("{protocol: icmp, icmp_type: 8, from: 0.0.0.0/0}", (1, 8, -1)),
        ("{protocol: icmpv6, from: 0.0.0.0/0}", (58, -1, -1)),
        ("{protocol: all, from: 0.0.0.0/0}", (-1, None, None)),
        ("{protocol: -1, from: 0.0.0.0/0}", (-1, None, None)),
        ("{protocol: 50, from: 0.0.0.0/0}", (50, None, None)),
    ],
)
def test_protocols_and_ports_become_what_the_api_reports(
    tmp_path: Path, rule: str, expected: tuple[int, int | None, int | None]
) -> None:
    path = write(tmp_path, ONE_VPC + f"security_groups:\n  - {{id: sg-a, vpc: vpc-a, ingress: [{rule}]}}\n")
    (parsed,) = load_native(path).security_groups["sg-a"].ingress
    assert (parsed.protocol, parsed.from_port, parsed.to_port) == expected


def test_a_list_of_peers_is_one_aws_rule_per_peer(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - id: sg-a
            vpc: vpc-a
            ingress:
              - {protocol: tcp, ports: 22, from: [203.0.113.5, "2001:DB8:0:0::/64"], description: admins}
        """,
    )
    rules = load_native(path).security_groups["sg-a"].ingress
    # a bare address is a /32, IPv6 is written as AWS prints it
    assert [(r.cidr, r.description) for r in rules] == [("203.0.113.5/32", "admins"), ("2001:db8::/64", "admins")]


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("{protocol: tcp, from: 0.0.0.0/0}", "tcp needs ports"),
        ("{protocol: all, ports: 22, from: 0.0.0.0/0}", "covers every port"),
        ("{protocol: icmp, ports: 8, from: 0.0.0.0/0}", "icmp has no ports"),
        ("{protocol: icmp, icmp_code: 4, from: 0.0.0.0/0}", "needs an ICMP type"),
        ("{protocol: tcp, ports: 70000, from: 0.0.0.0/0}", "not within 0-65535"),
        ("{protocol: tpc, ports: 22, from: 0.0.0.0/0}", "unknown protocol 'tpc'"),
    ],
)
def test_rule_fields_that_do_not_fit_the_protocol_are_errors(tmp_path: Path, rule: str, words: str) -> None:
    path = write(tmp_path, ONE_VPC + f"security_groups:\n  - id: sg-a\n    vpc: vpc-a\n    ingress:\n      - {rule}\n")
    exc = error_of(path)
    assert exc.file == str(path)
    assert exc.place is not None and exc.place.startswith("security_groups[0].ingress[0]")
    assert exc.place.endswith(f"(line {line_of(path, rule)})")
    assert words in exc.detail


# -- errors name the file, the place and the line ---------------------------------------------
def test_a_rule_with_two_peers_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - id: sg-a
            vpc: vpc-a
            ingress:
              - {protocol: tcp, ports: 443, from: 0.0.0.0/0}
              - protocol: tcp
                ports: 22
                from: 10.0.0.0/8
                from_group: sg-a
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "security_groups[0].ingress[1]", line_of(path, "protocol: tcp", 2), "from and from_group")


def test_a_rule_with_no_peer_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC + "security_groups:\n  - id: sg-a\n    vpc: vpc-a\n    egress: [{protocol: all}]\n")
    exc = error_of(path)
    assert_error(exc, path, "security_groups[0].egress[0]", line_of(path, "egress:"), "to, to_group or to_prefix_list")


def test_an_unknown_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - id: sg-a
            vpc: vpc-a
            ingress:
              - {protocol: tcp, ports: 22, form: 10.0.0.0/8}
        """,
    )
    exc = error_of(path)
    assert_error(
        exc, path, "security_groups[0].ingress[0].form", line_of(path, "form:"), "unknown key 'form'", "'from'"
    )


def test_an_unknown_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC + "security_groups:\n  - id: sg-a\n    vpc: vpc-a\n    inbound: []\n")
    exc = error_of(path)
    assert_error(exc, path, "security_groups[0].inbound", line_of(path, "inbound:"), "unknown key 'inbound'", "ingress")


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's loader (when PyYAML has it) and with the pure-Python fallback."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.setattr(native, "_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(native, "_LOADER", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.usefixtures("yaml_loader")
def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC + "security_groups:\n  - {id: sg-a, vpc: vpc-a\n  - {id: sg-b}\n")
    exc = error_of(path)
    assert exc.file == str(path)
    assert exc.place is not None
    match = re.fullmatch(r"line (\d+) column (\d+)", exc.place)
    assert match is not None
    # the unclosed mapping opens on one line; the parser gives up on the next
    assert int(match.group(1)) in (line_of(path, "{id: sg-a"), line_of(path, "{id: sg-b"))
    assert exc.detail.startswith("invalid YAML")


@pytest.mark.usefixtures("yaml_loader")
def test_anchors_and_merge_keys_work_and_errors_still_name_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - &web {id: sg-a, vpc: vpc-a, ingress: [{protocol: tcp, ports: 22, from: 10.0.0.0/8}]}
          - {<<: *web, id: sg-b}
        """,
    )
    groups = load_native(path).security_groups
    assert groups["sg-b"].ingress[0].cidr == "10.0.0.0/8"
    assert groups["sg-b"].source.line == line_of(path, "id: sg-b")
    path.write_text(path.read_text().replace("id: sg-b}", "id: sg-b, colour: red}"))
    assert_error(error_of(path), path, "security_groups[1].colour", line_of(path, "colour"), "unknown key 'colour'")


@pytest.mark.usefixtures("yaml_loader")
def test_an_unquoted_ipv6_cidr_in_flow_style_gets_a_hint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC + "security_groups:\n  - id: sg-a\n    vpc: vpc-a\n    ingress: [{protocol: all, from: ::/0}]\n",
    )
    exc = error_of(path)
    line = line_of(path, "from: ::/0")
    column = path.read_text().splitlines()[line - 1].index("::/0") + 1
    assert exc.place == f"line {line} column {column}"
    assert 'quote IPv6 CIDRs that start with a colon: "::/0"' in exc.detail


@pytest.mark.parametrize(
    ("text", "marker", "place", "words"),
    [
        (
            "ingress: [{protocol: all, from: 10.0.0.300/8}]",
            "10.0.0.300",
            "security_groups[0].ingress[0].from",
            "not a CIDR",
        ),
        (
            "ingress: [{protocol: all, from: [10.0.0.0/8, 1.2.3.4/40]}]",
            "1.2.3.4/40",
            "security_groups[0].ingress[0].from[1]",
            "'1.2.3.4/40'",
        ),
    ],
)
def test_a_bad_cidr_in_a_rule_is_an_error(tmp_path: Path, text: str, marker: str, place: str, words: str) -> None:
    path = write(tmp_path, ONE_VPC + f"security_groups:\n  - id: sg-a\n    vpc: vpc-a\n    {text}\n")
    assert_error(error_of(path), path, place, line_of(path, marker), words)


def test_a_vpc_cidr_with_host_bits_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC.replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.1/16"))
    assert_error(error_of(path), path, "vpcs[0].cidr", line_of(path, "10.0.0.1/16"), "host bits", "10.0.0.0/16")


def test_a_subnet_outside_its_vpc_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC.replace("cidr: 10.0.1.0/24", "cidr: 10.9.1.0/24"))
    assert_error(error_of(path), path, "vpcs[0].subnets[0].cidr", line_of(path, "10.9.1.0/24"), "not inside VPC vpc-a")


def test_a_dangling_group_reference_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - id: sg-a
            vpc: vpc-a
          - id: sg-b
            vpc: vpc-a
            ingress:
              - {protocol: tcp, ports: 22, from: 10.0.0.0/8}
              - {protocol: tcp, ports: 8080, from_group: sg-lb}
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "security_groups[1].ingress[1].from_group", line_of(path, "sg-lb"), "sg-lb", "not declared")


def test_a_dangling_subnet_reference_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups: [{id: sg-a, vpc: vpc-a}]
        interfaces:
          - id: eni-1
            subnet: subnet-typo
            private_ip: 10.0.1.5
            groups: [sg-a]
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "interfaces[0].subnet", line_of(path, "subnet-typo"), "subnet subnet-typo", "not declared")


def test_a_dangling_group_on_an_interface_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups: [{id: sg-a, vpc: vpc-a}]
        instances:
          - id: i-1
            interfaces:
              - {id: eni-1, subnet: subnet-a, private_ip: 10.0.1.5, groups: [sg-a, sg-gone]}
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "instances[0].interfaces[0].groups[1]", line_of(path, "sg-gone"), "sg-gone")


def test_an_address_outside_the_subnet_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups: [{id: sg-a, vpc: vpc-a}]
        interfaces:
          - {id: eni-1, subnet: subnet-a, private_ip: 10.0.2.5, groups: [sg-a]}
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "interfaces[0].private_ip", line_of(path, "10.0.2.5"), "not inside subnet subnet-a")


def test_a_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        security_groups:
          - id: sg-a
            vpc: vpc-a
            ingress: [{protocol: tcp, ports: 22, from: 10.0.0.0/8}]
            ingress: [{protocol: tcp, ports: 443, from: 0.0.0.0/0}]
        """,
    )
    exc = error_of(path)
    first, second = line_of(path, "ingress:"), line_of(path, "ingress:", 2)
    assert_error(exc, path, "security_groups[0].ingress", second, f"duplicate key 'ingress' (first at line {first})")


def test_a_duplicate_id_is_an_error_naming_both_places(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC + "security_groups:\n  - {id: sg-a, vpc: vpc-a}\n  - {id: sg-a, vpc: vpc-a}\n")
    exc = error_of(path)
    first = line_of(path, "{id: sg-a")
    assert_error(exc, path, "security_groups[1].id", first + 1, "duplicate security group id sg-a", f"(line {first})")


def test_the_first_error_in_the_file_is_reported_with_a_count_of_the_others(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD,
        """\
        vpcs:
          - {id: vpc-a, cidr: 10.0.0.0/16, colour: blue}
        security_groups:
          - {id: sg-a, vpc: vpc-a, ingress: [{protocol: tcp, ports: 22}]}
        prefix_lists: 7
        """,
    )
    exc = error_of(path)
    assert exc.place == f"vpcs[0].colour (line {line_of(path, 'colour')})"
    assert exc.detail.endswith("(and 2 more errors)")


@pytest.mark.parametrize(
    ("routes", "marker", "words"),
    [
        ("[{destination: 0.0.0.0/0, target: gw-123}]", "gw-123", "cannot tell the kind of target 'gw-123'"),
        ("[{destination: 0.0.0.0/0, target: igw-other}]", "igw-other", "not attached to vpc-a"),
        ("[{destination: 0.0.0.0/0, target: nat-1}]", "nat-1", "not declared under nat_gateways"),
        ("[{destination: 10.9.0.0/16, target: pcx-1}]", "pcx-1", "not declared under peering_connections"),
    ],
)
def test_a_route_to_an_unknown_target_is_an_error(tmp_path: Path, routes: str, marker: str, words: str) -> None:
    path = write(tmp_path, ONE_VPC + f"route_tables:\n  - id: rtb-1\n    vpc: vpc-a\n    routes: {routes}\n")
    assert_error(error_of(path), path, "route_tables[0].routes[0].target", line_of(path, marker), words)


def test_a_subnet_cannot_use_the_route_table_of_another_vpc(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC.replace("{id: subnet-a, cidr: 10.0.1.0/24}", "{id: subnet-a, cidr: 10.0.1.0/24, route_table: rtb-b}"),
        """\
          - {id: vpc-b, cidr: 10.1.0.0/16}
        route_tables:
          - {id: rtb-b, vpc: vpc-b}
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "vpcs[0].subnets[0].route_table", line_of(path, "route_table: rtb-b"), "rtb-b is in vpc-b")


# -- group references across VPCs and accounts ------------------------------------------------
PEERED = (
    HEAD
    + """\
vpcs:
  - {id: vpc-a, cidr: 10.0.0.0/16}
  - {id: vpc-b, cidr: 10.1.0.0/16}
"""
)


def test_a_reference_across_a_peering_is_reported_as_aws_describes_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        PEERED,
        """\
        peering_connections:
          - {id: pcx-ab, requester: vpc-a, accepter: vpc-b}
        security_groups:
          - {id: sg-b, vpc: vpc-b}
          - id: sg-a
            vpc: vpc-a
            ingress: [{protocol: tcp, ports: 443, from_group: sg-b}]
        """,
    )
    snapshot = load_native(path)
    (rule,) = snapshot.security_groups["sg-a"].ingress
    assert rule.group is not None
    assert (rule.group.user_id, rule.group.vpc_id, rule.group.peering_id, rule.group.peering_status) == (
        "111122223333",
        "vpc-b",
        "pcx-ab",
        "active",
    )
    pcx = snapshot.peering_connections["pcx-ab"]
    assert pcx.requester.cidrs == ("10.0.0.0/16",) and pcx.accepter.cidrs == ("10.1.0.0/16",)


def test_a_reference_to_a_group_of_an_unpeered_vpc_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        PEERED,
        """\
        security_groups:
          - {id: sg-b, vpc: vpc-b}
          - {id: sg-a, vpc: vpc-a, ingress: [{protocol: tcp, ports: 443, from_group: sg-b}]}
        """,
    )
    exc = error_of(path)
    assert_error(exc, path, "security_groups[1].ingress[0].from_group", line_of(path, "from_group"), "not peered")


def test_a_group_of_another_account_outside_the_file_is_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        PEERED,
        """\
        peering_connections:
          - id: pcx-x
            requester: vpc-a
            accepter: {vpc: vpc-partner, account: "444455556666", cidrs: [172.16.0.0/16]}
        security_groups:
          - id: sg-a
            vpc: vpc-a
            ingress:
              - {protocol: tcp, ports: 443, from_group: 444455556666/sg-partner}
              - protocol: tcp
                ports: 22
                from_group: {id: sg-old, vpc: vpc-partner, peering: pcx-x, peering_status: deleted}
        """,
    )
    snapshot = load_native(path)
    live, stale = snapshot.security_groups["sg-a"].ingress
    assert live.group is not None and (live.group.group_id, live.group.user_id) == ("sg-partner", "444455556666")
    assert stale.group is not None and stale.group.peering_status == "deleted"
    assert snapshot.peering_connections["pcx-x"].accepter.account == "444455556666"


# -- IAM, several files, JSON -----------------------------------------------------------------
def test_the_iam_section_becomes_the_snapshots_iam_estate(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ONE_VPC,
        """\
        iam:
          users:
            - name: alice
              inline_policies:
                Edit: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "cloudfront:*", Resource: "*"}]}
        """,
    )
    iam = load_native(path).iam
    assert iam is not None
    assert "arn:aws:iam::111122223333:user/alice" in repr(iam)  # the top-level account is the IAM account


def test_an_iam_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, ONE_VPC + "iam:\n  users:\n    - name: alice\n      grups: [admins]\n")
    exc = error_of(path)
    assert_error(exc, path, "iam.users[0].grups", line_of(path, "grups"), "unknown key 'grups'", "'groups'")


def test_a_directory_of_native_files_is_one_estate(tmp_path: Path) -> None:
    write(tmp_path, ONE_VPC, name="network.yaml")
    groups = write(
        tmp_path,
        HEAD + "security_groups:\n  - {id: sg-a, vpc: vpc-a}\n  - {id: sg-b, vpc: vpc-missing}\n",
        name="security.yaml",
    )
    exc = error_of(tmp_path)
    assert_error(exc, groups, "security_groups[1].vpc", line_of(groups, "vpc-missing"), "VPC vpc-missing")
    groups.write_text(HEAD + "security_groups:\n  - {id: sg-a, vpc: vpc-a}\n")
    snapshot = load_snapshot(tmp_path)
    assert snapshot.security_groups["sg-a"].source.file == str(groups)
    assert snapshot.vpcs["vpc-a"].source.file == str(tmp_path / "network.yaml")


def test_a_json_file_in_the_native_format_loads_and_errors_name_lines(tmp_path: Path) -> None:
    data = yaml.safe_load(dedent(ONE_VPC))
    data["security_groups"] = [{"id": "sg-a", "vpc": "vpc-a", "ingress": [{"protocol": "tcp", "from": "0.0.0.0/0"}]}]
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(data, indent=2))
    exc = error_of(path)
    assert_error(exc, path, "security_groups[0].ingress[0]", line_of(path, '"protocol": "tcp"') - 1, "tcp needs ports")


def test_every_object_points_back_at_its_file_place_and_line() -> None:
    example = REPO / "examples" / "three-tier.yaml"
    snapshot = load_native(example)
    web = snapshot.security_groups["sg-web"]
    assert (web.source.file, web.source.place, web.source.line) == (
        str(example),
        "security_groups[1]",
        line_of(example, "- id: sg-web"),
    )
    eni = snapshot.interfaces["eni-web-1"]
    assert (eni.source.place, eni.source.line) == ("instances[0].interfaces[0]", line_of(example, "{id: eni-web-1"))
    assert web.ingress[0].position == "security_groups[1].ingress[0].from_group"


# -- the JSON Schema --------------------------------------------------------------------------
def test_the_schema_is_valid_json_schema_and_documents_every_field() -> None:
    schema = native_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["edgeward"]["const"] == 1
    undocumented = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        if name in _NETWORK_DEFS
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []
    assert set(schema["$defs"]) >= _NETWORK_DEFS
    assert "users" in json.dumps(schema["properties"]["iam"])  # the IAM section's own schema


_NETWORK_DEFS = {
    "NativeVpc",
    "NativeSubnet",
    "NativeRouteTable",
    "NativeRoute",
    "NativeNatGateway",
    "NativePeering",
    "NativePeeringSide",
    "NativePrefixList",
    "NativeSecurityGroup",
    "NativeIngressRule",
    "NativeEgressRule",
    "NativeGroupRef",
    "NativeInterface",
    "NativeInstance",
    "NativeNetworkAcl",
    "NativeNaclRule",
}


@pytest.mark.parametrize(
    "rule",
    [
        {"protocol": "tcp", "ports": 22, "from": "10.0.0.0/8", "from_group": "sg-a"},
        {"protocol": "tcp", "ports": 22},
        {"protocol": "tcp", "ports": 22, "form": "10.0.0.0/8"},
        {"protocol": "tcp", "ports": "22-", "from": "10.0.0.0/8"},
    ],
)
def test_the_schema_rejects_rules_the_loader_rejects(rule: dict[str, object]) -> None:
    estate = yaml.safe_load(dedent(ONE_VPC))
    estate["security_groups"] = [{"id": "sg-a", "vpc": "vpc-a", "ingress": [rule]}]
    assert list(jsonschema.Draft202012Validator(native_json_schema()).iter_errors(estate))


# -- the same estate from AWS JSON and from the native format ---------------------------------
def _without_places(group: SecurityGroup) -> SecurityGroup:
    def rules(items: tuple[SecurityGroupRule, ...]) -> tuple[SecurityGroupRule, ...]:
        # rule order inside a group means nothing to AWS; describe output groups them by permission
        return tuple(sorted((replace(r, position="") for r in items), key=repr))

    return replace(
        group,
        source=replace(group.source, file="", place="", line=None),
        ingress=rules(group.ingress),
        egress=rules(group.egress),
    )


def _acl_without_places(acl: NetworkAcl) -> NetworkAcl:
    return replace(
        acl,
        source=replace(acl.source, file="", place="", line=None),
        entries=tuple(replace(e, position="") for e in acl.entries),
    )


def test_aws_json_and_native_give_equal_security_groups_and_nacls() -> None:
    aws = load_snapshot(FIXTURES / "equivalent" / "aws")
    native = load_snapshot(FIXTURES / "equivalent" / "native.yaml")
    assert set(aws.security_groups) == set(native.security_groups) == {"sg-0f66f66f66f66f66f", "sg-0a77a77a77a77a77a"}
    for group_id in aws.security_groups:
        assert _without_places(native.security_groups[group_id]) == _without_places(aws.security_groups[group_id])
    custom = "acl-0c33c33c33c33c33c"
    assert _acl_without_places(native.network_acls[custom]) == _acl_without_places(aws.network_acls[custom])
    # the default NACL edgeward creates is the one AWS created, but for its id
    generated = native.network_acls[native.acl_of_subnet["subnet-0d44d44d44d44d44d"]]
    described = aws.network_acls["acl-0f88f88f88f88f88f"]
    assert replace(_acl_without_places(generated), id="") == replace(_acl_without_places(described), id="")
