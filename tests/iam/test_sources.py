"""IAM estates from get-account-authorization-details and from the native iam: section.

source: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
(policy documents are URL-encoded JSON in the API response; the CLI decodes them)
"""

from __future__ import annotations

import copy
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from edgeward.analysis.access import who_can_update_distribution
from edgeward.errors import InputError, ModelError
from edgeward.sources.iam_authorization_details import estate_from_authorization_details, merge_estates
from edgeward.sources.native_iam import NativeIam

FIXTURES = Path(__file__).parent / "fixtures"
AUTHZ = FIXTURES / "authz" / "authorization-details.json"
ACCOUNT = "111122223333"
E1 = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"


def authz() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(AUTHZ.read_text())
    return data


def test_authorization_details_builds_users_groups_roles_and_policies() -> None:
    estate = estate_from_authorization_details(authz(), file="a.json")
    assert estate.account_ids == (ACCOUNT,)
    assert [u.name for u in estate.users] == ["alice", "bob", "carol", "dave", "erin"]
    carol = estate.user(f"arn:aws:iam::{ACCOUNT}:user/contractors/carol")
    assert carol is not None and carol.path == "/contractors/"
    assert estate.permissions_boundary(carol) is not None
    deployer = estate.role(f"arn:aws:iam::{ACCOUNT}:role/ci/deployer")
    assert deployer is not None and deployer.trust_policy is not None  # URL-encoded in the fixture
    assert deployer.trust_policy.kind == "trust"
    dave = estate.user(f"arn:aws:iam::{ACCOUNT}:user/dave")
    assert dave is not None and dave.tags == (("Team", "web"),)
    assert [p.name for p in estate.identity_policies(dave)] == ["user/dave/team-web"]


def test_url_encoded_and_object_documents_are_equivalent() -> None:
    raw = authz()
    decoded = copy.deepcopy(raw)
    for user in decoded["UserDetailList"]:
        for item in user.get("UserPolicyList", []):
            if isinstance(item["PolicyDocument"], str):
                item["PolicyDocument"] = json.loads(urllib.parse.unquote(item["PolicyDocument"]))
    a = {x.principal_arn for x in who_can_update_distribution(estate_from_authorization_details(raw, file="a"), E1)}
    b = {x.principal_arn for x in who_can_update_distribution(estate_from_authorization_details(decoded, file="b"), E1)}
    assert a == b and f"arn:aws:iam::{ACCOUNT}:user/dave" in a


def test_bad_policy_document_names_file_and_json_path() -> None:
    raw = authz()
    raw["GroupDetailList"][0]["GroupPolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] = "Maybe"
    with pytest.raises(InputError) as error:
        estate_from_authorization_details(raw, file="authz.json")
    assert error.value.file == "authz.json"
    assert error.value.place == "GroupDetailList[0].GroupPolicyList[0].PolicyDocument.Statement[0].Effect"


def test_dangling_managed_policy_is_a_model_error() -> None:
    raw = authz()
    raw["Policies"] = [p for p in raw["Policies"] if p["PolicyName"] != "CloudFrontReadOnlyAccess"]
    with pytest.raises(ModelError, match="CloudFrontReadOnlyAccess") as error:
        estate_from_authorization_details(raw, file="authz.json")
    assert error.value.place == "users[bob]"


def test_merge_estates_unions_accounts() -> None:
    first = estate_from_authorization_details(authz(), file="a")
    other = json.loads(json.dumps(authz()).replace(ACCOUNT, "444455556666"))
    merged = merge_estates([first, estate_from_authorization_details(other, file="b")])
    assert merged.account_ids == (ACCOUNT, "444455556666")
    assert len(merged.users) == 10


def native() -> NativeIam:
    return NativeIam.model_validate(yaml.safe_load((FIXTURES / "native" / "iam.yaml").read_text())["iam"])


def test_native_iam_to_estate() -> None:
    estate = native().to_estate("iam.yaml")
    allowed = {a.principal_arn for a in who_can_update_distribution(estate, E1)}
    assert allowed == {f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:role/ci/deployer"}
    carol = estate.user(f"arn:aws:iam::{ACCOUNT}:user/carol")
    assert carol is not None and carol.permissions_boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/boundaries/GetOnly"
    # the OU-level SCP denies edits of the prod distribution for everyone in the account
    prod = f"arn:aws:cloudfront::{ACCOUNT}:distribution/EPROD"
    assert who_can_update_distribution(estate, prod) == []


def test_native_unknown_policy_name_is_a_model_error() -> None:
    data = yaml.safe_load((FIXTURES / "native" / "iam.yaml").read_text())["iam"]
    data["users"][0]["managed_policies"] = ["NoSuchPolicy"]
    with pytest.raises(ModelError) as error:
        NativeIam.model_validate(data).to_estate("iam.yaml")
    assert error.value.place == "iam.users[0].managed_policies"


def test_native_bad_policy_names_the_place_under_iam() -> None:
    data = yaml.safe_load((FIXTURES / "native" / "iam.yaml").read_text())["iam"]
    data["roles"][0]["inline_policies"]["deploy"]["Statement"][0]["Action"] = "deploy"
    with pytest.raises(InputError) as error:
        NativeIam.model_validate(data).to_estate("iam.yaml")
    assert error.value.place == "iam.roles[0].inline_policies.deploy.Statement[0].Action"
    assert error.value.file == "iam.yaml"


def test_native_rejects_unknown_fields() -> None:
    from pydantic import ValidationError

    data = yaml.safe_load((FIXTURES / "native" / "iam.yaml").read_text())["iam"]
    data["users"][0]["group"] = ["web"]
    with pytest.raises(ValidationError):
        NativeIam.model_validate(data)
