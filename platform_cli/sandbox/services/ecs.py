"""ECS services that run like ECS's scheduler (model patches; ELBv2's DescribeTargetHealth reads through settled()).

moto 5.2.5 models ECS services as bookkeeping only: a service never starts a task, so DescribeServices reports
runningCount 0 / pendingCount N / rolloutState IN_PROGRESS forever and the aws provider's wait_for_steady_state
waits out its timeout. Here a service behaves like ECS's scheduler, lazily (the first time anybody looks after
PLATFORMCTL_SANDBOX_ECS_DELAY seconds, no background threads):

* every create or update that changes what runs (task definition, network, load balancers, force new deployment)
  starts a new PRIMARY deployment (the previous one becomes ACTIVE) and settles it;
* when every essential container's image is in the sandbox's ECR (by tag or digest, in the account and region its
  registry host names), the deployment starts desiredCount RUNNING Fargate tasks (an ENI in the service's subnets,
  an address inside the subnet), registers their IPs with the service's target groups (healthy), stops and
  deregisters the previous deployment's tasks, and completes: runningCount == desiredCount, rolloutState COMPLETED,
  one deployment left, "has reached a steady state";
* when an image is not there, tasks stop with stoppedReason "CannotPullContainerError: ...", the deployment
  circuit breaker trips after three failed tasks (rolloutState FAILED), and with rollback the previous
  deployment becomes PRIMARY again (service back on its task definition); a first deployment stays FAILED with
  runningCount 0, as ECS leaves it;
* with deployment alarms (deploymentConfiguration.alarms, enabled), a deployment whose tasks started bakes for
  PLATFORMCTL_SANDBOX_ECS_BAKE seconds (the previous deployment scaled in but kept): an alarm of the list in ALARM
  (CloudWatch's state, evaluated as services/cloudwatch.py does) fails it (rolloutState FAILED) and, with
  rollback, the previous deployment serves again; the bake ending quietly completes it. The wording of the
  failure reason and events is the sandbox's (ECS documents the behaviour, not the text);
* CreateService keeps the parameters moto's response drops (healthCheckGracePeriodSeconds,
  deploymentConfiguration, enableExecuteCommand, ...), as UpdateService already did.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from ..constants import ECS_BAKE_ENVVAR, ECS_DELAY_ENVVAR
from ..patching import install_once
from .ecr import image_exists

DEFAULT_DELAY_SECONDS = 0.5
DEFAULT_BAKE_SECONDS = 2.0
CIRCUIT_BREAKER_MIN_FAILURES = 3  # ECS: max(3, min(200, ceil(0.5 * desired))) failed tasks trip the breaker

_LOCK = threading.RLock()


def _seconds_from_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return max(float(raw), 0.0)
    except ValueError:
        print(f"sandbox: {name}={raw!r} is not a number of seconds; using {default}", file=sys.stderr)
        return default


def _settle_delay() -> float:
    return _seconds_from_env(ECS_DELAY_ENVVAR, DEFAULT_DELAY_SECONDS)


def _bake_time() -> float:
    return _seconds_from_env(ECS_BAKE_ENVVAR, DEFAULT_BAKE_SECONDS)


def _now() -> datetime:
    return datetime.now(UTC)


def _locked(fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return fn(*args, **kwargs)

    return wrapper


# CreateService parameters moto's response reads itself; every other one it silently dropped (UpdateService keeps
# them all), so healthCheckGracePeriodSeconds, deploymentConfiguration (circuit breaker, min/max percent),
# enableExecuteCommand ... read back empty after a create and the next plan wanted to change them.
_CREATE_PARAMS_MOTO_READS = {
    "cluster",
    "serviceName",
    "taskDefinition",
    "desiredCount",
    "loadBalancers",
    "schedulingStrategy",
    "serviceRegistries",
    "tags",
    "deploymentController",
    "launchType",
    "platformVersion",
    "propagateTags",
    "networkConfiguration",
    "role",
    "clientToken",
}
# UpdateService parameters that start a new deployment (desiredCount alone only scales the current one).
_NEW_DEPLOYMENT_PARAMS = {
    "task_definition",
    "network_configuration",
    "load_balancers",
    "platform_version",
    "capacity_provider_strategy",
    "service_registries",
}


def _ecs_backend(account: str, region: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account][region]


def _rollout(service: Any) -> dict[str, dict[str, Any]]:
    """Per deployment id: when it started (monotonic), so it settles PLATFORMCTL_SANDBOX_ECS_DELAY later."""
    if not hasattr(service, "_sandbox_rollout"):
        service._sandbox_rollout = {}
    return service._sandbox_rollout


def _event(service: Any, message: str) -> None:
    service.events.insert(
        0, {"id": str(uuid.uuid4()), "createdAt": _now(), "message": f"(service {service.name}) {message}"}
    )
    del service.events[100:]


def _circuit_breaker(service: Any) -> dict[str, Any]:
    return (getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}


def _deployment_alarms(service: Any) -> dict[str, Any]:
    alarms = (getattr(service, "deployment_configuration", None) or {}).get("alarms") or {}
    return alarms if alarms.get("enable") and alarms.get("alarmNames") else {}


def _alarms_in_alarm(service: Any, names: list[str]) -> list[str]:
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch = cloudwatch_backends[service.arn.split(":")[4]][service.region_name]
    return [a.name for a in cloudwatch.get_alarms_by_alarm_names(names) if a.state_value == "ALARM"]


def _new_deployment(service: Any, reason: str = "") -> dict[str, Any]:
    for deployment in service.deployments:
        if deployment.get("status") == "PRIMARY":
            deployment["status"] = "ACTIVE"
    deployment_id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
    now = _now()
    network = getattr(service, "network_configuration", None) or None
    deployment = {
        "id": deployment_id,
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": service.desired_count,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": "1.4.0" if service.platform_version in (None, "LATEST") else service.platform_version,
        "platformFamily": "Linux",
        "networkConfiguration": network,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": reason or f"ECS deployment {deployment_id} in progress.",
    }
    service.deployments.insert(0, deployment)
    _rollout(service)[deployment_id] = {"started": time.monotonic()}
    _refresh_counts(service)
    return deployment


def _service_tasks(backend: Any, service: Any, deployment_id: str | None = None, running: bool = True) -> list[Any]:
    tasks = backend.tasks.get(service.cluster_name, {}).values()
    return [
        t
        for t in tasks
        if t.group == f"service:{service.name}"
        and (deployment_id is None or t.started_by == deployment_id)
        and (not running or t.desired_status == "RUNNING")
    ]


def _refresh_counts(service: Any) -> None:
    backend = service._backend
    for deployment in service.deployments:
        running = len(_service_tasks(backend, service, deployment["id"]))
        deployment["runningCount"] = running
        if deployment["rolloutState"] == "IN_PROGRESS":
            deployment["pendingCount"] = max(deployment["desiredCount"] - running, 0)
        else:
            deployment["pendingCount"] = 0
    service.running_count = sum(d["runningCount"] for d in service.deployments)
    service.pending_count = sum(d["pendingCount"] for d in service.deployments)


def _essential_images(backend: Any, task_definition_arn: str) -> list[str]:
    task_definition = backend.describe_task_definition(task_definition_arn)
    return [c.get("image", "") for c in task_definition.container_definitions if c.get("essential", True)]


def _target_groups(service: Any) -> list[tuple[Any, int]]:
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[service._account_id][service.region_name]
    found = []
    for lb in service.load_balancers or []:
        group = elbv2.target_groups.get(lb.get("targetGroupArn", ""))
        if group is not None:
            found.append((group, int(lb.get("containerPort") or group.port or 80)))
    return found


def _task_ip(task: Any) -> str | None:
    for attachment in task.attachments:
        for detail in attachment.get("details", []):
            if detail["name"] == "privateIPv4Address":
                return detail["value"]
    return None


class _WithoutNetwork:
    """A task definition as moto's Task constructor sees it: everything but awsvpc (the sandbox attaches the ENI)."""

    network_mode = "none"

    def __init__(self, task_definition: Any) -> None:
        self._task_definition = task_definition

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task_definition, name)


def _start_task(backend: Any, service: Any, deployment: dict[str, Any], index: int, fail_reason: str = "") -> Any:
    """One Fargate task of the deployment: its ENI in the service's subnets (round robin), an address inside the
    subnet; RUNNING and registered with the target groups, or STOPPED with fail_reason."""
    from moto.ec2.models import ec2_backends
    from moto.ecs.models import Task

    cluster = backend._get_cluster(service.cluster_name)
    task_definition = backend.describe_task_definition(deployment["taskDefinition"])
    network = dict(getattr(service, "network_configuration", None) or {})
    awsvpc = dict(network.get("awsvpcConfiguration") or {})
    subnets = awsvpc.get("subnets") or []
    if task_definition.network_mode == "awsvpc" and subnets:
        awsvpc["subnets"] = [subnets[index % len(subnets)]]
        network = {"awsvpcConfiguration": awsvpc}
    # moto's Task would make its own ENI (an address anywhere in 10/8, and a crash when the VPC has no DNS
    # hostnames); the sandbox attaches one as ECS does: in the subnet, with the service's security groups.
    task = Task(
        cluster,
        _WithoutNetwork(task_definition),
        None,
        None,
        backend=backend,
        group=f"service:{service.name}",
        launch_type=service.launch_type or "FARGATE",
        started_by=deployment["id"],
        tags=list(service.tags) if getattr(service, "propagate_tags", "NONE") == "SERVICE" else [],
        platform_version=deployment["platformVersion"],
        capacity_provider_name=None,
    )
    task._transitions = []  # moto's default "immediate" progression would report RUNNING tasks as STOPPED
    if task_definition.network_mode == "awsvpc" and subnets:
        task.network_configuration = network
        ec2 = ec2_backends[service._account_id][service.region_name]
        attachment_id = str(uuid.uuid4())
        eni = ec2.create_network_interface(
            subnet=awsvpc["subnets"][0],
            private_ip_address=None,
            group_ids=awsvpc.get("securityGroups") or [],
            description=f"arn:aws:ecs:{service.region_name}:{service._account_id}:attachment/{attachment_id}",
        )
        eni.status = "in-use"
        eni.device_index = 0
        dns = (
            getattr(eni, "private_dns_name", None)
            or f"ip-{eni.private_ip_address.replace('.', '-')}.{service.region_name}.compute.internal"
        )
        task.attachments.append(
            {
                "id": attachment_id,
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": awsvpc["subnets"][0]},
                    {"name": "networkInterfaceId", "value": eni.id},
                    {"name": "macAddress", "value": eni.mac_address},
                    {"name": "privateDnsName", "value": dns},
                    {"name": "privateIPv4Address", "value": eni.private_ip_address},
                ],
            }
        )
    now = _now()
    task.created_at = now
    for container in task.containers:
        container.network_interfaces = [
            {"attachmentId": a["id"], "privateIpv4Address": _task_ip(task)} for a in task.attachments
        ]
    if fail_reason:
        _stop_task(task, fail_reason, stop_code="TaskFailedToStart")
        for container in task.containers:
            container.reason = fail_reason
    else:
        task.last_status = "RUNNING"
        task.desired_status = "RUNNING"
        task.started_at = now
        task.pull_started_at = task.pull_stopped_at = now
        task.health_status = "UNKNOWN"
        task.connectivity = "CONNECTED"
        task.connectivity_at = now
        for container in task.containers:
            container.last_status = "RUNNING"
        ip = _task_ip(task)
        if ip:
            for group, port in _target_groups(service):
                group.register([{"Id": ip, "Port": port}])
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task


def _stop_task(task: Any, reason: str, stop_code: str = "ServiceSchedulerInitiated") -> None:
    from moto.ec2.models import ec2_backends

    now = _now()
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = stop_code
    task.stopping_at = task.stopped_at = task.execution_stopped_at = now
    for container in task.containers:
        container.last_status = "STOPPED"
        container.exit_code = 1 if stop_code == "TaskFailedToStart" else 0
    ec2 = ec2_backends[task._account_id][task.region_name]
    for attachment in task.attachments:
        attachment["status"] = "DELETED"
        for detail in attachment["details"]:
            if detail["name"] == "networkInterfaceId" and detail["value"] in ec2.enis:
                ec2.delete_network_interface(detail["value"])


def _stop_and_deregister(backend: Any, service: Any, tasks: list[Any], reason: str) -> None:
    groups = _target_groups(service)
    for task in tasks:
        ip = _task_ip(task)
        for group, _port in groups:
            if ip and ip in group.targets:
                group.deregister([{"Id": ip}])
        _stop_task(task, reason)


def _settle_service(backend: Any, service: Any) -> None:
    if service.status != "ACTIVE" or not service.deployments:
        return
    rollout = _rollout(service)
    primary = service.deployments[0]
    if primary["status"] != "PRIMARY":
        return
    started = rollout.get(primary["id"], {}).get("started")
    baking_until = rollout.get(primary["id"], {}).get("baking_until")
    if primary["rolloutState"] == "IN_PROGRESS" and baking_until is not None:
        alarms = _deployment_alarms(service)
        firing = _alarms_in_alarm(service, alarms.get("alarmNames", [])) if alarms else []
        if firing:
            _fail_on_alarm(backend, service, primary, firing, rollback=bool(alarms.get("rollback")))
        elif time.monotonic() >= baking_until:
            _finish_deployment(backend, service, primary)
    elif primary["rolloutState"] == "IN_PROGRESS":
        if started is None or time.monotonic() - started < _settle_delay():
            return
        missing = [image for image in _essential_images(backend, primary["taskDefinition"]) if not image_exists(image)]
        if missing:
            _fail_deployment(backend, service, primary, missing[0])
        else:
            _complete_deployment(backend, service, primary)
    elif primary["rolloutState"] == "COMPLETED":
        _scale(backend, service, primary)
    _refresh_counts(service)


def _scale(backend: Any, service: Any, deployment: dict[str, Any]) -> None:
    """A completed deployment follows desiredCount (auto scaling, UpdateService --desired-count)."""
    deployment["desiredCount"] = service.desired_count
    running = _service_tasks(backend, service, deployment["id"])
    if len(running) < service.desired_count:
        started = [_start_task(backend, service, deployment, i) for i in range(len(running), service.desired_count)]
        _event(service, f"has started {len(started)} tasks: {' '.join(f'(task {t.id})' for t in started)}.")
    elif len(running) > service.desired_count:
        extra = running[service.desired_count :]
        _stop_and_deregister(backend, service, extra, f"Scaling activity initiated by (deployment {deployment['id']})")
        _event(service, f"has stopped {len(extra)} running tasks: {' '.join(f'(task {t.id})' for t in extra)}.")


def _complete_deployment(backend: Any, service: Any, primary: dict[str, Any]) -> None:
    started = [_start_task(backend, service, primary, i) for i in range(primary["desiredCount"])]
    if started:
        _event(service, f"has started {len(started)} tasks: {' '.join(f'(task {t.id})' for t in started)}.")
        for group, _port in _target_groups(service):
            _event(service, f"registered {len(started)} targets in (target-group {group.arn})")
    old = [d for d in service.deployments if d is not primary]
    for deployment in old:
        tasks = _service_tasks(backend, service, deployment["id"])
        _stop_and_deregister(backend, service, tasks, f"Scaling activity initiated by (deployment {primary['id']})")
        if tasks:
            _event(service, f"has stopped {len(tasks)} running tasks: {' '.join(f'(task {t.id})' for t in tasks)}.")
    if _deployment_alarms(service) and any(d.get("rolloutState") == "COMPLETED" for d in old):
        # Bake time: the old version is scaled in but kept, so an alarm can still send the service back to it.
        _rollout(service)[primary["id"]]["baking_until"] = time.monotonic() + _bake_time()
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} in progress: bake time."
        primary["updatedAt"] = _now()
        return
    _finish_deployment(backend, service, primary)


def _finish_deployment(backend: Any, service: Any, primary: dict[str, Any]) -> None:
    for deployment in service.deployments:
        if deployment is not primary:
            _rollout(service).pop(deployment["id"], None)
    _rollout(service).get(primary["id"], {}).pop("baking_until", None)
    service.deployments[:] = [primary]
    primary["rolloutState"] = "COMPLETED"
    primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
    primary["updatedAt"] = _now()
    _event(service, f"deployment {primary['id']} deployment completed.")
    _event(service, "has reached a steady state.")


def _fail_deployment(backend: Any, service: Any, primary: dict[str, Any], image: str) -> None:
    reason = (
        f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
        f"{image}: {image}: not found"
    )
    failures = max(CIRCUIT_BREAKER_MIN_FAILURES, min(200, -(-primary["desiredCount"] // 2)))
    breaker = _circuit_breaker(service)
    count = failures if breaker.get("enable") else max(primary["desiredCount"], 1)
    stopped = [_start_task(backend, service, primary, i, fail_reason=reason) for i in range(count)]
    primary["failedTasks"] += len(stopped)
    primary["updatedAt"] = _now()
    for task in stopped:
        _event(service, f"has started 1 tasks: (task {task.id}).")
        _event(service, f"task {task.id} failed to start: {reason}")
    if not breaker.get("enable"):
        # No circuit breaker: ECS keeps retrying; the sandbox restarts the clock, so the deployment stays IN_PROGRESS.
        _rollout(service)[primary["id"]] = {"started": time.monotonic()}
        return
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = (
        f"ECS deployment circuit breaker: tasks failed to start. "
        f"{primary['failedTasks']} tasks failed, threshold {failures}."
    )
    _event(service, f"deployment {primary['id']} deployment failed: tasks failed to start.")
    previous = next((d for d in service.deployments[1:] if d.get("rolloutState") == "COMPLETED"), None)
    if breaker.get("rollback") and previous is not None:
        # Roll back: the last completed deployment serves again; the failed one is gone once its tasks are.
        service.deployments[:] = [d for d in service.deployments if d is previous]
        previous["status"] = "PRIMARY"
        previous["updatedAt"] = _now()
        service.task_definition = previous["taskDefinition"]
        _rollout(service).pop(primary["id"], None)
        _event(service, f"deployment circuit breaker: rolling back to deploymentId {previous['id']}.")
        _event(service, "has reached a steady state.")


def _fail_on_alarm(backend: Any, service: Any, primary: dict[str, Any], firing: list[str], *, rollback: bool) -> None:
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = f"ECS deployment alarms: alarm(s) {', '.join(firing)} in ALARM state."
    primary["updatedAt"] = _now()
    _rollout(service).get(primary["id"], {}).pop("baking_until", None)
    _event(service, f"deployment {primary['id']} deployment failed: alarm(s) detected: {', '.join(firing)}.")
    previous = next((d for d in service.deployments[1:] if d.get("rolloutState") == "COMPLETED"), None)
    if not rollback or previous is None:
        service.deployments[:] = [primary]
        return
    tasks = _service_tasks(backend, service, primary["id"])
    _stop_and_deregister(backend, service, tasks, f"Deployment failed: rolling back to (deployment {previous['id']})")
    restarted = [_start_task(backend, service, previous, i) for i in range(previous["desiredCount"])]
    service.deployments[:] = [previous]
    previous["status"] = "PRIMARY"
    previous["updatedAt"] = _now()
    service.task_definition = previous["taskDefinition"]
    _rollout(service).pop(primary["id"], None)
    _event(service, f"deployment alarms: rolling back to deploymentId {previous['id']}.")
    if restarted:
        _event(service, f"has started {len(restarted)} tasks: {' '.join(f'(task {t.id})' for t in restarted)}.")
    _event(service, "has reached a steady state.")


def _settle(account: str, region: str) -> None:
    """Move every service of one account and region along (called before every read, under the lock)."""
    backend = _ecs_backend(account, region)
    for service in list(backend.services.values()):
        if service.deployment_controller.get("type", "ECS") == "ECS":
            _settle_service(backend, service)


@contextlib.contextmanager
def settled(account: str, region: str) -> Iterator[None]:
    """Hold the ECS lock with every service of the account and region settled: wrap a read of what ECS runs."""
    with _LOCK:
        _settle(account, region)
        yield


@install_once
def install() -> None:
    """Patch moto's ECS backend and responses in this process: services run tasks as ECS's scheduler does."""
    from moto.core.utils import camelcase_to_underscores
    from moto.ecs.models import EC2ContainerServiceBackend as Backend
    from moto.ecs.responses import EC2ContainerServiceResponse as Response

    create_service, update_service = Backend.create_service, Backend.update_service
    delete_service, create_response = Backend.delete_service, Response.create_service

    def patched_create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = create_service(self, *args, **kwargs)
        if service.deployment_controller.get("type", "ECS") == "ECS":
            service.deployments = []
            service.running_count = service.pending_count = 0
            _new_deployment(service)
        return service

    def patched_update_service(self: Any, properties: dict[str, Any]) -> Any:
        cluster = properties.get("cluster", "default")
        name = properties.get("service", "").split("/")[-1]
        before = self._get_service(cluster, name)
        old = {key: getattr(before, key, None) for key in _NEW_DEPLOYMENT_PARAMS}
        force = bool(properties.get("force_new_deployment"))
        changed = {key for key in _NEW_DEPLOYMENT_PARAMS if properties.get(key) is not None}
        task_definition = properties.get("task_definition")  # moto pops it
        service = update_service(self, properties)
        if service.deployment_controller.get("type", "ECS") != "ECS":
            return service
        if task_definition:  # moto keeps whatever was passed (family, family:rev); ECS stores the full ARN
            service.task_definition = self.describe_task_definition(task_definition).arn
        differs = any(getattr(service, key, None) != old[key] for key in changed)
        if force or differs or not service.deployments:
            _new_deployment(service)
        _refresh_counts(service)  # moto's update set runningCount = desiredCount; the tasks say otherwise
        return service

    def patched_delete_service(self: Any, cluster_name: str, service_name: str, force: bool) -> Any:
        service = self._get_service(cluster_name, service_name)
        if service.desired_count > 0 and not force:
            return delete_service(self, cluster_name, service_name, force)  # moto's refusal, unchanged
        tasks = _service_tasks(self, service)
        _stop_and_deregister(self, service, tasks, "Service deletion")
        deleted = delete_service(self, cluster_name, service_name, force)
        _refresh_counts(deleted)
        return deleted

    def patched_create_response(self: Any) -> Any:
        result = create_response(self)
        service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
        for key, value in self._get_params().items():
            if key not in _CREATE_PARAMS_MOTO_READS and value is not None:
                setattr(service, camelcase_to_underscores(key), value)
        return result

    for name, fn in (
        ("create_service", patched_create_service),
        ("update_service", patched_update_service),
        ("delete_service", patched_delete_service),
    ):
        setattr(Backend, name, _locked(fn))
    Response.create_service = _locked(patched_create_response)

    # Reads settle first: services and tasks here, target health in elbv2.py.
    for name in ("describe_services", "list_services", "describe_tasks", "list_tasks"):
        original = getattr(Backend, name)

        def reader(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with settled(self.account_id, self.region_name):
                return __original(self, *args, **kwargs)

        setattr(Backend, name, functools.wraps(original)(reader))
