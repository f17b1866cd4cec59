"""S3 as the aws provider and the artifact store see it on AWS.

* PutBucketLifecycleConfiguration echoes x-amz-transition-default-minimum-object-size (wire);
* GetBucketLifecycleConfiguration answers with the rules as they were put (wire; moto drops fields);
* PutBucketLogging accepts a target bucket policy in any valid form (model; moto answered HTTP 500);
* a bucket policy's conditional statements no longer refuse every object request (model).
"""

from __future__ import annotations

import fnmatch
import json
import threading
import xml.etree.ElementTree as ET
from typing import Any

from ..patching import install_once
from ..wire import REQUEST_BODY_KEY, Environ, Fix, Headers, add_fixes, query, set_header, signed_for

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def _bucket_subresource(environ: Environ, subresource: str, method: str) -> bool:
    return environ.get("REQUEST_METHOD") == method and subresource in query(environ) and signed_for(environ, "s3")


def _is_bucket_delete(environ: Environ) -> bool:
    path = environ.get("PATH_INFO", "/").strip("/")
    return (
        environ.get("REQUEST_METHOD") == "DELETE"
        and signed_for(environ, "s3")
        and "/" not in path
        and not environ.get("QUERY_STRING")
    )


def _bucket_name(environ: Environ) -> str:
    path = environ.get("PATH_INFO", "/").lstrip("/")
    if path:
        return path.split("/", 1)[0]
    return environ.get("HTTP_HOST", "").split(".", 1)[0]  # virtual-hosted style


# ---------------------------------------------------------------------------------------------------------------
# Wire: PutBucketLifecycleConfiguration. AWS echoes x-amz-transition-default-minimum-object-size on the PUT (moto
# only sends it on GET) and answers with an empty XML-less body, not text/html.


def _lifecycle_put_rewrite(environ: Environ, status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    if status.startswith("200"):
        requested = environ.get("HTTP_X_AMZ_TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE") or "all_storage_classes_128K"
        headers = set_header(headers, "x-amz-transition-default-minimum-object-size", requested)
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
    return status, headers, body


# Wire: GetBucketLifecycleConfiguration. AWS returns the rules as they were put. moto 5.2.5 drops some fields on the
# way (NoncurrentVersionExpiration.NewerNoncurrentVersions, Filter.ObjectSizeGreaterThan/LessThan, the And
# operator's object sizes) and turns an empty <Filter/> into <Filter><Prefix/></Filter>. The aws provider waits
# until GET equals what it PUT, so any such rule never converges: the apply hangs for the 3-minute create timeout
# and then fails. The sandbox keeps the rules moto accepted and answers GET with them.


class LifecycleStore:
    """The last lifecycle rules each bucket accepted, as XML elements without namespaces."""

    def __init__(self) -> None:
        self._rules: dict[str, list[ET.Element]] = {}
        self._lock = threading.Lock()

    def put(self, bucket: str, body: bytes) -> None:
        root = ET.fromstring(body)
        for element in root.iter():
            element.tag = element.tag.split("}", 1)[-1]
        with self._lock:
            self._rules[bucket] = [rule for rule in root if rule.tag == "Rule"]

    def forget(self, bucket: str) -> None:
        with self._lock:
            self._rules.pop(bucket, None)

    def document(self, bucket: str) -> bytes | None:
        with self._lock:
            rules = self._rules.get(bucket)
        if rules is None:
            return None
        root = ET.Element("LifecycleConfiguration", xmlns=S3_NAMESPACE)
        root.extend(rules)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)


LIFECYCLE = LifecycleStore()


def _lifecycle_put_store(environ: Environ, status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    if status.startswith("200") and environ.get(REQUEST_BODY_KEY):
        try:
            LIFECYCLE.put(_bucket_name(environ), environ[REQUEST_BODY_KEY])
        except ET.ParseError:
            pass  # moto accepted it, so it parsed; keep moto's view if ours cannot
    return status, headers, body


def _lifecycle_get_rewrite(environ: Environ, status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    if status.startswith("200"):
        stored = LIFECYCLE.document(_bucket_name(environ))
        if stored is not None:
            return status, headers, stored
    return status, headers, body


def _lifecycle_forget(environ: Environ, status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    if status[:1] == "2":
        LIFECYCLE.forget(_bucket_name(environ))
    return status, headers, body


FIXES = [
    Fix(
        name="s3-put-lifecycle-transition-header",
        applies=lambda environ: _bucket_subresource(environ, "lifecycle", "PUT"),
        rewrite=_lifecycle_put_rewrite,
    ),
    Fix(
        name="s3-lifecycle-round-trip-store",
        applies=lambda environ: _bucket_subresource(environ, "lifecycle", "PUT"),
        rewrite=_lifecycle_put_store,
        needs_request_body=True,
    ),
    Fix(
        name="s3-lifecycle-round-trip-get",
        applies=lambda environ: _bucket_subresource(environ, "lifecycle", "GET"),
        rewrite=_lifecycle_get_rewrite,
    ),
    Fix(
        name="s3-lifecycle-round-trip-delete",
        applies=lambda environ: _bucket_subresource(environ, "lifecycle", "DELETE") or _is_bucket_delete(environ),
        rewrite=_lifecycle_forget,
    ),
]


# ---------------------------------------------------------------------------------------------------------------
# Model: PutBucketLogging's check of the target bucket's policy.


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_allows_log_delivery(target_bucket: Any, target_prefix: str | None) -> bool:
    """Does the target bucket's policy let the S3 logging service PutObject under the prefix?

    moto 5.2.5 assumes every statement's Principal is a dict and its Action a list; a policy that also has a
    `"Principal": "*"` statement (the usual DenyInsecureTransport guard) makes PutBucketLogging answer HTTP 500,
    which the aws provider retries for minutes. AWS accepts any valid policy form.
    """
    if not target_bucket.policy:
        return False
    policy = json.loads(
        target_bucket.policy.decode() if isinstance(target_bucket.policy, bytes) else target_bucket.policy
    )
    wanted = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}"
    for statement in _as_list(policy.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if principal != "*" and LOGGING_SERVICE_PRINCIPAL not in services:
            continue
        actions = [a.lower() for a in _as_list(statement.get("Action", []))]
        if not any(fnmatch.fnmatch("s3:putobject", action) for action in actions):
            continue
        resources = _as_list(statement.get("Resource", []))
        if any(fnmatch.fnmatch(wanted + "x", resource) or resource == wanted.rstrip("/") for resource in resources):
            return True
    return False


# Model: a bucket policy's conditions, for object requests.


def _unconditional_statements(policy: bytes | str) -> str:
    """The bucket policy without the statements that carry a Condition.

    moto evaluates a bucket policy for object requests but not its conditions: a conditional Deny (the artifact
    store's "deny without TLS" and "deny uploads not encrypted with our key") became an unconditional one, so every
    upload was refused with 403, while AWS allows a TLS request that uses the right key. The sandbox cannot see TLS
    (it is plain HTTP on loopback, standing in for AWS's HTTPS endpoint) nor evaluate the headers here, so it leaves
    conditional statements to AWS; unconditional allows and denies still apply."""
    document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    document["Statement"] = [st for st in statements if not st.get("Condition")]
    return json.dumps(document)


def _get_permission(self: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    return IAMPolicy(_unconditional_statements(self.policy)).is_action_permitted(action, resource)


@install_once
def install() -> None:
    """Register S3's wire fixes and patch moto's FakeBucket in this process."""
    from moto.s3.models import FakeBucket

    add_fixes(*FIXES)
    FakeBucket._log_permissions_enabled_policy = staticmethod(_policy_allows_log_delivery)
    FakeBucket.get_permission = _get_permission
