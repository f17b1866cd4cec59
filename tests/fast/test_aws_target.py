"""AwsTarget builds each boto3 client once: building one parses the service's API model (~0.1 s of CPU), and
commands such as `history` used to pay that on every S3 GET."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from platform_cli.core.aws import AwsTarget

CREDS = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
}


def test_one_client_per_service_and_region():
    target = AwsTarget(env=dict(CREDS))
    s3 = target.client("s3", "eu-west-1")
    assert target.client("s3", "eu-west-1") is s3
    assert target.client("s3", "us-east-1") is not s3
    assert target.client("sts", "eu-west-1") is not s3
    assert s3.meta.endpoint_url == "http://127.0.0.1:1" and s3.meta.region_name == "eu-west-1"


def test_threads_asking_at_once_share_one_client():
    target = AwsTarget(env=dict(CREDS))
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = list(pool.map(lambda _: target.client("s3", "eu-west-1"), range(16)))
    assert len({id(c) for c in clients}) == 1


def test_targets_do_not_share_clients():
    """Each command builds its own target (other credentials: alice and bob), so nothing leaks between them."""
    alice = AwsTarget(env=dict(CREDS))
    bob = AwsTarget(env={**CREDS, "AWS_ACCESS_KEY_ID": "AKIABOB"})
    assert alice.client("s3", "eu-west-1") is not bob.client("s3", "eu-west-1")
    assert bob.client("s3", "eu-west-1")._request_signer._credentials.access_key == "AKIABOB"
    assert alice == AwsTarget(env=dict(CREDS))  # the cache is not part of a target's identity
