"""Who is who in the approval gate: a record's proven identities (AWS caller, GitHub login from GitHub), matched
directly or through env.yaml's `people`."""

from __future__ import annotations

from platform_cli.core.promotion import Requester, approvers_of, person_of

ALICE_USER = "arn:aws:iam::111111111111:user/alice"
ALICE_SSO = "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com"
PEOPLE = {
    "alice": {
        "github": "Alice-GH",
        "aws": [ALICE_USER, "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_*/alice@*"],
    },
    "bob": {"github": "bob", "aws": []},
}


def test_any_proven_identity_in_common_is_the_same_person():
    assert Requester(aws=ALICE_USER).same_person({"aws": ALICE_USER, "github": None})
    assert Requester(aws="arn:aws:sts::1:assumed-role/a/x", github="bob").same_person({"aws": "other", "github": "BOB"})
    assert not Requester(aws="arn:aws:sts::1:assumed-role/a/x", github="bob").same_person({"aws": "y", "github": "c"})


def test_people_link_an_aws_principal_to_a_github_login():
    assert person_of({"aws": ALICE_SSO}, PEOPLE) == "alice"
    assert person_of({"github": "alice-gh"}, PEOPLE) == "alice"
    assert person_of({"aws": "arn:aws:iam::111111111111:user/mallory"}, PEOPLE) is None
    # alice asked from her terminal; the GitHub reviewer "Alice-GH" is her too.
    assert Requester(aws="arn:aws:sts::1:assumed-role/apply/run", github="Alice-GH").same_person(
        {"aws": ALICE_SSO}, PEOPLE
    )
    assert not Requester(aws="arn:aws:sts::1:assumed-role/apply/run", github="bob").same_person(
        {"aws": ALICE_SSO}, PEOPLE
    )


def test_one_person_approving_twice_under_two_identities_counts_once():
    request = {"request_id": "r1", "plan_sha256": "p", "requested_by": {"aws": "arn:aws:iam::1:user/carol"}}
    entries = [
        {
            "kind": "approval",
            "request_id": "r1",
            "plan_sha256": "p",
            "approved_by": {"aws": ALICE_USER, "github": None},
        },
        {
            "kind": "approval",
            "request_id": "r1",
            "plan_sha256": "p",
            "approved_by": {"aws": "role/x", "github": "alice-gh"},
        },
        {"kind": "approval", "request_id": "r1", "plan_sha256": "p", "approved_by": {"aws": "role/y", "github": "bob"}},
    ]
    assert approvers_of(entries, request, PEOPLE) == [ALICE_USER, "bob (GitHub)"]
    assert len(approvers_of(entries, request)) == 3  # without `people` nothing links alice's two identities
