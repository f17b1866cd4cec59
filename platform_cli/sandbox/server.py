"""The sandbox process: moto's server and the App Runner emulator on one loopback port.

    python -m platform_cli.sandbox.server --port 4566

Every request goes to moto's own dispatcher except App Runner's (X-Amz-Target AppRunner.* or signed for the
"apprunner" service), which go to platform_cli.sandbox.apprunner. GET /_sandbox/health answers with this
process's identity so the manager can tell our sandbox from anything else that happens to hold the port.
GET /_sandbox/ecr-layers/... serves ECR layer bytes, standing in for the presigned S3 URL of GetDownloadUrlForLayer.
/_sandbox/oidc/... is GitHub Actions' OIDC issuer (platform_cli.sandbox.oidc), whose tokens STS verifies.
On start the process creates its Terraform state bucket, so a fresh sandbox means fresh world and state.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

from werkzeug.serving import make_server

from .iam import MODE_ENVVAR as IAM_MODE_ENVVAR
from .iam import parse_mode as parse_iam_mode
from .oidc import PATH_PREFIX as OIDC_PATH

HEALTH_PATH = "/_sandbox/health"
LAYER_PATH = "/_sandbox/ecr-layers/"  # + account/region/digest/repository: fidelity_ecr's download URLs
SANDBOX_STATE_BUCKET = "platformctl-sandbox-state"
LOOPBACK = "127.0.0.1"
EXIT_PORT_IN_USE = 98  # errno EADDRINUSE, so the manager can say exactly what went wrong


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
    """WSGI entry point: health check, App Runner, then moto (with the sandbox's fidelity fixes around it)."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from . import oidc
        from .fidelity import FidelityMiddleware, install_model_patches
        from .services import logs

        install_model_patches()
        oidc.install()  # the issuer's key pair, and STS's AssumeRoleWithWebIdentity checks
        logs.install()  # EMF lines become metrics; metric alarms evaluate (services/cloudwatch.py)
        self.started_at = time.time()
        self.apprunner = _apprunner_app()
        self.moto = FidelityMiddleware(DomainDispatcherApplication(create_backend_app))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps(
                {"service": "platformctl-sandbox", "pid": os.getpid(), "started_at": self.started_at}
            ).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ.get("PATH_INFO", "").startswith(LAYER_PATH):
            from .fidelity_ecr import serve_layer

            return serve_layer(environ, start_response)
        if environ.get("PATH_INFO", "").startswith(OIDC_PATH):
            from .oidc.endpoints import handle

            return handle(environ, start_response)
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
    backend.create_bucket(SANDBOX_STATE_BUCKET, "us-east-1")
    backend.put_bucket_versioning(SANDBOX_STATE_BUCKET, "Enabled")


def serve(port: int, host: str = LOOPBACK, enforce_iam: str = "off", iam_log: str | None = None) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from .iam.enforcement import install as install_iam_enforcement

    app = SandboxApplication()
    install_iam_enforcement(enforce_iam, iam_log)  # a no-op unless enforcement was asked for
    try:
        server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    except (OSError, SystemExit):  # werkzeug reports a taken port itself and exits 1; say it our way
        print(f"sandbox: cannot listen on {host}:{port}: address already in use", file=sys.stderr)
        sys.exit(EXIT_PORT_IN_USE)
    create_state_bucket()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sandbox: listening on http://{host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m platform_cli.sandbox.server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=4566, help="loopback port to listen on (default 4566)")
    parser.add_argument(
        "--enforce-iam",
        default=os.environ.get(IAM_MODE_ENVVAR, ""),
        help=f"hard (refuse what AWS would), soft (log only) or off (default; env {IAM_MODE_ENVVAR})",
    )
    parser.add_argument("--iam-log", default=None, help="file for the IAM decision log (JSON lines)")
    args = parser.parse_args(argv)
    try:
        mode = parse_iam_mode(args.enforce_iam)
    except ValueError as error:
        parser.error(str(error))
    serve(args.port, enforce_iam=mode, iam_log=args.iam_log)


if __name__ == "__main__":
    main()
