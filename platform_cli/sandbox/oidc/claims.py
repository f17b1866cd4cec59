"""The claims GitHub Actions puts in a job's OIDC token, built from a description of the workflow run.

Pure: no keys, no clock of its own, no HTTP. The claim set follows GitHub's "OpenID Connect reference"
(https://docs.github.com/en/actions/reference/security/oidc): standard iss/aud/sub/iat/nbf/exp/jti plus GitHub's
custom claims, every ID and number as a string, as GitHub sends them.

The subject (`sub`) has two forms for the repository part; a repository sends exactly one of them:
  classic:   repo:OWNER/NAME:<context>
  immutable: repo:OWNER@OWNER_ID/NAME@REPO_ID:<context>   (repositories created, renamed or transferred after
             GitHub's cut-over, or opted in with the repository's `use_immutable_subject` setting)
and the context is `environment:NAME` for a job in an environment, else `pull_request` for pull-request events,
else `ref:<git ref>`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import asdict, dataclass, fields
from typing import Any

ISSUER = "https://token.actions.githubusercontent.com"
DEFAULT_AUDIENCE = "sts.amazonaws.com"  # what aws-actions/configure-aws-credentials asks for
TOKEN_LIFETIME_SECONDS = 300  # GitHub's tokens expire five minutes after issue
NOT_BEFORE_SKEW_SECONDS = 600  # and are valid from ten minutes before it (GitHub's own example token)

_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
_NUMERIC_ID = re.compile(r"^[1-9][0-9]{0,19}$")
_GIT_REF = re.compile(r"^refs/(heads|tags)/[^\s:*?]+$")
_NAME = re.compile(r"^[^\s:*?][^:*?]*$")


class InvalidRun(ValueError):
    """The run description cannot produce a token GitHub would issue; the message says which input and why."""


@dataclass(frozen=True)
class WorkflowRun:
    """What decides a job's token: the repository, what triggered the run, and who ran it."""

    repository: str
    ref: str | None = None  # refs/heads/BRANCH or refs/tags/TAG; without a pull request defaults to refs/heads/main
    pull_request: int | None = None
    environment: str | None = None
    owner_id: str | None = None
    repository_id: str | None = None
    immutable_subject: bool = False
    actor: str = "octocat"
    run_id: str | None = None
    run_attempt: int = 1
    event_name: str | None = None  # push, or pull_request for a pull request
    workflow: str = ".github/workflows/deploy.yml"
    sha: str | None = None
    audience: str = DEFAULT_AUDIENCE

    def __post_init__(self) -> None:
        if not _REPOSITORY.match(self.repository or ""):
            raise InvalidRun(f"repository {self.repository!r} is not OWNER/NAME")
        if self.ref is not None and self.pull_request is not None:
            raise InvalidRun("give a ref or a pull request, not both (a pull request's ref is refs/pull/N/merge)")
        if self.ref is not None and not _GIT_REF.match(self.ref):
            raise InvalidRun(f"ref {self.ref!r} must be refs/heads/BRANCH or refs/tags/TAG")
        if self.pull_request is not None and self.pull_request < 1:
            raise InvalidRun(f"pull request number {self.pull_request} must be 1 or more")
        if self.environment is not None and not _NAME.match(self.environment):
            raise InvalidRun(f"environment {self.environment!r} is not a GitHub environment name")
        for label, value in (("owner id", self.owner_id), ("repository id", self.repository_id)):
            if value is not None and not _NUMERIC_ID.match(str(value)):
                raise InvalidRun(f"{label} {value!r} must be a number such as 1234")
        if self.immutable_subject and (self.owner_id is None or self.repository_id is None):
            raise InvalidRun(
                "the immutable subject carries the owner and repository IDs: give both owner id and repository id"
            )
        if self.run_attempt < 1:
            raise InvalidRun(f"run attempt {self.run_attempt} must be 1 or more")
        if not self.audience:
            raise InvalidRun("audience must not be empty")

    @classmethod
    def from_request(cls, body: Any) -> WorkflowRun:
        """The run a token request describes (the JSON `to_request` wrote); unknown fields are refused."""
        if not isinstance(body, dict):
            raise InvalidRun("the token request must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidRun(f"unknown token request field(s): {', '.join(unknown)}")
        try:
            return cls(**{k: v for k, v in body.items() if k in known})
        except TypeError as error:
            raise InvalidRun(str(error)) from None

    def to_request(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repository.split("/", 1)[1]

    @property
    def git_ref(self) -> str:
        if self.pull_request is not None:
            return f"refs/pull/{self.pull_request}/merge"
        return self.ref or "refs/heads/main"


def subject(run: WorkflowRun) -> str:
    """The default `sub` claim: repository (classic or immutable form), then the run's context."""
    if run.immutable_subject:
        prefix = f"repo:{run.owner}@{run.owner_id}/{run.name}@{run.repository_id}"
    else:
        prefix = f"repo:{run.repository}"
    if run.environment is not None:
        context = f"environment:{run.environment}"
    elif run.pull_request is not None:
        context = "pull_request"
    else:
        context = f"ref:{run.git_ref}"
    return f"{prefix}:{context}"


def _stable_id(*parts: str) -> str:
    """A numeric ID that stays the same for the same name, for runs that do not give one (GitHub IDs are numbers)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return str(int(digest[:12], 16) % 10**9 + 1)


def build_claims(run: WorkflowRun, issued_at: int) -> dict[str, Any]:
    """Every claim of the job's token, issued at `issued_at` (seconds since the epoch)."""
    ref = run.git_ref
    is_pull_request = run.pull_request is not None
    workflow_ref = f"{run.repository}/{run.workflow}@{ref}"
    sha = run.sha or hashlib.sha1(f"{run.repository}@{ref}".encode()).hexdigest()
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": run.audience,
        "sub": subject(run),
        "jti": str(uuid.uuid4()),
        "iat": issued_at,
        "nbf": issued_at - NOT_BEFORE_SKEW_SECONDS,
        "exp": issued_at + TOKEN_LIFETIME_SECONDS,
        "ref": ref,
        "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
        "ref_protected": "false" if is_pull_request else "true",
        "sha": sha,
        "repository": run.repository,
        "repository_id": str(run.repository_id or _stable_id("repository", run.repository)),
        "repository_owner": run.owner,
        "repository_owner_id": str(run.owner_id or _stable_id("owner", run.owner)),
        "repository_visibility": "private",
        "actor": run.actor,
        "actor_id": _stable_id("actor", run.actor),
        "event_name": run.event_name or ("pull_request" if is_pull_request else "push"),
        "head_ref": f"pr-{run.pull_request}" if is_pull_request else "",
        "base_ref": "main" if is_pull_request else "",
        "run_id": str(run.run_id or _stable_id("run", str(issued_at), run.repository)),
        "run_number": "1",
        "run_attempt": str(run.run_attempt),
        "runner_environment": "github-hosted",
        "workflow": run.workflow.rsplit("/", 1)[-1],
        "workflow_ref": workflow_ref,
        "workflow_sha": sha,
        "job_workflow_ref": workflow_ref,
        "job_workflow_sha": sha,
    }
    if run.environment is not None:
        claims["environment"] = run.environment
    return claims
