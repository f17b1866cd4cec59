"""A small model-serving app: loads one exact model version from the artifact store (S3) and serves predictions.

    GET  /health    200 {"status": "ok", ...} once the model is loaded, 503 {"status": "loading"} before
    POST /predict   {"features": [x1, x2, ...]}  ->  {"prediction": w.x + b, "model": {...}}

The model is a linear model stored as JSON: {"weights": [w1, w2, ...], "bias": b}. The platform hands the service
the object to load through the environment (see README.md):

    MODEL_ARTIFACT_BUCKET, MODEL_ARTIFACT_KEY   where the model lives
    MODEL_ARTIFACT_VERSION_ID                   the exact S3 object version (always passed to GetObject)
    MODEL_ARTIFACT_SHA256                       sha256 hex the object body must have, or the app refuses to serve
    PORT (default 8080; 0 picks a free port), HOST (default 0.0.0.0)
    METRICS_NAMESPACE, METRICS_ENVIRONMENT      optional: report what it predicts as CloudWatch EMF lines on stdout
    MODEL_VALID_MIN, MODEL_VALID_MAX            optional: the valid output range (a business rule per environment)

POST /predict also takes a batch, {"instances": [[x1, ...], ...]} -> {"predictions": [...], "model": {...}}.

boto3 reads AWS_ENDPOINT_URL itself, so the same code runs against a local emulator. Standard library plus boto3
only; every log record is one JSON line on stderr, and nothing from the environment but the names above is logged.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_PORT = 8080
MAX_BODY_BYTES = 1 << 20  # a /predict request larger than 1 MiB is refused with 413
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
REQUIRED_ENV = ("MODEL_ARTIFACT_BUCKET", "MODEL_ARTIFACT_KEY", "MODEL_ARTIFACT_VERSION_ID", "MODEL_ARTIFACT_SHA256")


def log(event: str, **fields: Any) -> None:
    """One JSON line per event on stderr (where App Runner and ECS collect container logs)."""
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, **fields}
    sys.stderr.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
    sys.stderr.flush()


class Refusal(Exception):
    """The app will not serve: a missing setting, an unreadable artifact, a checksum or format mismatch."""


# ---------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class ArtifactRef:
    bucket: str
    key: str
    version_id: str
    sha256: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ArtifactRef:
        environ = os.environ if environ is None else environ
        missing = [name for name in REQUIRED_ENV if not environ.get(name, "").strip()]
        if missing:
            raise Refusal(
                f"missing environment variable(s) {', '.join(missing)}: the platform sets them from the "
                "environment's release (image digest + model key@version)"
            )
        sha256 = environ["MODEL_ARTIFACT_SHA256"].strip().lower()
        if not SHA256_HEX.match(sha256):
            raise Refusal("MODEL_ARTIFACT_SHA256 must be 64 hex characters (the sha256 of the model object)")
        return cls(
            bucket=environ["MODEL_ARTIFACT_BUCKET"].strip(),
            key=environ["MODEL_ARTIFACT_KEY"].strip(),
            version_id=environ["MODEL_ARTIFACT_VERSION_ID"].strip(),
            sha256=sha256,
        )

    def describe(self) -> dict[str, str]:
        return {"bucket": self.bucket, "key": self.key, "version_id": self.version_id, "sha256": self.sha256}


@dataclass(frozen=True)
class LinearModel:
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_json(cls, body: bytes) -> LinearModel:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise Refusal(f"the model artifact is not JSON ({exc.__class__.__name__})") from None
        if not isinstance(data, dict):
            raise Refusal('the model artifact must be a JSON object {"weights": [...], "bias": number}')
        weights, bias = data.get("weights"), data.get("bias", 0.0)
        if not isinstance(weights, list) or not weights or not all(_is_number(w) for w in weights):
            raise Refusal('the model artifact\'s "weights" must be a non-empty list of finite numbers')
        if not _is_number(bias):
            raise Refusal('the model artifact\'s "bias" must be a finite number')
        return cls(weights=tuple(float(w) for w in weights), bias=float(bias))

    def predict(self, features: list[float]) -> float:
        return math.fsum(w * x for w, x in zip(self.weights, features, strict=False)) + self.bias


def parse_features(body: bytes, expected: int) -> list[float]:
    """The `features` of a /predict request, or ValueError with a message fit for the client."""
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError('the request body must be JSON: {"features": [numbers]}') from None
    if not isinstance(data, dict) or "features" not in data:
        raise ValueError('the request body must be a JSON object with "features": [numbers]')
    features = data["features"]
    if not isinstance(features, list) or not all(_is_number(x) for x in features):
        raise ValueError('"features" must be a list of finite numbers')
    if len(features) != expected:
        raise ValueError(
            f'"features" must hold {expected} numbers (the model has {expected} weights), got {len(features)}'
        )
    return [float(x) for x in features]


def load_model(ref: ArtifactRef, s3_client: Any = None) -> LinearModel:
    """GetObject of exactly ref.version_id, checked against ref.sha256 before it is parsed."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = s3_client or boto3.client("s3")
    location = f"s3://{ref.bucket}/{ref.key} version {ref.version_id}"
    try:
        response = client.get_object(Bucket=ref.bucket, Key=ref.key, VersionId=ref.version_id)
        body = response["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        raise Refusal(f"cannot read the model at {location}: {code}") from None
    except BotoCoreError as exc:
        raise Refusal(f"cannot read the model at {location}: {exc.__class__.__name__}: {exc}") from None
    if response.get("VersionId") not in (None, ref.version_id):  # an unversioned bucket answers "null"
        raise Refusal(f"S3 returned version {response.get('VersionId')} for {location}")
    actual = hashlib.sha256(body).hexdigest()
    if actual != ref.sha256:
        raise Refusal(
            f"sha256 mismatch for {location}: the object has {actual}, MODEL_ARTIFACT_SHA256 is "
            f"{ref.sha256}; refusing to serve a model other than the one the release names"
        )
    return LinearModel.from_json(body)


# ---------------------------------------------------------------------------------------------------------------
# What it predicts, as CloudWatch Embedded Metric Format
# ---------------------------------------------------------------------------------------------------------------

# EMF limits (CloudWatch Embedded Metric Format specification): at most 100 values in one metric's array, 100
# metrics per directive, 30 dimensions per dimension set. Two dimensions keep the custom-metric bill small: one
# metric per (environment, model version), whatever the traffic.
EMF_MAX_VALUES = 100
EMF_DIMENSIONS = ("Environment", "ModelVersion")
METRIC_PREDICTION = "Prediction"
METRIC_OUT_OF_RANGE = "PredictionOutOfRange"  # 1 per prediction outside the valid range, else 0: Average = share
METRIC_INVALID_INPUT = "InvalidInput"  # 1 per refused request, 0 per served one: Average = invalid-input rate


@dataclass(frozen=True)
class MetricsSettings:
    namespace: str
    environment: str
    valid_min: float | None = None
    valid_max: float | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> MetricsSettings | None:
        namespace = environ.get("METRICS_NAMESPACE", "").strip()
        if not namespace:
            return None
        bounds = {}
        for name in ("MODEL_VALID_MIN", "MODEL_VALID_MAX"):
            raw = environ.get(name, "").strip()
            try:
                bounds[name] = float(raw) if raw else None
            except ValueError:
                raise Refusal(f"{name} must be a number, got {raw!r}") from None
        return cls(
            namespace=namespace,
            environment=environ.get("METRICS_ENVIRONMENT", "").strip() or "unknown",
            valid_min=bounds["MODEL_VALID_MIN"],
            valid_max=bounds["MODEL_VALID_MAX"],
        )

    def out_of_range(self, value: float) -> bool:
        return (self.valid_min is not None and value < self.valid_min) or (
            self.valid_max is not None and value > self.valid_max
        )


def emf_lines(
    settings: MetricsSettings, model_version: str, predictions: list[float], *, invalid: bool = False, now_ms=None
) -> list[str]:
    """The EMF log lines for one request batch: its predictions (in arrays of at most 100 values, one line each),
    whether each is outside the valid range, and whether the request was refused as invalid input."""
    timestamp = int(time.time() * 1000) if now_ms is None else now_ms
    chunks = [predictions[i : i + EMF_MAX_VALUES] for i in range(0, len(predictions), EMF_MAX_VALUES)] or [[]]
    lines = []
    for index, chunk in enumerate(chunks):
        values: dict[str, Any] = {}
        if chunk:
            values[METRIC_PREDICTION] = chunk
            values[METRIC_OUT_OF_RANGE] = [1 if settings.out_of_range(v) else 0 for v in chunk]
        if index == 0:  # one invalid-input datum per request, not per chunk
            values[METRIC_INVALID_INPUT] = 1 if invalid else 0
        units = {METRIC_PREDICTION: "None", METRIC_OUT_OF_RANGE: "Count", METRIC_INVALID_INPUT: "Count"}
        document = {
            "_aws": {
                "Timestamp": timestamp,
                "CloudWatchMetrics": [
                    {
                        "Namespace": settings.namespace,
                        "Dimensions": [list(EMF_DIMENSIONS)],
                        "Metrics": [{"Name": name, "Unit": units[name]} for name in values],
                    }
                ],
            },
            "Environment": settings.environment,
            "ModelVersion": model_version,
            **values,
        }
        lines.append(json.dumps(document, separators=(",", ":")))
    return lines


_stdout_lock = threading.Lock()


def report(settings: MetricsSettings | None, model_version: str, predictions: list[float], invalid: bool) -> None:
    """EMF on stdout: App Runner and ECS (awslogs) send it to the service's log group, where CloudWatch turns it
    into metrics; JSON event logs stay on stderr."""
    if settings is None:
        return
    lines = emf_lines(settings, model_version, predictions, invalid=invalid)
    with _stdout_lock:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()


def parse_instances(body: bytes, expected: int) -> tuple[list[list[float]], bool]:
    """The feature rows of a /predict request, and whether it was a batch ("instances") or one row ("features")."""
    try:
        data = json.loads(body)
    except ValueError:
        raise ValueError('the request body must be JSON: {"features": [numbers]}') from None
    if isinstance(data, dict) and "instances" in data:
        rows = data["instances"]
        if not isinstance(rows, list) or not rows:
            raise ValueError('"instances" must be a non-empty list of feature lists')
        return [parse_features(json.dumps({"features": row}).encode(), expected) for row in rows], True
    return [parse_features(body, expected)], False


# ---------------------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------------------


class ServiceState:
    """What the handlers read: the model once it is loaded (None before), and where it came from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.model: LinearModel | None = None
        self.artifact: ArtifactRef | None = None
        self.metrics: MetricsSettings | None = None

    def loaded(self, model: LinearModel, artifact: ArtifactRef) -> None:
        with self._lock:
            self.model, self.artifact = model, artifact

    def snapshot(self) -> tuple[LinearModel | None, ArtifactRef | None]:
        with self._lock:
            return self.model, self.artifact


class Handler(BaseHTTPRequestHandler):
    server_version = "model-service"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    state: ServiceState  # set on the subclass make_server() builds

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?", 1)[0] != "/health":
            return self._send(HTTPStatus.NOT_FOUND, {"error": f"no route GET {self.path}; try GET /health"})
        model, artifact = self.state.snapshot()
        if model is None or artifact is None:
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "loading"})
        return self._send(HTTPStatus.OK, {"status": "ok", "model": artifact.describe()})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] != "/predict":
            return self._send(HTTPStatus.NOT_FOUND, {"error": f"no route POST {self.path}; try POST /predict"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._send(HTTPStatus.BAD_REQUEST, {"error": "invalid Content-Length header"})
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be parsed as the next request
            return self._send(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"request body over {MAX_BODY_BYTES} bytes"}
            )
        body = self.rfile.read(length) if length > 0 else b""
        model, artifact = self.state.snapshot()
        if model is None or artifact is None:
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "the model is still loading"})
        try:
            rows, batch = parse_instances(body, expected=len(model.weights))
        except ValueError as exc:
            report(self.state.metrics, artifact.version_id, [], invalid=True)
            return self._send(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        predictions = [model.predict(row) for row in rows]
        report(self.state.metrics, artifact.version_id, predictions, invalid=False)
        if batch:
            return self._send(HTTPStatus.OK, {"predictions": predictions, "model": artifact.describe()})
        return self._send(HTTPStatus.OK, {"prediction": predictions[0], "model": artifact.describe()})

    def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    # One line per request; never the body, headers or query string (they may carry user data).
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        log(
            "request",
            method=self.command,
            path=self.path.split("?", 1)[0],
            status=status,
            client=self.client_address[0],
        )

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        log("http_error", detail=format % args)


def make_server(state: ServiceState, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def _port(environ: dict[str, str]) -> int:
    """PORT, default 8080; 0 asks the OS for a free port (the tests), which the `listening` line then names."""
    raw = environ.get("PORT", "").strip() or str(DEFAULT_PORT)
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise Refusal(f"PORT must be a number from 0 to 65535, got {raw!r}")
    return int(raw)


def main(environ: dict[str, str] | None = None) -> int:
    """Listen first (health answers 503 while loading), load the model, then serve until SIGTERM/SIGINT."""
    environ = dict(os.environ if environ is None else environ)
    try:
        port = _port(environ)
        ref = ArtifactRef.from_env(environ)
        metrics = MetricsSettings.from_env(environ)
    except Refusal as exc:
        log("refused", reason=str(exc))
        return 1

    state = ServiceState()
    state.metrics = metrics
    server = make_server(state, environ.get("HOST", "0.0.0.0"), port)
    # A short poll interval: shutdown() on SIGTERM returns within 0.1 s instead of serve_forever's default 0.5 s.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True)
    thread.start()
    log("listening", host=server.server_address[0], port=server.server_address[1])

    stop = threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        log("stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    started = time.monotonic()
    try:
        model = load_model(ref)
    except Refusal as exc:
        log("refused", reason=str(exc))
        server.shutdown()
        server.server_close()
        return 1
    state.loaded(model, ref)
    log("model_loaded", **ref.describe(), weights=len(model.weights), seconds=round(time.monotonic() - started, 3))

    stop.wait()
    server.shutdown()
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
