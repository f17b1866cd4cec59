"""The hook into moto's request handling: every request is authorized as AWS would, before moto serves it.

moto calls `ActionAuthenticatorMixin._authenticate_and_authorize_action` from every service's request handling
(the App Runner emulator's too, being a moto BaseResponse), with S3's resource ARN where it knows it. The sandbox
replaces that one method (in its own process) when enforcement is on: it names the caller (principals), the
action, resources and condition keys (actions), the resource's owner, policy and tags (resource_policies),
decides (evaluation), logs the decision (report) and refuses in the service's own protocol (this module).
Modes: "hard" refuses, "soft" allows but logs each call it would refuse.
"""

from __future__ import annotations

import base64
import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from werkzeug.exceptions import HTTPException

from ..services import ecr
from . import actions, principals, resource_policies, sse_kms
from .evaluation import Decision, ResourceFacts, evaluate
from .report import DecisionLog

ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}  # AWS answers it even under an explicit deny
WEB_IDENTITY_ACTIONS = {"sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"}  # unsigned: the token decides
# Role parameters that pass a role to a service (iam:PassRole), and the service principal it is passed to.
PASSED_ROLE_PARAMETERS = {
    "AccessRoleArn": "build.apprunner.amazonaws.com",
    "InstanceRoleArn": "tasks.apprunner.amazonaws.com",
    "executionRoleArn": "ecs-tasks.amazonaws.com",
    "taskRoleArn": "ecs-tasks.amazonaws.com",
}


# ------------------------------------------------------------------------------------------------ refusals
class AccessDenied(HTTPException):
    """A refusal already rendered in the service's protocol (moto and Flask send it as it is)."""

    def __init__(self, status: int, content_type: str, body: str, error_type: str):
        super().__init__(description=body)
        self.code = status
        self._content_type = content_type
        self._error_type = error_type

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        return self.description or ""

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", self._content_type), ("x-amzn-ErrorType", self._error_type)]


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def refusal(protocol: str, message: str) -> AccessDenied:
    """AWS's AccessDenied in the wire format of the service's protocol."""
    request_id = str(uuid.uuid4())
    if protocol in {"json", "rest-json"}:
        body = json.dumps({"__type": "AccessDeniedException", "message": message, "Message": message})
        return AccessDenied(400, "application/x-amz-json-1.1", body, "AccessDeniedException")
    if protocol == "ec2":
        text = _xml_escape(f"You are not authorized to perform this operation. {message}")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>'
            f"<Message>{text}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return AccessDenied(403, "text/xml", body, "UnauthorizedOperation")
    if protocol == "rest-xml":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>{_xml_escape(message)}</Message><RequestId>{request_id}</RequestId>"
            f"<HostId>{request_id}</HostId></Error>"
        )
        return AccessDenied(403, "application/xml", body, "AccessDenied")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        f"<Message>{_xml_escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return AccessDenied(403, "text/xml", body, "AccessDenied")


# ------------------------------------------------------------------------------------------------ the request
def _credential_scope(headers: Any, query: dict[str, list[str]]) -> list[str] | None:
    auth = headers.get("Authorization") or ""
    if "Credential=" in auth:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].strip().split("/")
    credential = query.get("X-Amz-Credential")
    return credential[0].split("/") if credential else None


def _protocol(response: Any) -> str:
    from moto.core.responses import get_service_model

    try:
        return get_service_model(response.boto3_service_name).protocol
    except Exception:
        return "json"


def _key_resolver(account: str, region: str) -> Any:
    def resolve(prefix: str, placeholder: str, value: str) -> str:
        if prefix == "kms" and placeholder == "KeyId":
            from moto.kms.models import kms_backends

            try:
                return kms_backends[account][region].any_id_to_key_id(value)
            except Exception:
                return value
        if prefix == "kms" and placeholder == "Alias":
            return value.removeprefix("alias/")
        return value

    return resolve


# Actions on an existing role whose iam:PermissionsBoundary is the boundary the role already carries (AWS's
# condition key reference), not a request parameter.
ROLE_BOUNDARY_ACTIONS = frozenset(
    {"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy"}
)


def _role_boundary(account: str, role_name: Any) -> str | None:
    if not isinstance(role_name, str):
        return None
    from moto.iam.models import iam_backends

    try:
        return iam_backends[account]["aws"].get_role(role_name).permissions_boundary_arn
    except Exception:  # no such role (yet): the call itself will say so
        return None


def _request_context(
    principal: principals.Principal, region: str, params: dict[str, Any], response: Any, action: str
) -> dict[str, Any]:
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "aws:SecureTransport": "true",  # SDKs reach AWS over TLS; the sandbox's loopback HTTP stands in for it
        "aws:SourceIp": "127.0.0.1",
        "aws:RequestedRegion": region,
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        "aws:PrincipalArn": principal.role_arn or principal.arn,
        "aws:PrincipalAccount": principal.account,
        "aws:PrincipalType": {"root": "Account", "user": "User", "assumed-role": "AssumedRole"}[principal.kind],
        "aws:ViaAWSService": "false",
        **{f"aws:PrincipalTag/{k}": v for k, v in principal.tags.items()},
    }
    if principal.kind == "user":
        context["aws:username"] = principal.arn.rsplit("/", 1)[-1]
    tags = actions.request_tags(params, response.querystring or {})
    if tags is not None:
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        context["aws:TagKeys"] = list(tags)
    if action.startswith("s3:"):
        context.update(actions.s3_context(response.headers))
        prefix = (response.querystring or {}).get("prefix")
        if action == "s3:ListBucket" and prefix:
            context["s3:prefix"] = prefix[0]
    for name, key in (("PermissionsBoundary", "iam:PermissionsBoundary"), ("PolicyArn", "iam:PolicyARN")):
        if isinstance(params.get(name), str):
            context[key] = params[name]
    if action.startswith("kms:"):
        context["kms:CallerAccount"] = principal.account
        for name, value in (params.get("EncryptionContext") or {}).items():
            context[f"kms:EncryptionContext:{name}"] = value
    return context


def _claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class Enforcer:
    def __init__(self, mode: str, log: DecisionLog):
        self.mode = mode
        self.log = log

    # moto calls this (as a method of the response object) for every request it authorizes.
    def authorize(self, response: Any, moto_resource: str = "*") -> None:
        query = response.querystring or {}
        scope = _credential_scope(response.headers, query)
        protocol = _protocol(response)
        region = response.region
        if response.service_name == "s3":
            action = actions.s3_action(response.method, urlparse(response.uri).query, moto_resource)
        else:
            prefix = actions.SIGNING_NAME_TO_PREFIX.get(scope[3], scope[3]) if scope else response.service_name
            action = f"{prefix}:{response._get_action()}"
        if action in ALWAYS_ALLOWED:
            return
        params = actions.request_params(response.body, query, protocol)
        if action in WEB_IDENTITY_ACTIONS:
            return  # unsigned: oidc.sts verifies the token and the role's trust policy, as STS always does

        if scope is None:
            return self._refuse(protocol, self._anonymous(action, moto_resource))

        try:
            principal = principals.resolve(
                scope[0], response.headers.get("X-Amz-Security-Token"), response.current_account
            )
        except principals.InvalidSessionToken:
            raise refusal(protocol, "The security token included in the request is invalid.") from None
        account = response.current_account if principal.is_root else principal.account
        if response.service_name == "s3":
            resources, unmappable = [moto_resource], None
        else:
            prefix, name = action.split(":", 1)
            # ECR names another account's registry in registryId (a cross-account pull): its ARNs are there.
            owner = ecr.registry_account(params, account) if prefix == "ecr" else account
            resources, unmappable = actions.build_resources(
                prefix, name, params, region, owner, _key_resolver(owner, region)
            )
        context = _request_context(principal, region, params, response, action)
        if "iam:PermissionsBoundary" not in context and action in ROLE_BOUNDARY_ACTIONS:
            boundary = _role_boundary(account, params.get("RoleName"))
            if boundary:
                context["iam:PermissionsBoundary"] = boundary
        if unmappable:
            decision = Decision(
                False,
                principal.arn,
                action,
                "(unknown)",
                f"because the sandbox cannot map {action} to its resource",
                unmappable,
            )
            if not principal.is_root:
                return self._decide(protocol, decision)
            self.log.record(decision, enforced=False, mode=self.mode)
            return
        for arn in resources:
            facts = resource_policies.describe(arn, region, account)
            if action == "sts:AssumeRole":
                facts = _trust_policy(facts)
            self._decide(protocol, evaluate(principal, action, facts, context))
        if response.service_name == "s3":
            self._sse_kms(protocol, principal, action, moto_resource, query, response.headers, region, context)
            self._copy_source(protocol, principal, response.headers, region, context)
        self._pass_roles(protocol, principal, params, region, context)

    def _copy_source(
        self, protocol: str, principal: principals.Principal, headers: Any, region: str, context: dict[str, Any]
    ) -> None:
        """CopyObject / UploadPartCopy also read their source as the caller: s3:GetObject (GetObjectVersion for a
        version), and the source object's key through S3 when it is SSE-KMS."""
        source = headers.get("x-amz-copy-source")
        if not source:
            return
        path, _, version_query = unquote(source).lstrip("/").partition("?")
        version = parse_qs(version_query).get("versionId")
        action = "s3:GetObjectVersion" if version else "s3:GetObject"
        arn = f"arn:aws:s3:::{path}"
        facts = resource_policies.describe(arn, region, principal.account)
        self._decide(protocol, evaluate(principal, action, facts, context))
        self._sse_kms(protocol, principal, action, arn, {"versionId": version or []}, {}, region, context)

    def _sse_kms(
        self,
        protocol: str,
        principal: principals.Principal,
        action: str,
        resource: str,
        query: dict[str, list[str]],
        headers: Any,
        region: str,
        context: dict[str, Any],
    ) -> None:
        """S3 uses the object's KMS key as the caller: that use is authorized too (iam/sse_kms.py)."""
        kms_action = sse_kms.kms_action(action)
        key_arn = kms_action and sse_kms.key_of_request(action, resource, query, headers, region)
        if not kms_action or not key_arn:
            return
        facts = resource_policies.describe(key_arn, region, principal.account)
        via = {**context, "kms:ViaService": f"s3.{region}.amazonaws.com", "kms:CallerAccount": principal.account}
        self._decide(protocol, evaluate(principal, kms_action, facts, via))

    def _pass_roles(
        self, protocol: str, principal: principals.Principal, params: dict[str, Any], region: str, context: dict
    ) -> None:
        for name, service in PASSED_ROLE_PARAMETERS.items():
            for value in _nested_values(params, name):
                facts = resource_policies.describe(value, region, principal.account)
                passed = {**context, "iam:PassedToService": service}
                self._decide(protocol, evaluate(principal, "iam:PassRole", facts, passed))

    def _anonymous(self, action: str, resource: str) -> Decision:
        return Decision(
            False, "anonymous", action, resource, "because the request is not signed", "no credentials in the request"
        )

    def _refuse(self, protocol: str, decision: Decision) -> None:
        self._decide(protocol, decision)

    def _decide(self, protocol: str, decision: Decision) -> None:
        enforced = not decision.allowed and self.mode == "hard"
        self.log.record(decision, enforced=enforced, mode=self.mode)
        if decision.allowed:
            return
        if enforced:
            raise refusal(protocol, decision.message())
        print(
            f"sandbox iam (soft): would refuse: {decision.message()} ({decision.detail})", file=sys.stderr, flush=True
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _nested_values(data: Any, name: str) -> list[str]:
    """Every value of a parameter `name` at any depth (roles sit inside SourceConfiguration and the like)."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == name and isinstance(value, str) and value.startswith("arn:"):
                found.append(value)
            else:
                found += _nested_values(value, name)
    elif isinstance(data, list):
        for item in data:
            found += _nested_values(item, name)
    return found


def _trust_policy(facts: ResourceFacts) -> ResourceFacts:
    """sts:AssumeRole: the role's trust policy is its resource policy, and like a key policy it must allow."""
    from moto.iam.models import iam_backends

    try:
        role = iam_backends[facts.owner]["aws"].get_role_by_arn(facts.arn)
    except Exception:
        return ResourceFacts(arn=facts.arn, owner=facts.owner, key_policy=True)
    return ResourceFacts(
        arn=facts.arn,
        owner=facts.owner,
        policy=json.loads(role.assume_role_policy_document),
        policy_name=f"the trust policy of {role.name}",
        key_policy=True,
        tags=facts.tags,
    )


# ------------------------------------------------------------------------------------------------ install
def _hand_bucket_policies_to_enforcement() -> None:
    """moto checks bucket policies itself for object requests (answering 403 with an empty body, conditions
    ignored); with enforcement on, the evaluation above decides with the policy's conditions and AWS's error."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL  # type: ignore[method-assign]


_ENFORCER: Enforcer | None = None


def install(mode: str, log_path: str | None) -> None:
    """Turn enforcement on in this process (no-op for mode "off"). Idempotent."""
    global _ENFORCER
    if mode == "off":
        return
    from moto.core.authorization import ActionAuthenticatorMixin

    from .managed_policies import load_kit_managed_policies

    load_kit_managed_policies()
    actions._definitions()  # load the authorization reference now, not on the first request
    _ENFORCER = Enforcer(mode, DecisionLog(log_path))

    def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        assert _ENFORCER is not None
        _ENFORCER.authorize(self, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]
    _hand_bucket_policies_to_enforcement()
    print(f"sandbox: IAM enforcement {mode} (decisions in {log_path or 'no file'})", flush=True)
