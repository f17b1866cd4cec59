"""Every patched service is one module with one idempotent install(), and the server installs them all
(platform_cli/sandbox/services/, patching.py, server.py). Runs in a child process: patching moto here would change
it for every other test in this one."""

from __future__ import annotations

import subprocess
import sys

CHECK = r"""
import pkgutil

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.ec2.models.security_groups import SecurityGroupBackend, SecurityGroupRule
from moto.ecr.models import ECRBackend
from moto.ecr.responses import ECRResponse
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.elbv2.models import ELBv2Backend
from moto.s3.models import FakeBucket

from platform_cli.sandbox import server, services, wire

PATCHED = [
    ApplicationAutoScalingResponse, SecurityGroupBackend, SecurityGroupRule, ECRBackend, ECRResponse,
    EC2ContainerServiceBackend, EC2ContainerServiceResponse, ELBv2Backend, FakeBucket,
]
snapshot = lambda: {(cls.__name__, k): v for cls in PATCHED for k, v in vars(cls).items()}

modules = {info.name for info in pkgutil.iter_modules(services.__path__)}
installed = {s.__name__.rsplit(".", 1)[1] for s in server.SERVICES}
assert modules <= installed and installed - modules == {"accounts", "oidc"}, (modules, server.SERVICES)

before = snapshot()
for service in server.SERVICES:
    service.install()
once, fixes, routes = snapshot(), list(wire.FIXES), dict(wire.ROUTES)
assert once != before and fixes and routes, "install() patched nothing"
for service in server.SERVICES:
    service.install()
assert snapshot() == once, "a second install() patched again"
assert wire.FIXES == fixes and wire.ROUTES == routes, "a second install() registered its wire fixes again"
print("ok")
"""


def test_every_service_module_is_installed_once_by_the_server():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr
