"""Configuration: found from the working directory upward; every mistake is one line naming file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from edgeward.config import find_config, load_config
from edgeward.errors import InputError
from edgeward.rules.audit import run_audit
from edgeward.rules.base import Severity
from edgeward.rules.registry import RULES_BY_ID
from tests.rules.support import FIXTURES, load, needs_native, run

KNOWN = frozenset(RULES_BY_ID)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_edgeward_toml_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    config = write(tmp_path, "edgeward.toml", '[audit]\ndisable = ["EW505"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == config
    assert load_config(None, start=nested, known_rules=KNOWN).settings.disabled == {"EW505"}


def test_pyproject_counts_only_with_a_tool_edgeward_table(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None
    write(tmp_path, "pyproject.toml", '[tool.edgeward.audit]\nfail_on = "medium"\n')
    config = load_config(None, start=tmp_path, known_rules=KNOWN)
    assert config.fail_on is Severity.MEDIUM


def test_no_configuration_means_defaults(tmp_path: Path) -> None:
    config = load_config(None, start=tmp_path, known_rules=KNOWN)
    assert config.settings.quotas.rules_per_group == 60
    assert config.fail_on is None


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        ('[audit]\ndisable = ["EW999"]\n', "audit.disable[0]", "unknown rule 'EW999'"),
        ('[audit.severity]\nEW101 = "urgent"\n', "audit.severity.EW101", "unknown severity 'urgent'"),
        ('[audit]\ntrusted_admin_cidrs = ["10.0.0.0/33"]\n', "audit.trusted_admin_cidrs[0]", "not an IP address"),
        ("[audit.quotas]\ngroups_per_interface = 17\n", "audit.quotas.groups_per_interface", "must be 1-16"),
        ("[audit.quotas]\nrules_per_group = 250\n", "audit.quotas", "exceeds rules_times_groups"),
        ('[audit]\ncolour = "red"\n', "audit.colour", "unknown key"),
        ('[audit.tag_policy]\nname_pattern = "["\n', "audit.tag_policy.name_pattern", "invalid regular expression"),
        ('[[audit.suppressions]]\nrule = "EW101"\nreason = "later"\n', "audit.suppressions[0].expires", "required"),
        (
            '[[audit.suppressions]]\nrule = "EW101"\nreason = "x"\nexpires = "soon"\n',
            "audit.suppressions[0].expires",
            "expected a date",
        ),
    ],
)
def test_bad_configuration_names_file_and_key(tmp_path: Path, text: str, place: str, words: str) -> None:
    path = write(tmp_path, "edgeward.toml", text)
    with pytest.raises(InputError) as caught:
        load_config(path, known_rules=KNOWN)
    message = str(caught.value)
    assert message.startswith(f"{path}: {place}: ")
    assert words in message
    assert "\n" not in message


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "edgeward.toml", "[audit\n")
    with pytest.raises(InputError, match="invalid TOML"):
        load_config(path, known_rules=KNOWN)


def test_cli_bad_config_exits_2_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "edgeward.toml", '[audit]\ndisable = ["EW999"]\n')
    code, out, err = run("audit", str(FIXTURES / "ew501_stale_references_aws.json"), "--config", str(path))
    assert code == 2
    assert out == ""
    assert err.strip().count("\n") == 0
    assert f"{path}: audit.disable[0]: unknown rule 'EW999'" in err


def test_cli_missing_config_file_exits_2(tmp_path: Path) -> None:
    code, _out, err = run("audit", str(FIXTURES / "ew501_stale_references_aws.json"), "--config", str(tmp_path / "x"))
    assert code == 2
    assert "no such configuration file" in err


# -- what the settings do -------------------------------------------------------------------
@needs_native
def test_disable_and_severity_override(tmp_path: Path) -> None:
    path = write(tmp_path, "edgeward.toml", '[audit]\ndisable = ["EW505"]\n[audit.severity]\nEW101 = "low"\n')
    settings = load_config(path, known_rules=KNOWN).settings
    result = run_audit(load("ew101_admin_ports.yaml"), settings)
    assert not [f for f in result.findings if f.rule_id == "EW505"]
    assert {f.severity for f in result.findings if f.rule_id == "EW101"} == {Severity.LOW}


@needs_native
def test_suppression_hides_until_it_expires_then_reports_itself(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "edgeward.toml",
        "[[audit.suppressions]]\n"
        'rule = "EW101"\nresource = "i-ssh-world_fail"\nreason = "bastion, replaced by SSM in Q1"\n'
        "expires = 2027-03-31\n",
    )
    settings = load_config(path, known_rules=KNOWN).settings
    snapshot = load("ew101_admin_ports.yaml")

    before = run_audit(snapshot, settings, today=date(2027, 3, 31))
    ssh = next(f for f in before.findings if f.resource_id == "i-ssh-world_fail" and f.rule_id == "EW101")
    assert ssh.suppressed and ssh.suppression is not None
    assert ssh.suppression.reason == "bastion, replaced by SSM in Q1"
    assert ssh not in before.active
    assert not [f for f in before.findings if f.rule_id in ("EW001", "EW002")]

    after = run_audit(snapshot, settings, today=date(2027, 4, 1))
    ssh = next(f for f in after.findings if f.resource_id == "i-ssh-world_fail" and f.rule_id == "EW101")
    assert not ssh.suppressed and ssh.severity is Severity.CRITICAL
    expired = [f for f in after.findings if f.rule_id == "EW001"]
    assert len(expired) == 1
    assert "expired on 2027-03-31" in expired[0].title
    assert expired[0].location.file == str(path)


@needs_native
def test_suppression_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "edgeward.toml",
        '[[audit.suppressions]]\nrule = "EW102"\nresource = "i-gone"\nreason = "old"\nexpires = 2099-01-01\n',
    )
    result = run_audit(load("ew101_admin_ports.yaml"), load_config(path, known_rules=KNOWN).settings)
    unused = [f for f in result.findings if f.rule_id == "EW002"]
    assert len(unused) == 1 and unused[0].severity is Severity.INFO


@needs_native
def test_suppressed_findings_do_not_fail_the_build(tmp_path: Path) -> None:
    fixture = str(FIXTURES / "ew103_all_ports.yaml")
    code, _, _ = run("audit", fixture, "--config", str(write(tmp_path, "a.toml", "[audit]\n")))
    assert code == 1
    config = write(
        tmp_path,
        "b.toml",
        '[[audit.suppressions]]\nrule = "EW103"\nreason = "lab"\nexpires = 2099-01-01\n'
        '[[audit.suppressions]]\nrule = "EW101"\nreason = "lab"\nexpires = 2099-01-01\n'
        '[[audit.suppressions]]\nrule = "EW102"\nreason = "lab"\nexpires = 2099-01-01\n',
    )
    code, out, _ = run("audit", fixture, "--config", str(config))
    assert code == 0, out
    assert "suppressed" in out


def test_iam_allow_list_accepts_the_deployment_roles(tmp_path: Path) -> None:
    fixture = FIXTURES / "ew401_origin_secret_readers.json"
    path = write(
        tmp_path, "edgeward.toml", '[audit.iam]\nallowed_principals = ["arn:aws:iam::111122223333:role/deploy*"]\n'
    )
    settings = load_config(path, known_rules=KNOWN).settings
    assert not RULES_BY_ID["EW401"].check(load(fixture.name), settings)
    assert RULES_BY_ID["EW401"].check(load(fixture.name))  # without the allow-list: reported
    bad = write(tmp_path, "bad.toml", '[audit.iam]\nallowed_principals = ["deployer"]\n')
    with pytest.raises(InputError, match=r"audit\.iam\.allowed_principals\[0\]: expected an ARN pattern"):
        load_config(bad, known_rules=KNOWN)
