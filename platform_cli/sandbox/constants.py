"""What the sandbox's parts agree on: where it listens, its special paths, its state bucket, its knobs.

The server, the manager and the service modules all read these here, so no part imports another for a name.
"""

from __future__ import annotations

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 4566
DEFAULT_REGION = "us-east-1"
EXIT_PORT_IN_USE = 98  # errno EADDRINUSE, so the manager can say exactly what went wrong

HEALTH_PATH = "/_sandbox/health"  # answers with the process's identity (server.py)
LAYER_PATH = "/_sandbox/ecr-layers/"  # + account/region/digest/repository: ECR layer downloads (services/ecr.py)

SANDBOX_STATE_BUCKET = "platformctl-sandbox-state"  # Terraform's S3 backend; created on every start

# Seconds an operation stays in progress before it settles (each default 0.5).
APPRUNNER_DELAY_ENVVAR = "PLATFORMCTL_SANDBOX_APPRUNNER_DELAY"
APPRUNNER_DEPRECATED_DELAY_ENVVAR = "PLATFORM_SANDBOX_APPRUNNER_DELAY"  # the old name; still read, with a warning
ECS_DELAY_ENVVAR = "PLATFORMCTL_SANDBOX_ECS_DELAY"
ECS_BAKE_ENVVAR = "PLATFORMCTL_SANDBOX_ECS_BAKE"  # seconds a deployment with deployment alarms bakes
