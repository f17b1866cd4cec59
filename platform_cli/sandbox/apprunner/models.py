"""App Runner state: services, operations, auto-scaling / observability configurations, VPC connectors, tags.

One backend per account and region (moto's BackendDict), no HTTP in here. Each public backend method mirrors one
App Runner API operation by name. Long-running work (create, update, deploy, pause, resume, delete) starts an
operation and leaves the service in OPERATION_IN_PROGRESS; the operation settles lazily, the first time anybody
looks after its delay has passed (no background threads, so nothing races the test that is watching).
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import string
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import BaseModel
from moto.utilities.utils import get_partition

from ..constants import APPRUNNER_DELAY_ENVVAR, APPRUNNER_DEPRECATED_DELAY_ENVVAR
from ..services.ecr import ECR_IMAGE_RE, image_exists
from .exceptions import (
    InvalidRequestException,
    InvalidStateException,
    ResourceNotFoundException,
)

DELAY_ENVVAR = APPRUNNER_DELAY_ENVVAR
DEPRECATED_DELAY_ENVVAR = APPRUNNER_DEPRECATED_DELAY_ENVVAR  # the old name; still read, with a warning
DEFAULT_DELAY_SECONDS = 0.5

DEFAULT_AUTO_SCALING_NAME = "DefaultConfiguration"

# App Runner's valid vCPU -> memory pairs, both in API units (CPU units, MB).
VALID_CPU_MEMORY = {
    "256": {"512", "1024"},
    "512": {"1024"},
    "1024": {"2048", "3072", "4096"},
    "2048": {"4096", "6144"},
    "4096": {"8192", "10240", "12288"},
}
CPU_ALIASES = {"0.25 vCPU": "256", "0.5 vCPU": "512", "1 vCPU": "1024", "2 vCPU": "2048", "4 vCPU": "4096"}
MEMORY_ALIASES = {f"{gb} GB": str(int(float(gb) * 1024)) for gb in ("0.5", "1", "2", "3", "4", "6", "8", "10", "12")}

SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$")
CONFIG_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,31}$")


def transition_delay() -> float:
    """Seconds an operation stays in progress; PLATFORMCTL_SANDBOX_APPRUNNER_DELAY overrides the short default."""
    raw = os.environ.get(DELAY_ENVVAR)
    if raw is None and os.environ.get(DEPRECATED_DELAY_ENVVAR) is not None:
        raw = os.environ[DEPRECATED_DELAY_ENVVAR]
        _warn_deprecated_once()
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_DELAY_SECONDS
    except ValueError:
        return DEFAULT_DELAY_SECONDS


@functools.cache
def _warn_deprecated_once() -> None:
    print(f"sandbox: {DEPRECATED_DELAY_ENVVAR} is deprecated; set {DELAY_ENVVAR} instead", file=sys.stderr)


def _now() -> datetime:
    return datetime.now(UTC)


def _hex_id() -> str:
    return uuid.uuid4().hex


def _url_label() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Operation(BaseModel):
    def __init__(self, operation_type: str, target_arn: str):
        self.id = _hex_id()
        self.type = operation_type
        self.target_arn = target_arn
        self.status = "IN_PROGRESS"
        self.started_at = _now()
        self.updated_at = self.started_at
        self.ended_at: datetime | None = None

    def finish(self, status: str) -> None:
        self.status = status
        self.updated_at = self.ended_at = _now()

    def to_summary(self) -> dict[str, Any]:
        summary = {
            "Id": self.id,
            "Type": self.type,
            "Status": self.status,
            "TargetArn": self.target_arn,
            "StartedAt": self.started_at,
            "UpdatedAt": self.updated_at,
        }
        if self.ended_at:
            summary["EndedAt"] = self.ended_at
        return summary


class RevisionedResource(BaseModel):
    """A named App Runner resource with revisions (ARN .../KIND/NAME/REVISION/ID), retired rather than removed."""

    ARN_KIND = ""
    ACTIVE, INACTIVE = "ACTIVE", "INACTIVE"

    def __init__(self, account_id: str, region: str, name: str, revision: int):
        self.name = name
        self.revision = revision
        self.arn = (
            f"arn:{get_partition(region)}:apprunner:{region}:{account_id}:{self.ARN_KIND}/{name}/{revision}/{_hex_id()}"
        )
        self.latest = True
        self.status = self.ACTIVE
        self.created_at = _now()
        self.deleted_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status == self.ACTIVE


class AutoScalingConfiguration(RevisionedResource):
    ARN_KIND = "autoscalingconfiguration"
    # App Runner reports this status in lower case (the aws provider's waiter expects "active").
    ACTIVE, INACTIVE = "active", "inactive"

    def __init__(
        self,
        account_id: str,
        region: str,
        name: str,
        revision: int,
        max_concurrency: int,
        min_size: int,
        max_size: int,
        is_default: bool = False,
    ):
        super().__init__(account_id, region, name, revision)
        self.max_concurrency = max_concurrency
        self.min_size = min_size
        self.max_size = max_size
        self.is_default = is_default
        self.has_associated_service = False

    def to_dict(self) -> dict[str, Any]:
        result = {
            "AutoScalingConfigurationArn": self.arn,
            "AutoScalingConfigurationName": self.name,
            "AutoScalingConfigurationRevision": self.revision,
            "Latest": self.latest,
            "Status": self.status,
            "MaxConcurrency": self.max_concurrency,
            "MinSize": self.min_size,
            "MaxSize": self.max_size,
            "CreatedAt": self.created_at,
            "HasAssociatedService": self.has_associated_service,
            "IsDefault": self.is_default,
        }
        if self.deleted_at:
            result["DeletedAt"] = self.deleted_at
        return result

    def to_summary(self) -> dict[str, Any]:
        return {
            "AutoScalingConfigurationArn": self.arn,
            "AutoScalingConfigurationName": self.name,
            "AutoScalingConfigurationRevision": self.revision,
            "Status": self.status,
            "CreatedAt": self.created_at,
            "HasAssociatedService": self.has_associated_service,
            "IsDefault": self.is_default,
        }


class ObservabilityConfiguration(RevisionedResource):
    ARN_KIND = "observabilityconfiguration"

    def __init__(
        self, account_id: str, region: str, name: str, revision: int, trace_configuration: dict[str, Any] | None
    ):
        super().__init__(account_id, region, name, revision)
        self.trace_configuration = trace_configuration

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ObservabilityConfigurationArn": self.arn,
            "ObservabilityConfigurationName": self.name,
            "ObservabilityConfigurationRevision": self.revision,
            "Latest": self.latest,
            "Status": self.status,
            "CreatedAt": self.created_at,
        }
        if self.trace_configuration:
            result["TraceConfiguration"] = self.trace_configuration
        if self.deleted_at:
            result["DeletedAt"] = self.deleted_at
        return result

    def to_summary(self) -> dict[str, Any]:
        return {
            "ObservabilityConfigurationArn": self.arn,
            "ObservabilityConfigurationName": self.name,
            "ObservabilityConfigurationRevision": self.revision,
        }


class VpcConnector(RevisionedResource):
    ARN_KIND = "vpcconnector"

    def __init__(
        self, account_id: str, region: str, name: str, revision: int, subnets: list[str], security_groups: list[str]
    ):
        super().__init__(account_id, region, name, revision)
        self.subnets = subnets
        self.security_groups = security_groups

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "VpcConnectorName": self.name,
            "VpcConnectorArn": self.arn,
            "VpcConnectorRevision": self.revision,
            "Subnets": self.subnets,
            "SecurityGroups": self.security_groups,
            "Status": self.status,
            "CreatedAt": self.created_at,
        }
        if self.deleted_at:
            result["DeletedAt"] = self.deleted_at
        return result


class Service(BaseModel):
    def __init__(
        self,
        account_id: str,
        region: str,
        name: str,
        source_configuration: dict[str, Any],
        instance_configuration: dict[str, str],
        health_check_configuration: dict[str, Any],
        auto_scaling_configuration: AutoScalingConfiguration,
        network_configuration: dict[str, Any],
        observability_configuration: dict[str, Any] | None,
        encryption_configuration: dict[str, Any] | None,
    ):
        self.name = name
        self.id = _hex_id()
        self.arn = f"arn:{get_partition(region)}:apprunner:{region}:{account_id}:service/{name}/{self.id}"
        self.url = f"{_url_label()}.{region}.awsapprunner.com"
        self.source_configuration = source_configuration
        self.instance_configuration = instance_configuration
        self.health_check_configuration = health_check_configuration
        self.auto_scaling_configuration = auto_scaling_configuration
        self.network_configuration = network_configuration
        self.observability_configuration = observability_configuration
        self.encryption_configuration = encryption_configuration
        self.status = "OPERATION_IN_PROGRESS"
        self.created_at = self.updated_at = _now()
        self.deleted_at: datetime | None = None
        self.operations: list[Operation] = []
        # (settle at monotonic time, what to do then) for the operation in progress, if any
        self.pending: tuple[float, Callable[[], None]] | None = None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ServiceName": self.name,
            "ServiceId": self.id,
            "ServiceArn": self.arn,
            "ServiceUrl": self.url,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "Status": self.status,
            "SourceConfiguration": self.source_configuration,
            "InstanceConfiguration": self.instance_configuration,
            "HealthCheckConfiguration": self.health_check_configuration,
            "AutoScalingConfigurationSummary": self.auto_scaling_configuration.to_summary(),
            "NetworkConfiguration": self.network_configuration,
        }
        if self.observability_configuration:
            result["ObservabilityConfiguration"] = self.observability_configuration
        if self.encryption_configuration:
            result["EncryptionConfiguration"] = self.encryption_configuration
        if self.deleted_at:
            result["DeletedAt"] = self.deleted_at
        return result

    def to_summary(self) -> dict[str, Any]:
        return {
            "ServiceName": self.name,
            "ServiceId": self.id,
            "ServiceArn": self.arn,
            "ServiceUrl": self.url,
            "CreatedAt": self.created_at,
            "UpdatedAt": self.updated_at,
            "Status": self.status,
        }


def _paginate(items: list[Any], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    start = int(next_token) if next_token and next_token.isdigit() else 0
    size = max_results or 100
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class AppRunnerBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self._lock = threading.RLock()
        self.services: dict[str, Service] = {}
        self.auto_scaling_configurations: dict[str, AutoScalingConfiguration] = {}
        self.observability_configurations: dict[str, ObservabilityConfiguration] = {}
        self.vpc_connectors: dict[str, VpcConnector] = {}
        self.tags: dict[str, dict[str, str]] = {}
        default = AutoScalingConfiguration(
            account_id, region_name, DEFAULT_AUTO_SCALING_NAME, 1, 100, 1, 25, is_default=True
        )
        self.auto_scaling_configurations[default.arn] = default

    # ------------------------------------------------------------------ operations in flight
    def _start_operation(self, service: Service, operation_type: str, settle: Callable[[Operation], None]) -> Operation:
        operation = Operation(operation_type, service.arn)
        # The server log (server.log) is where a sandbox user looks when a service is unexpectedly busy.
        print(f"apprunner: {operation_type} started on {service.arn}", file=sys.stderr, flush=True)
        service.operations.append(operation)
        service.status = "OPERATION_IN_PROGRESS"
        service.updated_at = _now()
        service.pending = (time.monotonic() + transition_delay(), lambda: settle(operation))
        return operation

    def _settle(self) -> None:
        now = time.monotonic()
        for service in self.services.values():
            if service.pending and now >= service.pending[0]:
                _, finish = service.pending
                service.pending = None
                finish()
                service.updated_at = _now()
        self._refresh_associations()

    def _refresh_associations(self) -> None:
        in_use = {s.auto_scaling_configuration.arn for s in self.services.values() if s.status != "DELETED"}
        for config in self.auto_scaling_configurations.values():
            config.has_associated_service = config.arn in in_use

    # ------------------------------------------------------------------ validation helpers
    def _image_exists(self, image_identifier: str) -> bool:
        """Whether an ECR image (by tag or digest) is in the sandbox's own ECR, as App Runner's pull would find."""
        return image_exists(image_identifier)

    def _role_exists(self, role_arn: str) -> bool:
        from moto.iam.models import iam_backends

        try:
            iam_backends[self.account_id][get_partition(self.region_name)].get_role_by_arn(role_arn)
        except Exception:  # moto raises IAMNotFoundException
            return False
        return True

    def _validate_source(self, source: dict[str, Any]) -> None:
        image = source.get("ImageRepository")
        code = source.get("CodeRepository")
        if bool(image) == bool(code):
            raise InvalidRequestException("Exactly one of ImageRepository or CodeRepository must be specified.")
        if image:
            repository_type = image.get("ImageRepositoryType")
            if repository_type == "ECR":
                if not ECR_IMAGE_RE.match(image.get("ImageIdentifier", "")):
                    raise InvalidRequestException(f"Invalid ECR image identifier: {image.get('ImageIdentifier')}")
                role = (source.get("AuthenticationConfiguration") or {}).get("AccessRoleArn")
                if not role:
                    raise InvalidRequestException(
                        "Authentication configuration is invalid: an access role (AccessRoleArn) is required "
                        "to pull images from a private ECR repository."
                    )
                if not self._role_exists(role):
                    raise InvalidRequestException(f"Error in assuming access role {role}")

    def _instance_configuration(
        self, requested: dict[str, Any] | None, current: dict[str, str] | None = None
    ) -> dict[str, str]:
        base = dict(current or {"Cpu": "1024", "Memory": "2048"})
        requested = requested or {}
        cpu = CPU_ALIASES.get(requested.get("Cpu", base["Cpu"]), requested.get("Cpu", base["Cpu"]))
        memory = MEMORY_ALIASES.get(requested.get("Memory", base["Memory"]), requested.get("Memory", base["Memory"]))
        if cpu not in VALID_CPU_MEMORY:
            raise InvalidRequestException(f"Invalid CPU value: {requested.get('Cpu')}")
        if memory not in VALID_CPU_MEMORY[cpu]:
            raise InvalidRequestException(
                f"Invalid combination of CPU ({cpu}) and memory ({memory}). "
                f"Valid memory for this CPU: {', '.join(sorted(VALID_CPU_MEMORY[cpu], key=int))}."
            )
        result = {"Cpu": cpu, "Memory": memory}
        role = requested.get("InstanceRoleArn", base.get("InstanceRoleArn"))
        if role:
            if not self._role_exists(role):
                raise InvalidRequestException(f"Error in assuming instance role {role}")
            result["InstanceRoleArn"] = role
        return result

    @staticmethod
    def _health_check(requested: dict[str, Any] | None) -> dict[str, Any]:
        result = {
            "Protocol": "TCP",
            "Path": "/",
            "Interval": 5,
            "Timeout": 2,
            "HealthyThreshold": 1,
            "UnhealthyThreshold": 5,
        }
        result.update({k: v for k, v in (requested or {}).items() if v is not None})
        return result

    def _network_configuration(
        self, requested: dict[str, Any] | None, current: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        result = current or {
            "EgressConfiguration": {"EgressType": "DEFAULT"},
            "IngressConfiguration": {"IsPubliclyAccessible": True},
            "IpAddressType": "IPV4",
        }
        result = {k: dict(v) if isinstance(v, dict) else v for k, v in result.items()}
        requested = requested or {}
        if "EgressConfiguration" in requested:
            egress = requested["EgressConfiguration"] or {}
            if egress.get("EgressType") == "VPC":
                connector = self._find_vpc_connector(egress.get("VpcConnectorArn", ""))
                egress = {"EgressType": "VPC", "VpcConnectorArn": connector.arn}
            else:
                egress = {"EgressType": "DEFAULT"}
            result["EgressConfiguration"] = egress
        if "IngressConfiguration" in requested:
            result["IngressConfiguration"] = {
                "IsPubliclyAccessible": bool(
                    (requested["IngressConfiguration"] or {}).get("IsPubliclyAccessible", True)
                )
            }
        if requested.get("IpAddressType"):
            result["IpAddressType"] = requested["IpAddressType"]
        return result

    def _observability(self, requested: dict[str, Any] | None) -> dict[str, Any] | None:
        if not requested:
            return None
        result: dict[str, Any] = {"ObservabilityEnabled": bool(requested.get("ObservabilityEnabled"))}
        if requested.get("ObservabilityConfigurationArn"):
            config = self._find_observability_configuration(requested["ObservabilityConfigurationArn"])
            result["ObservabilityConfigurationArn"] = config.arn
        elif result["ObservabilityEnabled"]:
            raise InvalidRequestException("ObservabilityConfigurationArn is required when observability is enabled.")
        return result

    @staticmethod
    def _normalize_source(source: dict[str, Any]) -> dict[str, Any]:
        source = {k: v for k, v in source.items() if v is not None}
        image = source.get("ImageRepository")
        if image:
            image = dict(image)
            image_config = dict(image.get("ImageConfiguration") or {})
            image_config.setdefault("Port", "8080")
            image["ImageConfiguration"] = image_config
            source["ImageRepository"] = image
        source.setdefault("AutoDeploymentsEnabled", False)
        return source

    def _get_service(self, arn: str) -> Service:
        service = self.services.get(arn)
        if service is None:
            raise ResourceNotFoundException("Service", arn)
        return service

    def _require_running(self, service: Service, action: str) -> None:
        if service.status != "RUNNING":
            busy = next((o for o in reversed(service.operations) if o.status == "IN_PROGRESS"), None)
            if busy is not None:  # for whoever reads server.log: which operation is still running, since when
                print(
                    f"apprunner: {action} refused on {service.arn}: {busy.type} {busy.id} in progress since "
                    f"{busy.started_at.isoformat()}",
                    file=sys.stderr,
                    flush=True,
                )
            raise InvalidStateException(
                f"You can't {action} service {service.arn} while it's in the {service.status} state."
            )

    # ------------------------------------------------------------------ services
    def create_service(
        self,
        service_name: str,
        source_configuration: dict[str, Any],
        instance_configuration: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
        encryption_configuration: dict[str, Any] | None,
        health_check_configuration: dict[str, Any] | None,
        auto_scaling_configuration_arn: str | None,
        network_configuration: dict[str, Any] | None,
        observability_configuration: dict[str, Any] | None,
    ) -> tuple[Service, str]:
        with self._lock:
            self._settle()
            if not SERVICE_NAME_RE.match(service_name or ""):
                raise InvalidRequestException(
                    f"Invalid service name '{service_name}': 4-40 letters, digits, hyphens or underscores, "
                    "starting with a letter or digit."
                )
            if any(s.name == service_name and s.status != "DELETED" for s in self.services.values()):
                raise InvalidRequestException(f"Service with the provided name already exists: {service_name}")
            self._validate_source(source_configuration)
            instance = self._instance_configuration(instance_configuration)
            if auto_scaling_configuration_arn:
                auto_scaling = self._find_auto_scaling_configuration(auto_scaling_configuration_arn)
            else:
                auto_scaling = self._default_auto_scaling_configuration()
            service = Service(
                self.account_id,
                self.region_name,
                service_name,
                source_configuration=self._normalize_source(source_configuration),
                instance_configuration=instance,
                health_check_configuration=self._health_check(health_check_configuration),
                auto_scaling_configuration=auto_scaling,
                network_configuration=self._network_configuration(network_configuration),
                observability_configuration=self._observability(observability_configuration),
                encryption_configuration=encryption_configuration,
            )
            self.services[service.arn] = service
            self.tags[service.arn] = {t["Key"]: t["Value"] for t in tags or []}

            def settle(operation: Operation) -> None:
                if self._deployable(service):
                    service.status = "RUNNING"
                    operation.finish("SUCCEEDED")
                else:
                    service.status = "CREATE_FAILED"
                    operation.finish("FAILED")

            operation = self._start_operation(service, "CREATE_SERVICE", settle)
            self._refresh_associations()
            return service, operation.id

    def _deployable(self, service: Service) -> bool:
        image = service.source_configuration.get("ImageRepository")
        if image and image.get("ImageRepositoryType") == "ECR":
            return self._image_exists(image["ImageIdentifier"])
        return True

    def describe_service(self, service_arn: str) -> Service:
        with self._lock:
            self._settle()
            return self._get_service(service_arn)

    def list_services(self, max_results: int | None, next_token: str | None) -> tuple[list[Service], str | None]:
        with self._lock:
            self._settle()
            live = [s for s in self.services.values() if s.status != "DELETED"]
            return _paginate(live, max_results, next_token)

    def update_service(
        self,
        service_arn: str,
        source_configuration: dict[str, Any] | None,
        instance_configuration: dict[str, Any] | None,
        auto_scaling_configuration_arn: str | None,
        health_check_configuration: dict[str, Any] | None,
        network_configuration: dict[str, Any] | None,
        observability_configuration: dict[str, Any] | None,
    ) -> tuple[Service, str]:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            self._require_running(service, "update")
            previous: dict[str, Any] = {
                "source": service.source_configuration,
                "instance": service.instance_configuration,
                "auto_scaling": service.auto_scaling_configuration,
                "health": service.health_check_configuration,
                "network": service.network_configuration,
                "observability": service.observability_configuration,
            }
            if source_configuration:
                merged = {**service.source_configuration, **source_configuration}
                self._validate_source(merged)
                service.source_configuration = self._normalize_source(merged)
            if instance_configuration:
                service.instance_configuration = self._instance_configuration(
                    instance_configuration, service.instance_configuration
                )
            if auto_scaling_configuration_arn:
                service.auto_scaling_configuration = self._find_auto_scaling_configuration(
                    auto_scaling_configuration_arn
                )
            if health_check_configuration:
                service.health_check_configuration = self._health_check(health_check_configuration)
            if network_configuration:
                service.network_configuration = self._network_configuration(
                    network_configuration, service.network_configuration
                )
            if observability_configuration is not None:
                service.observability_configuration = self._observability(observability_configuration)

            def settle(operation: Operation) -> None:
                service.status = "RUNNING"
                if self._deployable(service):
                    operation.finish("SUCCEEDED")
                else:  # App Runner rolls a failed update back to the last good configuration
                    service.source_configuration = previous["source"]
                    service.instance_configuration = previous["instance"]
                    service.auto_scaling_configuration = previous["auto_scaling"]
                    service.health_check_configuration = previous["health"]
                    service.network_configuration = previous["network"]
                    service.observability_configuration = previous["observability"]
                    operation.finish("ROLLBACK_SUCCEEDED")

            operation = self._start_operation(service, "UPDATE_SERVICE", settle)
            self._refresh_associations()
            return service, operation.id

    def delete_service(self, service_arn: str) -> tuple[Service, str]:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            if service.status in ("DELETED", "OPERATION_IN_PROGRESS"):
                raise InvalidStateException(
                    f"You can't delete service {service.arn} while it's in the {service.status} state."
                )

            def settle(operation: Operation) -> None:
                service.status = "DELETED"
                service.deleted_at = _now()
                operation.finish("SUCCEEDED")

            operation = self._start_operation(service, "DELETE_SERVICE", settle)
            return service, operation.id

    def pause_service(self, service_arn: str) -> tuple[Service, str]:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            self._require_running(service, "pause")

            def settle(operation: Operation) -> None:
                service.status = "PAUSED"
                operation.finish("SUCCEEDED")

            operation = self._start_operation(service, "PAUSE_SERVICE", settle)
            return service, operation.id

    def resume_service(self, service_arn: str) -> tuple[Service, str]:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            if service.status != "PAUSED":
                raise InvalidStateException(
                    f"You can't resume service {service.arn} while it's in the {service.status} state."
                )

            def settle(operation: Operation) -> None:
                service.status = "RUNNING"
                operation.finish("SUCCEEDED")

            operation = self._start_operation(service, "RESUME_SERVICE", settle)
            return service, operation.id

    def start_deployment(self, service_arn: str) -> str:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            self._require_running(service, "deploy")

            def settle(operation: Operation) -> None:
                service.status = "RUNNING"
                operation.finish("SUCCEEDED" if self._deployable(service) else "ROLLBACK_SUCCEEDED")

            return self._start_operation(service, "START_DEPLOYMENT", settle).id

    def list_operations(
        self, service_arn: str, max_results: int | None, next_token: str | None
    ) -> tuple[list[Operation], str | None]:
        with self._lock:
            self._settle()
            service = self._get_service(service_arn)
            newest_first = list(reversed(service.operations))
            return _paginate(newest_first, max_results, next_token)

    def describe_custom_domains(self, service_arn: str) -> Service:
        return self.describe_service(service_arn)

    # ------------------------------------------------------------------ auto scaling configurations
    def _default_auto_scaling_configuration(self) -> AutoScalingConfiguration:
        return next(c for c in self.auto_scaling_configurations.values() if c.is_default and c.active)

    @staticmethod
    def _next_revision(store: Mapping[str, RevisionedResource], name: str) -> int:
        """The revision a new NAME gets; the revisions before it stop being the latest."""
        same_name = [c for c in store.values() if c.name == name]
        for config in same_name:
            config.latest = False
        return max((c.revision for c in same_name), default=0) + 1

    @staticmethod
    def _retire(store: Mapping[str, RevisionedResource], config: RevisionedResource) -> None:
        """Deleted revisions stay describable as inactive; the newest active one of the name becomes latest."""
        config.status = config.INACTIVE
        config.deleted_at = _now()
        if config.latest:
            config.latest = False
            remaining = [c for c in store.values() if c.name == config.name and c.active]
            if remaining:
                max(remaining, key=lambda c: c.revision).latest = True

    @staticmethod
    def _find_revision(store: Mapping[str, RevisionedResource], arn: str, kind: str) -> Any:
        """Resolve a full ARN, or a partial one ending in /NAME or /NAME/REVISION (App Runner accepts both)."""
        if arn in store:
            return store[arn]
        parts = arn.split("/")
        if len(parts) in (2, 3):
            name = parts[1]
            revision = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else None
            candidates = [
                c
                for c in store.values()
                if c.name == name and c.active and (revision is None or c.revision == revision)
            ]
            if candidates:
                return max(candidates, key=lambda c: c.revision)
        raise ResourceNotFoundException(kind, arn)

    def _find_auto_scaling_configuration(self, arn: str) -> AutoScalingConfiguration:
        return self._find_revision(self.auto_scaling_configurations, arn, "AutoScalingConfiguration")

    def create_auto_scaling_configuration(
        self,
        name: str,
        max_concurrency: int | None,
        min_size: int | None,
        max_size: int | None,
        tags: list[dict[str, str]] | None,
    ) -> AutoScalingConfiguration:
        with self._lock:
            if not CONFIG_NAME_RE.match(name or ""):
                raise InvalidRequestException(f"Invalid auto scaling configuration name '{name}'.")
            if name == DEFAULT_AUTO_SCALING_NAME:
                raise InvalidRequestException(f"The name {DEFAULT_AUTO_SCALING_NAME} is reserved by App Runner.")
            max_concurrency = 100 if max_concurrency is None else max_concurrency
            min_size = 1 if min_size is None else min_size
            max_size = 25 if max_size is None else max_size
            if not 1 <= max_concurrency <= 200:
                raise InvalidRequestException("MaxConcurrency must be between 1 and 200.")
            if not 1 <= min_size <= 25 or not 1 <= max_size <= 25:
                raise InvalidRequestException("MinSize and MaxSize must be between 1 and 25.")
            if min_size > max_size:
                raise InvalidRequestException("MinSize must be less than or equal to MaxSize.")
            revision = self._next_revision(self.auto_scaling_configurations, name)
            config = AutoScalingConfiguration(
                self.account_id, self.region_name, name, revision, max_concurrency, min_size, max_size
            )
            self.auto_scaling_configurations[config.arn] = config
            self.tags[config.arn] = {t["Key"]: t["Value"] for t in tags or []}
            return config

    def describe_auto_scaling_configuration(self, arn: str) -> AutoScalingConfiguration:
        with self._lock:
            self._settle()
            return self._find_auto_scaling_configuration(arn)

    def delete_auto_scaling_configuration(self, arn: str) -> AutoScalingConfiguration:
        with self._lock:
            self._settle()
            config = self._find_auto_scaling_configuration(arn)
            if config.is_default and config.name == DEFAULT_AUTO_SCALING_NAME:
                raise InvalidRequestException("The default auto scaling configuration can't be deleted.")
            if config.has_associated_service:
                raise InvalidRequestException(
                    f"Auto scaling configuration {config.arn} is in use by a service and can't be deleted."
                )
            self._retire(self.auto_scaling_configurations, config)
            return config

    def list_auto_scaling_configurations(
        self, name: str | None, latest_only: bool, max_results: int | None, next_token: str | None
    ) -> tuple[list[AutoScalingConfiguration], str | None]:
        with self._lock:
            self._settle()
            configs = [
                c
                for c in self.auto_scaling_configurations.values()
                if c.active and (not name or c.name == name) and (not latest_only or c.latest)
            ]
            return _paginate(configs, max_results, next_token)

    def list_services_for_auto_scaling_configuration(
        self, arn: str, max_results: int | None, next_token: str | None
    ) -> tuple[list[str], str | None]:
        with self._lock:
            self._settle()
            config = self._find_auto_scaling_configuration(arn)
            arns = [
                s.arn
                for s in self.services.values()
                if s.status != "DELETED" and s.auto_scaling_configuration is config
            ]
            return _paginate(arns, max_results, next_token)

    def update_default_auto_scaling_configuration(self, arn: str) -> AutoScalingConfiguration:
        with self._lock:
            config = self._find_auto_scaling_configuration(arn)
            for other in self.auto_scaling_configurations.values():
                other.is_default = False
            config.is_default = True
            return config

    # ------------------------------------------------------------------ observability configurations
    def _find_observability_configuration(self, arn: str) -> ObservabilityConfiguration:
        return self._find_revision(self.observability_configurations, arn, "ObservabilityConfiguration")

    def create_observability_configuration(
        self, name: str, trace_configuration: dict[str, Any] | None, tags: list[dict[str, str]] | None
    ) -> ObservabilityConfiguration:
        with self._lock:
            if not CONFIG_NAME_RE.match(name or ""):
                raise InvalidRequestException(f"Invalid observability configuration name '{name}'.")
            if trace_configuration and trace_configuration.get("Vendor") != "AWSXRAY":
                raise InvalidRequestException("TraceConfiguration.Vendor must be AWSXRAY.")
            revision = self._next_revision(self.observability_configurations, name)
            config = ObservabilityConfiguration(self.account_id, self.region_name, name, revision, trace_configuration)
            self.observability_configurations[config.arn] = config
            self.tags[config.arn] = {t["Key"]: t["Value"] for t in tags or []}
            return config

    def describe_observability_configuration(self, arn: str) -> ObservabilityConfiguration:
        with self._lock:
            return self._find_observability_configuration(arn)

    def delete_observability_configuration(self, arn: str) -> ObservabilityConfiguration:
        with self._lock:
            self._settle()
            config = self._find_observability_configuration(arn)
            in_use = [
                s
                for s in self.services.values()
                if s.status != "DELETED"
                and (s.observability_configuration or {}).get("ObservabilityConfigurationArn") == config.arn
            ]
            if in_use:
                raise InvalidRequestException(
                    f"Observability configuration {config.arn} is in use by a service and can't be deleted."
                )
            self._retire(self.observability_configurations, config)
            return config

    def list_observability_configurations(
        self, name: str | None, latest_only: bool, max_results: int | None, next_token: str | None
    ) -> tuple[list[ObservabilityConfiguration], str | None]:
        with self._lock:
            configs = [
                c
                for c in self.observability_configurations.values()
                if c.active and (not name or c.name == name) and (not latest_only or c.latest)
            ]
            return _paginate(configs, max_results, next_token)

    # ------------------------------------------------------------------ VPC connectors
    def _find_vpc_connector(self, arn: str) -> VpcConnector:
        return self._find_revision(self.vpc_connectors, arn, "VpcConnector")

    def create_vpc_connector(
        self, name: str, subnets: list[str], security_groups: list[str] | None, tags: list[dict[str, str]] | None
    ) -> VpcConnector:
        with self._lock:
            if not SERVICE_NAME_RE.match(name or ""):
                raise InvalidRequestException(f"Invalid VPC connector name '{name}'.")
            if not subnets:
                raise InvalidRequestException("At least one subnet is required.")
            if any(c.name == name and c.active for c in self.vpc_connectors.values()):
                raise InvalidRequestException(f"VPC connector with the provided name already exists: {name}")
            self._check_network_ids(subnets, security_groups or [])
            revision = self._next_revision(self.vpc_connectors, name)
            connector = VpcConnector(
                self.account_id, self.region_name, name, revision, list(subnets), list(security_groups or [])
            )
            self.vpc_connectors[connector.arn] = connector
            self.tags[connector.arn] = {t["Key"]: t["Value"] for t in tags or []}
            return connector

    def _check_network_ids(self, subnets: list[str], security_groups: list[str]) -> None:
        """Subnets and security groups must exist in the sandbox's EC2, as they must in the real account."""
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[self.account_id][self.region_name]
        for subnet in subnets:
            try:
                ec2.get_subnet(subnet)
            except Exception:
                raise InvalidRequestException(f"Subnet not found: {subnet}") from None
        for group in security_groups:
            if ec2.get_security_group_from_id(group) is None:
                raise InvalidRequestException(f"Security group not found: {group}")

    def describe_vpc_connector(self, arn: str) -> VpcConnector:
        with self._lock:
            return self._find_vpc_connector(arn)

    def delete_vpc_connector(self, arn: str) -> VpcConnector:
        with self._lock:
            self._settle()
            connector = self._find_vpc_connector(arn)
            in_use = [
                s
                for s in self.services.values()
                if s.status != "DELETED"
                and s.network_configuration.get("EgressConfiguration", {}).get("VpcConnectorArn") == connector.arn
            ]
            if in_use:
                raise InvalidRequestException(f"VPC connector {connector.arn} is in use by a service.")
            self._retire(self.vpc_connectors, connector)
            return connector

    def list_vpc_connectors(
        self, max_results: int | None, next_token: str | None
    ) -> tuple[list[VpcConnector], str | None]:
        with self._lock:
            connectors = [c for c in self.vpc_connectors.values() if c.active]
            return _paginate(connectors, max_results, next_token)

    # ------------------------------------------------------------------ tags
    def _tagged(self, arn: str) -> dict[str, str]:
        if arn not in self.tags:
            raise ResourceNotFoundException("Resource", arn)
        return self.tags[arn]

    def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        with self._lock:
            self._tagged(arn).update({t["Key"]: t["Value"] for t in tags})

    def untag_resource(self, arn: str, tag_keys: list[str]) -> None:
        with self._lock:
            existing = self._tagged(arn)
            for key in tag_keys:
                existing.pop(key, None)

    def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        with self._lock:
            return [{"Key": k, "Value": v} for k, v in self._tagged(arn).items()]


apprunner_backends = BackendDict(AppRunnerBackend, "apprunner")
