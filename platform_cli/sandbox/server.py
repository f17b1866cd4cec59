"""The sandbox process: moto's server and the App Runner emulator on one loopback port.

    python -m platform_cli.sandbox.server --port 4566

Every request goes to moto's own dispatcher except App Runner's (X-Amz-Target AppRunner.* or signed for the
"apprunner" service), which go to platform_cli.sandbox.apprunner. GET /_sandbox/health answers with this
process's identity so the manager can tell our sandbox from anything else that happens to hold the port.
The process composes the sandbox: it installs every service module in SERVICES (moto patches, wire fixes around
moto's app, routes such as ECR's layer downloads) before it serves. On start it creates its Terraform state
bucket, so a fresh sandbox means fresh world and state.
/_sandbox/oidc/... is GitHub Actions' OIDC issuer (platform_cli.sandbox.oidc), whose tokens STS verifies; with
--enforce-iam every other principal is held to its policies (platform_cli.sandbox.iam).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from werkzeug.serving import make_server

from . import accounts, oidc, wire
from .constants import DEFAULT_PORT, DEFAULT_REGION, EXIT_PORT_IN_USE, HEALTH_PATH, LOOPBACK, SANDBOX_STATE_BUCKET
from .faults import FAULTS_ENVVAR, parse_rate
from .faults import wrap as wrap_faults
from .iam import MODE_ENVVAR as IAM_MODE_ENVVAR
from .iam import parse_mode as parse_iam_mode
from .retries import ReplayRetriedInvocations
from .services import applicationautoscaling, cloudwatch, ec2, ecr, ecs, elbv2, logs, s3

# Every patched AWS service, installed in this order when the sandbox starts; a new service module goes here.
SERVICES = (accounts, s3, ecr, ecs, elbv2, ec2, applicationautoscaling, cloudwatch, logs, oidc)


def _is_apprunner(environ: dict[str, Any]) -> bool:
    from .apprunner.urls import SIGNING_NAME, TARGET_PREFIX

    if environ.get("HTTP_X_AMZ_TARGET", "").startswith(TARGET_PREFIX):
        return True
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return f"/{SIGNING_NAME}/aws4_request" in auth


def _apprunner_app() -> Any:
    from flask import Flask
    from moto.core.utils import convert_to_flask_response
    from moto.moto_server.werkzeug_app import HTTP_METHODS, BackendRequest

    from .apprunner.urls import url_paths

    app = Flask("platform_cli.sandbox.apprunner")
    app.request_class = BackendRequest
    # JSON-protocol services have one path ("{0}/$" in moto's regex syntax): the root.
    for index, handler in enumerate(url_paths.values()):
        app.add_url_rule(
            "/",
            endpoint=f"apprunner{index}",
            view_func=convert_to_flask_response(handler),
            methods=HTTP_METHODS,
            strict_slashes=False,
        )
    return app


class SandboxApplication:
    """WSGI entry point: health check, the services' own routes, App Runner, then moto (with the services' wire
    fixes around it)."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        for service in SERVICES:
            service.install()
        self.started_at = time.time()
        # App Runner's calls start operations: a retry of one already carried out must not fail (retries.py).
        self.apprunner = ReplayRetriedInvocations(_apprunner_app())
        self.moto = wire.FidelityMiddleware(DomainDispatcherApplication(create_backend_app))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps(
                {"service": "platformctl-sandbox", "pid": os.getpid(), "started_at": self.started_at}
            ).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        route = wire.route_for(environ.get("PATH_INFO", ""))
        if route is not None:
            return route(environ, start_response)
        if _is_apprunner(environ):
            return self.apprunner(environ, start_response)
        return self.moto(environ, start_response)


def create_state_bucket() -> None:
    """The bucket Terraform's S3 backend keeps sandbox state in; versioned, like a real state bucket should be."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    # The account every request lands in unless its access key says otherwise (MOTO_ACCOUNT_ID, as moto reads it).
    account = os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    backend = s3_backends[account]["aws"]
    backend.create_bucket(SANDBOX_STATE_BUCKET, DEFAULT_REGION)
    backend.put_bucket_versioning(SANDBOX_STATE_BUCKET, "Enabled")


LINGER_SECONDS = 2.0


def _lingering_close(request: socket.socket) -> None:
    """Close a connection the way servers that close after every answer must (Apache's "lingering close"):
    werkzeug answers `Connection: close` and closes at once, and a socket closed with request bytes still unread
    sends a TCP reset, which can reach the client before it has read the answer. The client then sees "connection
    reset" for a request that was carried out, and its SDK retries it: the likely cause of a CreateService that
    succeeded and was then answered "already exists" (server.log of a `make test` run). Here the answer is followed
    by FIN, and the socket is drained until the client closes its side, so the answer arrives whole."""
    try:
        request.shutdown(socket.SHUT_WR)
        request.settimeout(LINGER_SECONDS)
        while request.recv(65536):
            pass
    except OSError:
        pass
    finally:
        request.close()


def serve(
    port: int, host: str = LOOPBACK, enforce_iam: str = "off", iam_log: str | None = None, faults: float = 0.0
) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from .iam.enforcement import install as install_iam_enforcement

    app = SandboxApplication()
    install_iam_enforcement(enforce_iam, iam_log)  # a no-op unless enforcement was asked for
    try:
        server = make_server(host, port, wrap_faults(app, faults), threaded=True, request_handler=MotoRequestHandler)
    except (OSError, SystemExit):  # werkzeug reports a taken port itself and exits 1; say it our way
        print(f"sandbox: cannot listen on {host}:{port}: address already in use", file=sys.stderr)
        sys.exit(EXIT_PORT_IN_USE)
    server.shutdown_request = _lingering_close  # type: ignore[method-assign,assignment]
    create_state_bucket()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sandbox: listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platform_cli.sandbox.server", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"loopback port to listen on (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--enforce-iam",
        default=os.environ.get(IAM_MODE_ENVVAR, ""),
        help=f"hard (refuse what AWS would), soft (log only) or off (default; env {IAM_MODE_ENVVAR})",
    )
    parser.add_argument("--iam-log", default=None, help="file for the IAM decision log (JSON lines)")
    parser.add_argument(
        "--faults",
        default=os.environ.get(FAULTS_ENVVAR, ""),
        help=f"share of calls answered with throttling and 5xx errors, e.g. 0.05 (default 0; env {FAULTS_ENVVAR})",
    )
    args = parser.parse_args(argv)
    try:
        mode = parse_iam_mode(args.enforce_iam)
        rate = parse_rate(args.faults)
    except ValueError as error:
        parser.error(str(error))
    serve(args.port, enforce_iam=mode, iam_log=args.iam_log, faults=rate)


if __name__ == "__main__":
    main()
