"""model_server.py: loads exactly the model version the release names, refuses a checksum mismatch, and serves
/health and /predict. Runs the app as the container does (a subprocess) against moto's real S3 server."""

from __future__ import annotations

import hashlib
import json
import math
import signal
import threading
import urllib.error
import urllib.request
from typing import Any

import model_server
import pytest

MODEL_V1 = {"weights": [0.5, -1.25, 2.0], "bias": 0.75}
MODEL_V2 = {"weights": [10.0, 20.0, 30.0], "bias": -5.0}
FEATURES = [2.0, 4.0, -1.5]


def _expected(model: dict[str, Any], features: list[float]) -> float:
    return math.fsum(w * x for w, x in zip(model["weights"], features, strict=False)) + model["bias"]


def _variables(bucket: str, uploaded, *, version_id: str | None = None, sha256: str | None = None) -> dict[str, str]:
    return {
        "MODEL_ARTIFACT_BUCKET": bucket,
        "MODEL_ARTIFACT_KEY": uploaded.key,
        "MODEL_ARTIFACT_VERSION_ID": version_id or uploaded.version_id,
        "MODEL_ARTIFACT_SHA256": sha256 or uploaded.sha256,
    }


def _refusals(server) -> list[dict[str, Any]]:
    return [e for e in server.events() if e["event"] == "refused"]


# ---------------------------------------------------------------------------------------------------------------
# Loading: the exact version, checked
# ---------------------------------------------------------------------------------------------------------------


def test_loads_the_exact_version_it_is_given_not_the_latest(bucket, upload, start_server) -> None:
    first = upload(MODEL_V1)
    second = upload(MODEL_V2)  # now the latest version of the same key
    assert first.key == second.key and first.version_id != second.version_id

    server = start_server(**_variables(bucket, first))

    status, body = server.request("GET", "/health")
    assert status == 200 and body["status"] == "ok"
    assert body["model"] == {"bucket": bucket, "key": first.key, "version_id": first.version_id, "sha256": first.sha256}
    status, body = server.request("POST", "/predict", json.dumps({"features": FEATURES}).encode())
    assert status == 200
    assert body["prediction"] == pytest.approx(_expected(MODEL_V1, FEATURES))
    assert body["prediction"] != pytest.approx(_expected(MODEL_V2, FEATURES))
    loaded = [e for e in server.events() if e["event"] == "model_loaded"]
    assert len(loaded) == 1 and loaded[0]["version_id"] == first.version_id


def test_a_sha256_mismatch_refuses_to_serve(bucket, upload, start_server) -> None:
    first = upload(MODEL_V1)
    second = upload(MODEL_V2)

    # The release names version 1 but carries version 2's checksum: refuse rather than serve either.
    server = start_server(**_variables(bucket, first, sha256=second.sha256))

    assert server.process.returncode == 1
    refusals = _refusals(server)
    assert len(refusals) == 1, server.log_lines
    assert "sha256 mismatch" in refusals[0]["reason"]
    assert first.sha256 in refusals[0]["reason"] and second.sha256 in refusals[0]["reason"]
    assert not [e for e in server.events() if e["event"] == "model_loaded"]


def test_an_unknown_version_refuses_with_the_s3_error(bucket, upload, start_server) -> None:
    first = upload(MODEL_V1)
    server = start_server(**_variables(bucket, first, version_id="not-a-real-version-id"))

    assert server.process.returncode == 1
    (refusal,) = _refusals(server)
    assert "cannot read the model" in refusal["reason"] and "not-a-real-version-id" in refusal["reason"]


def test_missing_settings_refuse_before_listening(start_server) -> None:
    server = start_server(MODEL_ARTIFACT_BUCKET="some-bucket")

    assert server.process.returncode == 1
    (refusal,) = _refusals(server)
    for name in ("MODEL_ARTIFACT_KEY", "MODEL_ARTIFACT_VERSION_ID", "MODEL_ARTIFACT_SHA256"):
        assert name in refusal["reason"]
    assert not [e for e in server.events() if e["event"] == "listening"]


def test_a_model_that_is_not_a_linear_model_refuses(bucket, upload, start_server) -> None:
    bad = upload({"weights": [], "bias": 1})
    server = start_server(**_variables(bucket, bad))

    assert server.process.returncode == 1
    (refusal,) = _refusals(server)
    assert '"weights"' in refusal["reason"]


def test_logs_are_one_json_line_per_event_and_never_hold_credentials(bucket, upload, start_server, aws_env) -> None:
    server = start_server(**_variables(bucket, upload(MODEL_V1)))
    server.request("GET", "/health")
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=10) == 0
    assert server.wait_for("stopped", timeout=10) is not None

    events = server.events()  # each line parses as one JSON object
    assert [e["event"] for e in events][:2] == ["listening", "model_loaded"]
    assert {"request", "stopping", "stopped"} <= {e["event"] for e in events}
    text = "".join(server.log_lines)
    assert aws_env["AWS_SECRET_ACCESS_KEY"] not in text and "AWS_SECRET_ACCESS_KEY" not in text


# ---------------------------------------------------------------------------------------------------------------
# HTTP, in-process: health before/after load, predictions, bad input
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def in_process():
    """The HTTP server of model_server.py on a free port, with no model yet; yields (state, call)."""
    state = model_server.ServiceState()
    server = model_server.make_server(state, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def call(method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    try:
        yield state, call
    finally:
        server.shutdown()
        server.server_close()


def _loaded(state: model_server.ServiceState, model: dict[str, Any]) -> None:
    body = json.dumps(model).encode()
    ref = model_server.ArtifactRef("bucket", "key", "v1", hashlib.sha256(body).hexdigest())
    state.loaded(model_server.LinearModel.from_json(body), ref)


def test_health_is_503_until_the_model_is_loaded_then_200(in_process) -> None:
    state, call = in_process
    assert call("GET", "/health") == (503, {"status": "loading"})
    assert call("POST", "/predict", b'{"features": [1, 2, 3]}')[0] == 503

    _loaded(state, MODEL_V1)

    status, body = call("GET", "/health")
    assert status == 200 and body["status"] == "ok" and body["model"]["version_id"] == "v1"


@pytest.mark.parametrize("features", [[2.0, 4.0, -1.5], [0, 0, 0], [1, 1e6, -3]])
def test_predict_computes_weights_dot_features_plus_bias(in_process, features) -> None:
    state, call = in_process
    _loaded(state, MODEL_V1)

    status, body = call("POST", "/predict", json.dumps({"features": features}).encode())

    assert status == 200
    assert body["prediction"] == pytest.approx(_expected(MODEL_V1, features))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "must be JSON"),
        (b"[1, 2, 3]", '"features"'),
        (b'{"inputs": [1, 2, 3]}', '"features"'),
        (b'{"features": "1,2,3"}', "list of finite numbers"),
        (b'{"features": [1, "2", 3]}', "list of finite numbers"),
        (b'{"features": [1, true, 3]}', "list of finite numbers"),
        (b'{"features": [1, NaN, 3]}', "list of finite numbers"),
        (b'{"features": [1, 2]}', "must hold 3 numbers"),
        (b"", "must be JSON"),
    ],
)
def test_bad_input_gets_400_with_a_json_error(in_process, body, message) -> None:
    state, call = in_process
    _loaded(state, MODEL_V1)

    status, answer = call("POST", "/predict", body, {"Content-Type": "application/json"})

    assert status == 400
    assert message in answer["error"]


def test_unknown_routes_and_oversized_bodies_get_json_errors(in_process) -> None:
    state, call = in_process
    _loaded(state, MODEL_V1)

    assert call("GET", "/predict")[0] == 404
    assert call("POST", "/health", b"{}")[0] == 404
    # Headers only: the server answers from Content-Length and closes, without reading the body.
    status, answer = call("POST", "/predict", None, {"Content-Length": str(model_server.MAX_BODY_BYTES + 1)})
    assert status == 413 and "bytes" in answer["error"]
