"""The evaluation flow: explicit deny, SCP levels, RCPs, resource-based policies, boundaries, sessions.

source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from typing import Any

from .helpers import ALICE, allow, decide, deny, policy

ACCOUNT = "111122223333"
OTHER = "444455556666"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci"
FOREIGN_USER = f"arn:aws:iam::{OTHER}:user/bob"
DIST = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"


def resource_policy(
    principal: Any, *statements: dict[str, Any], effect: str = "Allow", action: str = "s3:GetObject"
) -> Any:
    first = {"Effect": effect, "Principal": principal, "Action": action, "Resource": BUCKET}
    return policy(first, *statements, kind="resource", name="bucket-policy")


def missing(decision: Any) -> list[str]:
    return [m.policy_type for m in decision.missing_allow]


# --- identity only ----------------------------------------------------------------------------


def test_nothing_allows_is_implicit_deny_naming_identity() -> None:
    decision = decide(ALICE, "s3:GetObject", BUCKET)
    assert decision.decision == "implicit-deny"
    assert missing(decision) == ["identity"]


def test_explicit_deny_wins_and_names_the_statement() -> None:
    identity = policy(allow("s3:*"), deny("s3:GetObject", BUCKET, Sid="NoReports"), name="alice.json")
    decision = decide(ALICE, "s3:GetObject", BUCKET, identity=(identity,))
    assert decision.decision == "explicit-deny"
    (ref,) = decision.statements
    assert (ref.policy, ref.index, ref.sid, ref.policy_type) == ("alice.json", 1, "NoReports", "identity")


def test_allow_names_the_deciding_statement() -> None:
    identity = policy(allow("ec2:*"), allow("s3:GetObject", BUCKET, Sid="Reports"), name="alice.json")
    decision = decide(ALICE, "s3:GetObject", BUCKET, identity=(identity,))
    assert decision.allowed
    assert [(s.index, s.sid) for s in decision.statements] == [(1, "Reports")]


def test_failed_condition_on_allow_is_implicit_not_explicit_deny_moto_regression() -> None:
    """moto returns an explicit DENIED when an Allow's condition fails (facts §3.3); AWS: implicit deny.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html"""
    identity = policy(allow("s3:GetObject", BUCKET, Condition={"Bool": {"aws:SecureTransport": "true"}}))
    decision = decide(ALICE, "s3:GetObject", BUCKET, {"aws:SecureTransport": "false"}, identity=(identity,))
    assert decision.decision == "implicit-deny"


def test_not_action_allow_grants_other_actions_on_matching_resources_only() -> None:
    """NotAction s3:DeleteBucket on arn:aws:s3:::* does not grant s3:ListAllMyBuckets (which needs "*")
    nor other services' actions on other resources.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    identity = policy({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"})
    assert decide(ALICE, "s3:GetObject", BUCKET, identity=(identity,)).allowed
    assert not decide(ALICE, "s3:DeleteBucket", "arn:aws:s3:::amzn-s3-demo-bucket", identity=(identity,)).allowed
    assert not decide(ALICE, "s3:ListAllMyBuckets", "*", identity=(identity,)).allowed
    assert not decide(ALICE, "cloudfront:UpdateDistribution", DIST, identity=(identity,)).allowed


def test_deny_with_not_action_denies_everything_else() -> None:
    """Deny NotAction iam:* : every non-IAM action is denied.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    identity = policy(allow(), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})
    assert decide(ALICE, "iam:ListUsers", "*", identity=(identity,)).allowed
    assert decide(ALICE, "s3:GetObject", BUCKET, identity=(identity,)).decision == "explicit-deny"


def test_not_resource_allow_excludes_listed_resources() -> None:
    """Allow s3:* on everything except the payroll folder.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"""
    identity = policy(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
        }
    )
    assert decide(ALICE, "s3:GetObject", "arn:aws:s3:::HRBucket/Benefits/a", identity=(identity,)).allowed
    assert not decide(ALICE, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a", identity=(identity,)).allowed
    # NotResource with Allow also covers other services' resources (why AWS warns about it)
    assert decide(ALICE, "s3:GetObject", "arn:aws:s3:::OtherBucket/a", identity=(identity,)).allowed


# --- permissions boundaries --------------------------------------------------------------------


def test_boundary_intersects_identity() -> None:
    """Effective permissions are identity ∩ boundary; a boundary alone grants nothing.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"""
    identity = policy(allow("s3:*"), allow("cloudfront:*"))
    boundary = policy(allow("s3:GetObject"), kind="boundary", name="boundary")
    assert decide(ALICE, "s3:GetObject", BUCKET, identity=(identity,), boundary=boundary).allowed
    decision = decide(ALICE, "cloudfront:UpdateDistribution", DIST, identity=(identity,), boundary=boundary)
    assert missing(decision) == ["permissions-boundary"]
    assert missing(decide(ALICE, "s3:GetObject", BUCKET, boundary=boundary)) == ["identity"]


# --- SCPs and RCPs -----------------------------------------------------------------------------


def test_every_scp_level_must_allow() -> None:
    """An Allow is needed at the root, at each OU and at the account; a Deny anywhere denies.
    source: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"""
    identity = policy(allow())
    root = policy(allow(), kind="scp", name="FullAWSAccess")
    ou = policy(allow("cloudfront:Get*"), kind="scp", name="ou-web")
    account = policy(allow(), kind="scp", name="account")
    decision = decide(
        ALICE, "cloudfront:UpdateDistribution", DIST, identity=(identity,), scp_levels=((root,), (ou,), (account,))
    )
    assert decision.decision == "implicit-deny"
    assert [(m.policy_type, m.level, m.policies) for m in decision.missing_allow] == [("scp", 1, ("ou-web",))]
    allowed = decide(
        ALICE, "cloudfront:GetDistribution", DIST, identity=(identity,), scp_levels=((root,), (ou,), (account,))
    )
    assert allowed.allowed
    assert {(s.policy_type, s.level) for s in allowed.statements} >= {("scp", 0), ("scp", 1), ("scp", 2)}
    denying = policy(allow(), deny("cloudfront:GetDistribution"), kind="scp", name="account")
    assert (
        decide(
            ALICE, "cloudfront:GetDistribution", DIST, identity=(identity,), scp_levels=((root,), (ou,), (denying,))
        ).decision
        == "explicit-deny"
    )


def test_scp_does_not_grant() -> None:
    root = policy(allow(), kind="scp", name="FullAWSAccess")
    assert missing(decide(ALICE, "s3:GetObject", BUCKET, scp_levels=((root,),))) == ["identity"]


def test_rcp_only_denies_because_rcp_full_aws_access_is_always_attached() -> None:
    """RCPFullAWSAccess cannot be detached, so an RCP without Allow statements changes nothing;
    its Deny statements do. source: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html"""
    identity = policy(allow("s3:*"))
    only_deny = policy(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
        },
        kind="rcp",
        name="rcp-org-only",
    )
    assert decide(
        ALICE, "s3:GetObject", BUCKET, {"aws:PrincipalOrgID": "o-abc"}, identity=(identity,), rcps=(only_deny,)
    ).allowed
    denied = decide(
        ALICE, "s3:GetObject", BUCKET, {"aws:PrincipalOrgID": "o-zzz"}, identity=(identity,), rcps=(only_deny,)
    )
    assert denied.decision == "explicit-deny" and denied.statements[0].policy_type == "rcp"


# --- resource-based policies, same account --------------------------------------------------


def test_same_account_user_named_in_resource_policy_needs_no_identity_policy_nor_boundary() -> None:
    """A resource-based policy naming an IAM user ARN is not limited by an implicit deny in the
    identity policy or the permissions boundary. source: policy-eval-basics"""
    boundary = policy(allow("ec2:*"), kind="boundary", name="boundary")
    decision = decide(ALICE, "s3:GetObject", BUCKET, resource=resource_policy({"AWS": ALICE}), boundary=boundary)
    assert decision.allowed
    assert [s.policy_type for s in decision.statements] == ["resource"]


def test_same_account_role_arn_is_limited_by_boundary_and_session_policy() -> None:
    """Naming the role ARN: the boundary and session policies still limit the session. source: policy-eval-basics"""
    named_role = resource_policy({"AWS": ROLE})
    assert decide(SESSION, "s3:GetObject", BUCKET, resource=named_role).allowed
    boundary = policy(allow("ec2:*"), kind="boundary", name="boundary")
    decision = decide(SESSION, "s3:GetObject", BUCKET, resource=named_role, boundary=boundary)
    assert decision.decision == "implicit-deny"
    assert missing(decision) == ["permissions-boundary"]
    session = policy(allow("ec2:*"), kind="session", name="session")
    assert missing(decide(SESSION, "s3:GetObject", BUCKET, resource=named_role, session=(session,))) == ["session"]


def test_same_account_session_arn_is_not_limited() -> None:
    """Naming the role-session ARN grants the session directly. source: policy-eval-basics"""
    boundary = policy(allow("ec2:*"), kind="boundary", name="boundary")
    session = policy(allow("ec2:*"), kind="session", name="session")
    decision = decide(
        SESSION,
        "s3:GetObject",
        BUCKET,
        resource=resource_policy({"AWS": SESSION}),
        boundary=boundary,
        session=(session,),
    )
    assert decision.allowed


def test_same_account_account_principal_delegates_to_identity_policies() -> None:
    """Naming the account (root ARN or id) does not grant on its own in the same account.
    source: policy-eval-basics; measured table at https://zenn.dev/dannykitadani/articles/a03a4864f88ac4"""
    for principal in ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, {"AWS": ACCOUNT}):
        assert missing(decide(ALICE, "s3:GetObject", BUCKET, resource=resource_policy(principal))) == ["identity"]
        assert decide(
            ALICE,
            "s3:GetObject",
            BUCKET,
            resource=resource_policy(principal),
            identity=(policy(allow("s3:GetObject")),),
        ).allowed


def test_same_account_either_policy_allowing_is_enough() -> None:
    """'If either the identity-based policy or the resource-based policy within the same account allows
    the request and the other doesn't, the request is still allowed.' source: evaluation-logic"""
    other = resource_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"})
    assert decide(ALICE, "s3:GetObject", BUCKET, resource=other, identity=(policy(allow("s3:GetObject")),)).allowed


def test_resource_policy_deny_is_explicit() -> None:
    decision = decide(
        ALICE, "s3:GetObject", BUCKET, resource=resource_policy("*", effect="Deny"), identity=(policy(allow()),)
    )
    assert decision.decision == "explicit-deny" and decision.statements[0].policy_type == "resource"


# --- cross account -----------------------------------------------------------------------------


def test_cross_account_needs_both_sides() -> None:
    """The trusting account's resource policy and the trusted account's identity policy must both allow.
    source: evaluation-logic-cross-account"""
    identity = (policy(allow("s3:GetObject", BUCKET)),)
    names_bob = resource_policy({"AWS": FOREIGN_USER})
    names_account = resource_policy({"AWS": OTHER})
    assert decide(
        FOREIGN_USER, "s3:GetObject", BUCKET, resource=names_bob, identity=identity, resource_account=ACCOUNT
    ).allowed
    assert decide(
        FOREIGN_USER, "s3:GetObject", BUCKET, resource=names_account, identity=identity, resource_account=ACCOUNT
    ).allowed
    assert missing(decide(FOREIGN_USER, "s3:GetObject", BUCKET, resource=names_bob, resource_account=ACCOUNT)) == [
        "identity"
    ]
    assert missing(decide(FOREIGN_USER, "s3:GetObject", BUCKET, identity=identity, resource_account=ACCOUNT)) == [
        "resource"
    ]
    someone_else = resource_policy({"AWS": f"arn:aws:iam::{OTHER}:user/carol"})
    assert missing(
        decide(FOREIGN_USER, "s3:GetObject", BUCKET, resource=someone_else, identity=identity, resource_account=ACCOUNT)
    ) == ["resource"]


def test_cross_account_boundary_of_the_caller_still_applies() -> None:
    boundary = policy(allow("ec2:*"), kind="boundary", name="boundary")
    decision = decide(
        FOREIGN_USER,
        "s3:GetObject",
        BUCKET,
        resource=resource_policy({"AWS": FOREIGN_USER}),
        identity=(policy(allow()),),
        boundary=boundary,
        resource_account=ACCOUNT,
    )
    assert missing(decision) == ["permissions-boundary"]


# --- sessions ----------------------------------------------------------------------------------


def test_session_policy_limits_role_sessions_only() -> None:
    """Session permissions are identity ∩ session policy.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"""
    identity = (policy(allow("s3:*")),)
    session = (policy(allow("s3:ListBucket"), kind="session", name="session"),)
    assert missing(decide(SESSION, "s3:GetObject", BUCKET, identity=identity, session=session)) == ["session"]
    assert decide(SESSION, "s3:GetObject", BUCKET, identity=identity).allowed
    assert decide(ALICE, "s3:GetObject", BUCKET, identity=identity, session=session).allowed


def test_federated_user_without_session_policy_has_no_permissions() -> None:
    """GetFederationToken without a policy gives a session with no permissions, except what resource
    policies grant its ARN. source: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html"""
    federated = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    identity = (policy(allow()),)
    assert missing(decide(federated, "s3:GetObject", BUCKET, identity=identity)) == ["session"]
    session = (policy(allow("s3:GetObject"), kind="session", name="s"),)
    assert decide(federated, "s3:GetObject", BUCKET, identity=identity, session=session).allowed
    assert decide(federated, "s3:GetObject", BUCKET, resource=resource_policy({"AWS": federated})).allowed


# --- principals with special rules -----------------------------------------------------------


def test_root_user_has_full_access_but_scps_bind_it() -> None:
    """source: policy-eval-denyallow ('with the exception of the AWS account root user')"""
    root = f"arn:aws:iam::{ACCOUNT}:root"
    assert decide(root, "cloudfront:UpdateDistribution", DIST).allowed
    scp = policy(allow("s3:*"), kind="scp", name="scp")
    assert decide(root, "cloudfront:UpdateDistribution", DIST, scp_levels=((scp,),)).decision == "implicit-deny"


def test_trust_policy_must_allow_the_caller_itself() -> None:
    """Role trust policies are an exception: an identity-policy Allow alone is not enough.
    source: policy-eval-basics"""
    can_assume = (policy(allow("sts:AssumeRole", ROLE)),)
    trusts_ec2 = policy(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
        kind="trust",
        name="trust",
    )
    assert missing(decide(ALICE, "sts:AssumeRole", ROLE, identity=can_assume, resource=trusts_ec2)) == ["resource"]
    trusts_account = policy(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}, kind="trust", name="trust"
    )
    assert decide(ALICE, "sts:AssumeRole", ROLE, identity=can_assume, resource=trusts_account).allowed
    assert missing(decide(ALICE, "sts:AssumeRole", ROLE, resource=trusts_account)) == ["identity"]
    trusts_alice = policy(
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}, kind="trust", name="trust"
    )
    assert decide(ALICE, "sts:AssumeRole", ROLE, resource=trusts_alice).allowed


def test_kms_key_policy_must_allow() -> None:
    """KMS key policies are the other exception. source: policy-eval-basics"""
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key_policy = policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*", "Resource": "*"},
        kind="resource",
        name="key-policy",
    )
    assert missing(decide(ALICE, "kms:Decrypt", key, identity=(policy(allow()),), resource=key_policy)) == ["resource"]


def test_service_principal_is_decided_by_the_resource_policy() -> None:
    """The CloudFront OAC bucket policy: the service principal with an aws:SourceArn condition.
    source: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html"""
    oac = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": DIST}},
        },
        kind="resource",
        name="bucket-policy",
    )
    assert decide(
        "cloudfront.amazonaws.com",
        "s3:GetObject",
        BUCKET,
        {"aws:SourceArn": DIST},
        resource=oac,
        resource_account=ACCOUNT,
    ).allowed
    other = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2"
    assert missing(
        decide(
            "cloudfront.amazonaws.com",
            "s3:GetObject",
            BUCKET,
            {"aws:SourceArn": other},
            resource=oac,
            resource_account=ACCOUNT,
        )
    ) == ["resource"]


def test_not_principal_deny_needs_the_whole_chain_listed() -> None:
    """With Deny + NotPrincipal, exempting a role session needs the account, role and session ARNs.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    allow_all = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": BUCKET}

    def deny_except(*listed: str) -> Any:
        return policy(
            allow_all,
            {"Effect": "Deny", "NotPrincipal": {"AWS": list(listed)}, "Action": "s3:*", "Resource": BUCKET},
            kind="resource",
            name="bp",
        )

    only_session = deny_except(SESSION)
    assert decide(SESSION, "s3:GetObject", BUCKET, resource=only_session).decision == "explicit-deny"
    whole_chain = deny_except(f"arn:aws:iam::{ACCOUNT}:root", ROLE, SESSION)
    assert decide(SESSION, "s3:GetObject", BUCKET, resource=whole_chain).allowed
    assert decide(ALICE, "s3:GetObject", BUCKET, resource=whole_chain).decision == "explicit-deny"


def test_role_with_a_path_is_named_by_its_arn_and_matches_its_sessions() -> None:
    """A session ARN (assumed-role/NAME/SESSION) carries no role path; role names are unique in an
    account, so a Principal naming arn:aws:iam::ACCOUNT:role/ci/deployer names that session's role.
    source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles"""
    named = resource_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci/deployer"})
    assert decide(SESSION, "s3:GetObject", BUCKET, resource=named).allowed
    other_role = resource_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci/deployer-two"})
    assert not decide(SESSION, "s3:GetObject", BUCKET, resource=other_role).allowed
