"""The network verbs as a user runs them: exit codes, JSON shape, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edgeward.cli import main

PUBLIC = "test-public-subnet"
INSTANCE = "i-06669a407b2ef3ae5"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edgeward")
    return result.exit_code, result.stdout, result.stderr


def test_reach_json_allowed_carries_trace_and_sources(corpus: Path) -> None:
    code, out, _ = run(
        "reach",
        str(corpus / PUBLIC),
        "--from",
        "internet",
        "--to",
        INSTANCE,
        "--protocol",
        "tcp",
        "--port",
        "22",
        "--output-format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "allowed"
    assert data["destination_address"] == "10.0.0.91"  # the IGW's 1:1 NAT of 18.216.80.133
    components = [hop["component"] for hop in data["trace"]]
    assert components[:3] == ["internet-gateway", "network-acl", "security-group"]
    assert {hop["direction"] for hop in data["trace"]} == {"forward", "return"}
    assert "0.0.0.0/5" in data["internet_sources"]  # every address outside the VPC, as CIDRs
    assert data["ephemeral_source_ports"] == "1024-65535"


def test_reach_denied_still_exits_zero_and_names_the_blocking_group(corpus: Path) -> None:
    code, out, _ = run(
        "reach",
        str(corpus / PUBLIC),
        "--from",
        "internet",
        "--to",
        INSTANCE,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--output-format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "denied"
    blocking = [h for h in data["trace"] if h["decision"] == "deny"]
    assert blocking[0]["component"] == "security-group"
    assert blocking[0]["resource"] == "sg-09ccba6656672061b"


def test_reach_text_reads_like_an_explanation(corpus: Path) -> None:
    code, out, _ = run(
        "reach", str(corpus / PUBLIC), "--from", "8.8.8.8", "--to", INSTANCE, "--protocol", "6", "--port", "22"
    )
    assert code == 0
    assert out.startswith("ALLOWED: tcp port 22 from internet host 8.8.8.8")
    assert "Forward path:" in out and "Return path:" in out
    assert "tcp port 22 from 0.0.0.0/0" in out  # the rule that allowed it, as written


def test_exposure_json_lists_interface_port_and_sources(corpus: Path) -> None:
    code, out, _ = run("exposure", str(corpus / PUBLIC), "--output-format", "json")
    assert code == 0
    exposed = json.loads(out)["exposed"]
    assert [e["interface"] for e in exposed] == ["eni-00064850627e198ee"]
    services = exposed[0]["exposed"]
    assert [(s["protocols"], s["ports"]) for s in services] == [("tcp", "port 22")]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["--from", "eni-nope", "--to", "internet", "--protocol", "tcp", "--port", "1"],
            "--from: no interface eni-nope",
        ),
        (["--from", "internet", "--to", "i-nope", "--protocol", "tcp", "--port", "1"], "--to: no instance i-nope"),
        (["--from", "internet", "--to", INSTANCE, "--protocol", "tcp"], "--port: tcp needs --port"),
        (["--from", "internet", "--to", INSTANCE, "--protocol", "bogus"], "--protocol: unknown protocol"),
        (["--from", "nonsense!", "--to", INSTANCE, "--protocol", "tcp", "--port", "1"], "--from: 'nonsense!' is not"),
        (["--from", "internet", "--to", INSTANCE, "--protocol", "tcp", "--port", "70000"], "--port: port must be"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(corpus: Path, args: list[str], fragment: str) -> None:
    code, out, err = run("reach", str(corpus / PUBLIC), *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and fragment in err
    assert "Traceback" not in err


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "SecurityGroups.json").write_text('{"SecurityGroups": [\n  {"GroupId": }\n]}')
    code, _, err = run("exposure", str(tmp_path))
    assert code == 2
    assert f"{tmp_path / 'SecurityGroups.json'}: line 2 column" in err
    assert err.count("\n") == 1


def test_unknown_shape_is_rejected_with_its_keys(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"Widgets": []}')
    code, _, err = run("exposure", str(tmp_path))
    assert code == 2
    assert "unrecognised AWS output (top-level keys: Widgets)" in err


def test_bad_cidr_names_the_json_path(tmp_path: Path) -> None:
    (tmp_path / "Vpcs.json").write_text(json.dumps({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"}]}))
    code, _, err = run("exposure", str(tmp_path))
    assert code == 2
    assert "Vpcs[0].CidrBlock: not an IP address or CIDR: '10.0.0.0/33'" in err


def test_dangling_subnet_reference_names_the_interface(tmp_path: Path) -> None:
    (tmp_path / "Vpcs.json").write_text(json.dumps({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}))
    (tmp_path / "NetworkInterfaces.json").write_text(
        json.dumps(
            {
                "NetworkInterfaces": [
                    {
                        "NetworkInterfaceId": "eni-1",
                        "VpcId": "vpc-1",
                        "SubnetId": "subnet-gone",
                        "PrivateIpAddress": "10.0.0.5",
                    }
                ]
            }
        )
    )
    code, _, err = run("exposure", str(tmp_path))
    assert code == 2
    assert "NetworkInterfaces[0]: interface eni-1 is in subnet subnet-gone, which is not in the snapshot" in err


def test_missing_option_is_one_line(corpus: Path) -> None:
    code, _, err = run("reach", str(corpus / PUBLIC), "--from", "internet")
    assert code == 2
    assert err.count("\n") == 1 and "Missing option '--to'" in err


def test_missing_argument_is_one_line_with_help_pointer() -> None:
    code, _, err = run("reach")
    assert code == 2
    assert err.strip() == "edgeward: error: Missing argument 'SOURCE'. (see 'edgeward reach --help')"


def test_batch_answers_each_line_in_order(corpus: Path, tmp_path: Path) -> None:
    batch = tmp_path / "flows.jsonl"
    lines = [
        json.dumps({"from": "internet", "to": INSTANCE, "protocol": "tcp", "port": 22}),
        "# comments and blank lines are skipped",
        "",
        json.dumps({"from": "internet", "to": INSTANCE, "protocol": "tcp", "port": 80}),
        json.dumps({"from": INSTANCE, "to": "8.8.8.8", "protocol": "icmp", "icmp_type": 8, "icmp_code": 0}),
    ]
    batch.write_text("\n".join(lines) + "\n")
    code, out, _ = run("reach", str(corpus / PUBLIC), "--batch", str(batch))
    assert code == 0
    verdicts = [json.loads(line)["verdict"] for line in out.splitlines()]
    assert verdicts == ["allowed", "denied", "allowed"]


def test_batch_with_a_bad_line_answers_nothing(corpus: Path, tmp_path: Path) -> None:
    batch = tmp_path / "flows.jsonl"
    good = json.dumps({"from": "internet", "to": INSTANCE, "protocol": "tcp", "port": 22})
    bad = json.dumps({"from": "internet", "to": INSTANCE, "protocol": "tcp"})
    batch.write_text(f"{good}\n{bad}\n")
    code, out, err = run("reach", str(corpus / PUBLIC), "--batch", str(batch))
    assert code == 2
    assert out == ""
    assert f"{batch}: line 2: --port: tcp needs --port" in err
