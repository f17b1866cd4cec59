"""One parser of an image reference and one release id: a release planned by tag, verified and then looked up by
promote and rollback is found, whether it was spelled `REGISTRY/REPO:TAG` (the stack's output) or `TAG` (its
variable). No AWS: the registry copy and the checks are stood in for; the id logic and deploy's flow are real."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from platform_cli.core import deploy, promotion
from platform_cli.core.errors import Refused
from platform_cli.core.release import ImageRef, Release
from platform_cli.core.stack import EnvStack
from platform_cli.core.verify import Check, _image_matches

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-staging"
MODEL = {"key": "models/churn.json", "version_id": "3HL4kqtJ", "sha256": "ab" * 32}


# -- the parser ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, repository, tag, digest",
    [
        ("v1.2.3", None, "v1.2.3", None),
        (D1, None, None, D1),
        (f"{REGISTRY}:build-42", REGISTRY, "build-42", None),
        (f"{REGISTRY}@{D1}", REGISTRY, None, D1),
        (f"{REGISTRY}:build-42@{D1}", REGISTRY, "build-42", D1),
        ("127.0.0.1:4566/team/svc:v1", "127.0.0.1:4566/team/svc", "v1", None),  # a port is not a tag
    ],
)
def test_every_spelling_of_an_image_reference_is_read_into_its_parts(text, repository, tag, digest):
    ref = ImageRef.parse(text)
    assert (ref.repository, ref.tag, ref.digest) == (repository, tag, digest)
    assert str(ref) == text
    assert ref.pinned == (digest or tag)


@pytest.mark.parametrize(
    "text, why",
    [
        ("", "it is empty"),
        ("sha256:zz", "a digest is sha256:<64 lowercase hex>"),
        (f"{REGISTRY}@sha256:12", "what follows '@' is not a digest"),
        (f"{REGISTRY}", "it names no tag or digest"),
        (f"{REGISTRY}:", "tag '' is not"),
        (".hidden", "tag '.hidden' is not"),
        (f"@{D1}", "it names no repository before '@'"),
        ("host:/svc:v1", "repository 'host:/svc' is malformed"),
    ],
)
def test_what_is_not_an_image_reference_is_refused_in_one_line_naming_why(text, why):
    with pytest.raises(Refused) as refused:
        ImageRef.parse(text)
    line = refused.value.one_line()
    assert f"image {text!r} is not an image reference: {why}" in line and "\n" not in line
    assert "sha256:<64 hex>" in (refused.value.hint or "")  # says what to give instead


def test_verify_matches_what_runs_with_what_the_stack_promises_through_the_parser():
    assert _image_matches(f"{REGISTRY}:v1", f"{REGISTRY}:v1")
    assert _image_matches(f"{REGISTRY}:v1", "v1")  # a bare tag: any repository
    assert _image_matches(f"{REGISTRY}:v1@{D1}", f"{REGISTRY}@{D1}")  # the same digest is the same image
    assert not _image_matches(f"{REGISTRY}:v1", f"{REGISTRY}:v2")
    assert not _image_matches("other.example/churn:v1", f"{REGISTRY}:v1")
    assert not _image_matches(f"{REGISTRY}@{D1}", D2)
    assert not _image_matches("", f"{REGISTRY}:v1")  # nothing running is not the expected image


# -- the release id ------------------------------------------------------------------------------------------
def test_a_tag_has_one_release_id_from_the_stacks_output_its_variable_and_a_log_entry():
    by_variable = Release.from_variables({"service_image": "build-42", "model_artifact": MODEL})
    by_output = Release.from_outputs({"service_image": f"{REGISTRY}:build-42", "model_artifact": MODEL})
    by_log = Release.from_dict({"image": "localhost:4566/churn-staging:build-42", "model": MODEL})
    assert by_variable.id == by_output.id == by_log.id
    assert by_variable == by_output and by_output.image == "build-42"
    assert by_variable.variables()["service_image"] == "build-42"  # what the stack variable takes


def test_a_digest_has_one_release_id_however_spelled_and_the_id_it_always_had():
    spellings = [D1, f"{REGISTRY}@{D1}", f"{REGISTRY}:build-42@{D1}"]
    assert {Release(image=s).id for s in spellings} == {Release(image=D1).id}
    before = hashlib.sha256(json.dumps({"image": D1, "model": None}, sort_keys=True).encode()).hexdigest()[:12]
    assert Release(image=D1).id == before  # audit logs written earlier still match
    assert Release(image=D1).by_digest and not Release(image="build-42").by_digest


def test_a_verify_entry_written_with_the_full_reference_still_names_the_release():
    """Logs written before the parser was shared recorded a tag deployment's verify under REGISTRY/REPO:TAG."""
    old = {"image": f"{REGISTRY}:build-42", "model": None}
    old_id = hashlib.sha256(json.dumps(old, sort_keys=True).encode()).hexdigest()[:12]
    entries = [{"id": "e1", "kind": "verify", "ok": True, "release": old, "release_id": old_id, "at": "t"}]
    found = promotion.last_verified(entries, Release(image="build-42"))
    assert found is not None and found["id"] == "e1"
    assert [v["release_id"] for v in promotion.verified_releases(entries)] == [Release(image="build-42").id]


# -- the flow: verify records the id, promote and rollback look it up -----------------------------------------
class MemoryLog:
    """An environment's audit log as core.records keeps it, in memory (entries survive a JSON round trip)."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.plans: dict[str, bytes] = {}

    def entries(self) -> list[dict[str, Any]]:
        return json.loads(json.dumps(self.log))

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        entry = {"id": f"e{len(self.log) + 1}", "seq": len(self.log) + 1, "kind": kind, "at": "t", **fields}
        self.log.append(json.loads(json.dumps(entry)))
        return entry

    def acquire(self, who: str, what: str) -> str:
        return "token"

    def release(self, token: str) -> None:
        pass

    def store_plan(self, request_id: str, plan_bytes: bytes, record: dict[str, Any]) -> None:
        self.plans[request_id] = plan_bytes


class Environment:
    """What deploy reads of one environment: its state's outputs (deployed_release is EnvStack's own) and what it
    planned; the log is a MemoryLog."""

    deployed_release = EnvStack.deployed_release

    def __init__(self, name: str, tmp_path: Path, *, protected: bool = False) -> None:
        self.name = name
        self.settings = SimpleNamespace(name=name, region="eu-west-1", protected=protected, account_id="111111111111")
        self.target = SimpleNamespace(backend_overrides={})
        self.log = MemoryLog()
        self.image_output: str | None = None
        self.planned: list[Release] = []
        self.plan_changes = True  # False: the plan finds the environment already as planned
        plan_file = tmp_path / f"{name}.tfplan"
        plan_file.write_bytes(b"plan bytes")
        self.saved_plan = SimpleNamespace(file=plan_file)

    def state_outputs(self) -> dict[str, Any]:
        return {
            "service_image": self.image_output,
            "repository_name": f"churn-{self.name}",
            "artifact_bucket_name": f"{self.name}-models",
            "registry_url": f"{REGISTRY}-{self.name}",
        }

    outputs = state_outputs

    def plan(self, *, image: str | None = None, model: dict[str, str] | None = None) -> SimpleNamespace:
        release = Release(image=image, model=model)
        self.planned.append(release)
        return SimpleNamespace(
            variables=release.variables(),
            plan_sha256="f" * 64,
            has_changes=self.plan_changes,
            counts={"add": 0, "change": 1, "destroy": 0},
            provenance={"state_serial": 3},
            to_dict=lambda: {},
            summary_line=lambda: "1 to change",
        )


@pytest.fixture
def envs(tmp_path, monkeypatch) -> dict[str, Environment]:
    envs = {"staging": Environment("staging", tmp_path), "prod": Environment("prod", tmp_path, protected=True)}
    monkeypatch.setattr(deploy, "records_for", lambda target, settings: envs[settings.name].log)
    monkeypatch.setattr(
        deploy, "verify_environment", lambda target, region, outputs: [Check("service", "expected image", "ok", "")]
    )
    # No registry here: the source is readable (tests/sandbox/iam/test_cross_account.py has the refusals).
    monkeypatch.setattr(deploy, "check_image_readable", lambda reader, **_: None)
    monkeypatch.setattr(deploy, "check_model_readable", lambda reader, **_: None)
    return envs


def _deploy(env: Environment, *, variable: str) -> None:
    """An apply of `-var service_image=variable` as deploy.apply records it; the state's output is then the full
    reference the stack builds from it."""
    release = Release.from_variables({"service_image": variable})
    env.log.append("apply-outcome", request_id="r", plan_sha256="p", release_id=release.id, outcome="applied")
    registry = env.state_outputs()["registry_url"]
    env.image_output = f"{registry}@{variable}" if variable.startswith("sha256:") else f"{registry}:{variable}"


def test_rollback_from_a_verified_tag_goes_to_the_release_before_it_not_to_itself(envs):
    staging = envs["staging"]
    _deploy(staging, variable=D1)
    deploy.verify(staging)
    _deploy(staging, variable="build-42")  # a tag, deployed outside `platformctl plan --image`
    deploy.verify(staging)
    deploy.rollback(staging, promotion.Requester(aws="alice"))
    assert staging.planned[-1].image == D1
    rollback = staging.log.log[-1]
    assert rollback["kind"] == "rollback" and rollback["from_release_id"] == Release(image="build-42").id


def test_promote_finds_the_verify_of_a_tag_and_copies_the_digest_it_names(envs, monkeypatch):
    staging, prod = envs["staging"], envs["prod"]
    _deploy(staging, variable="build-42")
    deploy.verify(staging)
    registries = {("churn-staging", "build-42"): D2}
    monkeypatch.setattr(
        deploy, "resolve_image", lambda target, region, repo, image, registry=None: registries[(repo, image)]
    )
    copied: list[str] = []
    monkeypatch.setattr(
        deploy,
        "copy_image",
        lambda reader, writer, source, destination, digest, source_registry: (
            copied.append(digest) or {"digest": digest}
        ),
    )
    planned = deploy.promote(staging, prod, promotion.Requester(aws="alice"))
    assert copied == [D2] and prod.planned[-1].image == D2  # promoted by digest
    assert planned.request is not None
    verified = staging.log.log[-1]
    assert planned.request["evidence"]["source_verify"]["entry"] == verified["id"]
    assert planned.request["evidence"]["source_release_id"] == verified["release_id"] == Release(image="build-42").id


def test_promote_still_refuses_a_tag_release_that_never_verified(envs):
    staging = envs["staging"]
    _deploy(staging, variable="build-41")
    deploy.verify(staging)
    _deploy(staging, variable="build-42")
    with pytest.raises(Refused, match="never ran `platformctl verify` there"):
        deploy.promote(staging, envs["prod"], promotion.Requester(aws="alice"))


def test_plan_takes_a_full_reference_only_from_the_environments_own_registry(envs, monkeypatch):
    staging = envs["staging"]
    monkeypatch.setattr(deploy, "resolve_image", lambda target, region, repo, image, registry=None: D2)
    own = staging.state_outputs()["registry_url"]
    assert deploy.resolve_release(staging, f"{own}:build-42", None) == (D2, None)  # type: ignore[arg-type]
    with pytest.raises(Refused, match=f"is not from staging's registry {own}"):
        deploy.resolve_release(staging, "other.example/churn:build-42", None)  # type: ignore[arg-type]


def test_rollback_never_goes_back_to_a_foundation_that_ran_no_image(envs):
    """prod's first release after its foundation: there is nothing earlier that ran an image."""
    prod = envs["prod"]
    prod.image_output = None
    deploy.verify(prod)  # the foundation verified, with no service image
    _deploy(prod, variable=D1)
    deploy.verify(prod)
    before = list(prod.log.log)
    with pytest.raises(Refused, match="no earlier release that ran an image and verified"):
        deploy.rollback(prod, promotion.Requester(aws="alice"))
    assert prod.log.log == before and prod.planned == []


def test_a_rollback_or_promotion_that_changes_nothing_writes_nothing(envs, monkeypatch):
    staging, prod = envs["staging"], envs["prod"]
    _deploy(staging, variable=D1)
    deploy.verify(staging)
    _deploy(staging, variable=D2)
    deploy.verify(staging)
    staging.plan_changes = prod.plan_changes = False
    before = list(staging.log.log)
    with pytest.raises(Refused, match="the rollback plan changes nothing, so nothing was written"):
        deploy.rollback(staging, promotion.Requester(aws="alice"))
    assert staging.log.log == before

    monkeypatch.setattr(deploy, "copy_image", lambda reader, writer, digest, **_: {"digest": digest})
    assert deploy.promote(staging, prod, promotion.Requester(aws="alice")).request is None  # already promoted
    assert [e for e in prod.log.log if e["kind"] == "request"] == []


def test_the_source_registrys_account_comes_from_its_arn_or_its_url():
    """promote reads another account's repository by its registryId: the account the stack's outputs name."""
    arn = {"repository_arn": "arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-staging"}
    url = {"registry_url": "222222222222.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-staging"}
    assert deploy._registry_account(arn) == "111111111111"
    assert deploy._registry_account(url) == "222222222222"
    assert deploy._registry_account({"repository_name": "mlplatform-staging"}) is None
