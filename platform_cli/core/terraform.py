"""The one Terraform runner.

Why not python-terraform: it runs Terraform to completion and hands back stdout/stderr afterwards, so it cannot
stream progress live while also capturing it, and it reports failures as a bare return code plus text. A plan
against a real account can run for minutes; users need Terraform's own progress as it happens, a full log of every
run to attach to a bug report, and failures turned into one actionable line (lock held by whom, no credentials,
backend unreachable). So we wrap the terraform binary directly: one subprocess per command, stdout+stderr merged
and read line by line, each line written to the terminal and to a per-run log file.

Ctrl-C: Terraform runs in its own session so a terminal Ctrl-C reaches only us; we forward exactly one SIGINT to
Terraform and keep reading until it exits, which lets it finish the current call and release its state lock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

from .console import Console, strip_ansi
from .errors import (
    BackendUnreachable,
    Interrupted,
    NoCredentials,
    PlatformError,
    StateLocked,
    TerraformFailed,
    TerraformMissing,
    TerraformTooOld,
)
from .paths import Paths
from .tfconfig import ProviderSource

MIN_VERSION = (1, 10, 0)
BINARY_ENVVAR = "PLATFORMCTL_TERRAFORM"
INTERRUPT_GRACE_SECONDS = 60  # how long Terraform may take to stop and release its lock after SIGINT
FOLLOW_POLL_SECONDS = 0.02  # how often the output file is read while Terraform runs
READ_CHUNK_BYTES = 1 << 16
RAW_SUFFIX = ".raw"  # Terraform's own output, before masking; removed once it is in the log


def adopt_orphan_output(logs_dir: Path, mask: Callable[[str], str]) -> None:
    """Output files of a Terraform whose platformctl died (killed mid-apply): masked into a log of their own."""
    if not logs_dir.is_dir():
        return
    for raw in logs_dir.glob(f"*{RAW_SUFFIX}"):
        try:
            age = time.time() - raw.stat().st_mtime
            if age < ORPHAN_QUIET_SECONDS:  # maybe still being written by a Terraform that runs on
                continue
            text = raw.read_bytes().decode("utf-8", errors="replace")
            raw.with_name(raw.name[: -len(RAW_SUFFIX)] + ".orphaned.log").write_text(
                "# output of a Terraform whose platformctl stopped before it did\n" + mask(strip_ansi(text)),
                encoding="utf-8",
            )
            raw.unlink()
        except OSError:
            continue


ORPHAN_QUIET_SECONDS = 60

_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()


def interrupt_all() -> None:
    """Forward SIGINT to every Terraform we started (used when Ctrl-C lands in the main thread)."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass


def find_binary(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    explicit = environ.get(BINARY_ENVVAR)
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise TerraformMissing(
            f"terraform binary not found at {explicit} ({BINARY_ENVVAR})",
            hint=f"point {BINARY_ENVVAR} at an executable terraform, or unset it to use PATH",
        )
    found = shutil.which("terraform", path=environ.get("PATH"))
    if not found:
        raise TerraformMissing(
            "terraform binary not found on PATH",
            hint=f"install Terraform >= {'.'.join(map(str, MIN_VERSION))} or set {BINARY_ENVVAR} to its path",
        )
    return found


def parse_version(text: str) -> tuple[int, int, int]:
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    if not m:
        raise TerraformFailed(f"could not read the Terraform version from {text[:80]!r}")
    return tuple(int(x) for x in m.groups())  # type: ignore[return-value]


def binary_version(binary: str, cache_dir: Path | None = None) -> str:
    """`terraform version`, cached per binary (path, size, mtime) so every command does not pay for it."""
    st = os.stat(binary)
    key = f"{os.path.realpath(binary)}|{st.st_size}|{st.st_mtime_ns}"
    cache = cache_dir / "terraform-version.json" if cache_dir else None
    if cache and cache.is_file():
        try:
            data = json.loads(cache.read_text())
            if data.get("key") == key:
                return cast(str, data["version"])
        except (OSError, ValueError, KeyError):
            pass
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    try:
        proc = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, env=env, timeout=30)
    except OSError as exc:
        raise TerraformMissing(
            f"terraform at {binary} could not be run: {exc.strerror}", hint=f"install Terraform or set {BINARY_ENVVAR}"
        ) from None
    version = None
    try:
        version = json.loads(proc.stdout)["terraform_version"]
    except (ValueError, KeyError, TypeError):
        # Very old releases have no -json flag; their plain text still names the version.
        text = proc.stdout or proc.stderr
        version = ".".join(map(str, parse_version(text))) if re.search(r"\d+\.\d+\.\d+", text) else None
    if not version:
        raise TerraformFailed(f"`{binary} version` gave no version", hint="check the terraform installation")
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "version": version}))
    return version


def check_version(version: str, binary: str) -> None:
    if parse_version(version) < MIN_VERSION:
        need = ".".join(map(str, MIN_VERSION))
        raise TerraformTooOld(
            f"terraform {version} at {binary} is too old; need >= {need} (S3 native state locking)",
            hint=f"install Terraform >= {need} or set {BINARY_ENVVAR}",
        )


@dataclass
class RunResult:
    args: list[str]
    returncode: int
    output: str
    log_path: Path | None
    seconds: float
    stdout: str = ""


# --- error classification ---------------------------------------------------------------------------------------
_LOCK_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created|Info):\s*(.*)$", re.MULTILINE)
_CREDENTIAL_PATTERNS = (
    "No valid credential sources found",
    "failed to refresh cached credentials",
    "no EC2 IMDS role found",
    "NoCredentialProviders",
    "InvalidClientTokenId",
    "security token included in the request is invalid",
    "ExpiredToken",
)
_BACKEND_PATTERNS = (
    "Failed to get existing workspaces",
    "error configuring S3 Backend",
    "Error refreshing state",
    "Error loading state",
    "Failed to load state",
    "Unable to access object",
    "NoSuchBucket",
    "S3 bucket does not exist",
    "connection refused",
    "no such host",
    "i/o timeout",
)


def classify_failure(output: str, *, log_path: Path | None, what: str, backend: str = "") -> PlatformError:
    text = strip_ansi(output)
    log_hint = f"full log: {log_path}" if log_path else None
    if "Error acquiring the state lock" in text or "state lock" in text and "Lock Info" in text:
        info = dict(_LOCK_FIELD.findall(text.split("Lock Info:", 1)[-1])) if "Lock Info:" in text else {}
        who, created, lock_id = info.get("Who", "unknown"), info.get("Created", "unknown"), info.get("ID", "")
        return StateLocked(
            f"state is locked by {who} since {created} (lock ID {lock_id or 'unknown'}, "
            f"operation {info.get('Operation', 'unknown')})",
            hint="wait for that run to finish; if it is dead, `terraform force-unlock "
            f"{lock_id or '<ID>'}` from infra/platform with this environment's TF_DATA_DIR",
            lock_id=lock_id,
            who=who,
            created=created,
        )
    if any(p in text for p in _CREDENTIAL_PATTERNS):
        return NoCredentials(
            f"{what}: no usable AWS credentials",
            hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --sandbox for the local sandbox",
        )
    if any(p in text for p in _BACKEND_PATTERNS):
        where = f" ({backend})" if backend else ""
        return BackendUnreachable(
            f"{what}: state backend unreachable{where}",
            hint="check the bucket exists and the endpoint/network is up" + (f"; {log_hint}" if log_hint else ""),
        )
    errors = re.findall(r"^\s*(?:│\s*)?Error: (.+)$", text, re.MULTILINE)
    first = errors[0].strip() if errors else (text.strip().splitlines() or ["no output"])[-1].strip()
    return TerraformFailed(f"{what} failed: {first}", hint=log_hint)


# --- the runner ---------------------------------------------------------------------------------------------------
@dataclass
class Terraform:
    """Runs terraform for one environment against the shared stack dir with that environment's TF_DATA_DIR."""

    paths: Paths
    env_name: str | None
    provider_source: ProviderSource
    console: Console
    extra_env: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    color: bool = True
    binary: str | None = None
    version: str | None = None

    def __post_init__(self) -> None:
        self.binary = self.binary or find_binary({**os.environ, **self.extra_env})
        self.version = self.version or binary_version(self.binary, self.paths.tool_cache_dir)
        check_version(self.version, self.binary)

    @property
    def cwd(self) -> Path:
        return self.paths.stack_dir

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.provider_source.env())
        env.update(self.extra_env)
        for name, value in self.extra_env.items():
            if value == "":  # an empty value in extra_env unsets the caller's (core/credentials.py)
                env.pop(name, None)
        env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        if self.env_name:
            env["TF_DATA_DIR"] = str(self.paths.tf_data_dir(self.env_name))
        return env

    def command_line(self, args: Sequence[str]) -> list[str]:
        cmd = [cast(str, self.binary), f"-chdir={self.cwd}", *args]  # set in __post_init__
        if (
            not self.color
            and args
            and args[0]
            in {"init", "plan", "apply", "destroy", "output", "show", "validate", "refresh", "state", "force-unlock"}
        ):
            cmd.append("-no-color")
        return cmd

    def _log_path(self, label: str) -> Path:
        logs = self.paths.logs_dir(self.env_name)
        logs.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"
        return logs / f"{stamp}-{label}.log"

    def run(
        self,
        args: Sequence[str],
        *,
        ok: Sequence[int] = (0,),
        what: str | None = None,
        stream: bool = True,
        backend: str = "",
    ) -> RunResult:
        """Run terraform, streaming merged output live (if `stream`) and capturing it to a per-run log.

        Terraform writes to a private file that we follow, not to a pipe: if platformctl dies mid-apply, Terraform
        finishes its work and releases its state lock instead of dying on a broken pipe halfway through."""
        cmd = self.command_line(args)
        log_path = self._log_path(args[0])
        adopt_orphan_output(log_path.parent, self.console.mask)
        raw_path = log_path.with_name(log_path.name + RAW_SUFFIX)
        started = time.monotonic()
        captured: list[str] = []
        raw_fd = os.open(raw_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold unmasked values
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=raw_fd,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.environment(),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(raw_fd)
            raw_path.unlink(missing_ok=True)
            raise TerraformMissing(f"terraform at {self.binary} could not be run: {exc.strerror}") from None
        os.close(raw_fd)
        with _running_lock:
            _running.add(proc)
        interrupted = False

        def emit(raw: bytes, log: IO[str]) -> None:
            line = raw.decode("utf-8", errors="replace")
            captured.append(line)
            log.write(self.console.mask(strip_ansi(line)))
            if stream:
                self.console.stream_line(line.rstrip("\n"), self.prefix)

        try:
            with open(log_path, "w", encoding="utf-8", buffering=1) as log, open(raw_path, "rb") as reader:
                log.write(self.console.mask(f"$ {' '.join(cmd)}\n"))  # line-buffered: tail -f works
                pending = b""
                while True:
                    try:
                        chunk = reader.read(READ_CHUNK_BYTES)
                        if chunk:
                            pending += chunk
                            *lines, pending = pending.split(b"\n")
                            for raw in lines:
                                emit(raw + b"\n", log)
                            continue
                        if proc.poll() is not None:
                            rest = reader.read()
                            if rest or pending:
                                for raw in (pending + rest).splitlines(keepends=True):
                                    emit(raw, log)
                            break
                        time.sleep(FOLLOW_POLL_SECONDS)
                    except KeyboardInterrupt:
                        interrupted = True
                        proc.send_signal(signal.SIGINT)
                        self.console.warn("interrupt: asked Terraform to stop (it will release its lock)")
                rc, interrupted_late = self._wait(proc)
                interrupted = interrupted or interrupted_late
                log.write(f"\n# exit {rc} after {time.monotonic() - started:.1f}s\n")
        finally:
            with _running_lock:
                _running.discard(proc)
            if proc.poll() is not None:
                raw_path.unlink(missing_ok=True)
        output = "".join(captured)
        if interrupted or rc in (-signal.SIGINT, 130):
            raise Interrupted(f"terraform {args[0]} interrupted", hint=f"log: {log_path}")
        result = RunResult(list(cmd), rc, output, log_path, time.monotonic() - started)
        if rc not in ok:
            raise classify_failure(output, log_path=log_path, what=what or f"terraform {args[0]}", backend=backend)
        return result

    def _wait(self, proc: subprocess.Popen[bytes]) -> tuple[int, bool]:
        """Terraform's exit code, and whether Ctrl-C arrived while waiting for it (the user asked to stop even if
        Terraform was already finishing)."""
        deadline = None
        interrupted = False
        while True:
            try:
                return proc.wait(
                    timeout=None if deadline is None else max(0.1, deadline - time.monotonic())
                ), interrupted
            except KeyboardInterrupt:
                interrupted = True
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
            except subprocess.TimeoutExpired:
                proc.kill()
                return proc.wait(), interrupted

    def capture(self, args: Sequence[str], *, what: str | None = None, backend: str = "") -> RunResult:
        """Run terraform for machine-readable stdout (show -json, output -json, state pull); stderr is logged."""
        cmd = self.command_line(args)
        log_path = self._log_path(args[0])
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, env=self.environment(), start_new_session=True)
        stdout = proc.stdout.decode("utf-8", errors="replace")
        stderr = proc.stderr.decode("utf-8", errors="replace")
        log_path.write_text(
            self.console.mask(f"$ {' '.join(cmd)}\n{strip_ansi(stderr)}\n# exit {proc.returncode}\n"), encoding="utf-8"
        )
        result = RunResult(cmd, proc.returncode, stderr, log_path, time.monotonic() - started, stdout=stdout)
        if proc.returncode != 0:
            raise classify_failure(
                stderr + stdout, log_path=log_path, what=what or f"terraform {args[0]}", backend=backend
            )
        return result
