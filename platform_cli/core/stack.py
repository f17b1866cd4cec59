"""Operations on one environment's instance of the shared stack: init, plan, apply, output, drift, destroy.

Everything runs through core.terraform.Terraform with the environment's own TF_DATA_DIR, so environments never
share Terraform working state and can run in parallel from the same stack directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .aws import AwsTarget, error_code, error_text
from .baseline import read_baseline
from .console import Console
from .drift import drifted_resources
from .errors import PlatformError, Refused
from .paths import Paths
from .provenance import provenance_now, sha256_bytes, sha256_file
from .release import Release
from .saved_plan import PlanRecord, SavedPlan, changed_outputs
from .settings import EnvSettings
from .terraform import Terraform
from .tfconfig import ProviderSource, init_lock

LOCK_TIMEOUT = "0s"  # fail fast with who holds the lock rather than hang; users re-run when the holder is done


@dataclass
class EnvStack:
    paths: Paths
    settings: EnvSettings
    target: AwsTarget
    provider_source: ProviderSource
    console: Console
    prefix: str = ""
    color: bool = True
    _tf: Terraform | None = None

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def tf(self) -> Terraform:
        if self._tf is None:
            self._tf = Terraform(
                self.paths,
                self.name,
                self.provider_source,
                self.console,
                extra_env=dict(self.target.env),
                prefix=self.prefix,
                color=self.color,
            )
        return self._tf

    @property
    def backend_label(self) -> str:
        bucket = self.target.backend_overrides.get("bucket", self.settings.state_bucket)
        key = self.target.backend_overrides.get("key", self.settings.state_key)
        return f"s3://{bucket}/{key}"

    # -- identity ---------------------------------------------------------------------------------------------
    def check_account(self) -> None:
        """Refuse to touch an environment from the wrong AWS account (skipped in the sandbox)."""
        self.tf  # noqa: B018 - a missing or too old terraform is reported before any network call
        if self.target.sandbox:
            return
        ident = self.target.identity(self.settings.region)
        if ident["account"] != self.settings.account_id:
            raise Refused(
                f"{self.name} lives in account {self.settings.account_id} but the current credentials are "
                f"for {ident['account']} ({ident['arn']})",
                hint=f"switch to credentials for {self.settings.account_id}",
            )

    # -- init -------------------------------------------------------------------------------------------------
    def _init_fingerprint(self) -> str:
        tf_files = {str(p.name): sha256_file(p) for p in sorted(self.paths.stack_dir.glob("*.tf"))}
        return sha256_bytes(
            json.dumps(
                {
                    "backend_file": sha256_file(self.settings.backend_file),
                    "overrides": self.target.backend_overrides,
                    "stack": tf_files,
                    "providers": self.provider_source.description,
                    "terraform": self.tf.version,
                },
                sort_keys=True,
            ).encode()
        )

    def init(self, *, force: bool = False) -> bool:
        """terraform init for this environment's backend; skipped when nothing it depends on changed.

        Init's own output goes to its log only: commands that just read (output, verify) should print what
        they read, and one line saying an init ran is all a user needs (the log has the rest)."""
        stamp = self.paths.init_stamp(self.name)
        fingerprint = self._init_fingerprint()
        data_dir = self.paths.tf_data_dir(self.name)
        if (
            not force
            and stamp.is_file()
            and (data_dir / "terraform.tfstate").is_file()
            and (self.paths.stack_dir / ".terraform.lock.hcl").is_file()
        ):
            if json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
                return False
        data_dir.mkdir(parents=True, exist_ok=True)
        args = ["init", "-input=false", "-reconfigure", f"-backend-config={self.settings.backend_file}"]
        args += [f"-backend-config={k}={v}" for k, v in self.target.backend_overrides.items()]
        args += self.provider_source.init_args()
        with init_lock():
            result = self.tf.run(args, what=f"init {self.name}", backend=self.backend_label, stream=False)
        self.console.info(f"{self.name}: initialised Terraform ({self.backend_label}; log {result.log_path})")
        stamp.write_text(json.dumps({"fingerprint": fingerprint}))
        return True

    # -- plan -------------------------------------------------------------------------------------------------
    @property
    def saved_plan(self) -> SavedPlan:
        return SavedPlan(self.paths, self.name)

    def _var_args(self, variables: dict[str, Any]) -> list[str]:
        args = [f"-var-file={self.settings.tfvars_file}"]
        # Objects as JSON: HCL reads a JSON object literal as an object constructor.
        args += [
            f"-var={k}={json.dumps(v) if isinstance(v, dict) else v}" for k, v in variables.items() if v is not None
        ]
        return args

    def _show(self, plan_file: Path) -> str:
        return self.tf.capture(["show", "-json", str(plan_file)], what=f"show {self.name}").stdout

    def plan(
        self, *, image: str | None = None, model: dict[str, str] | None = None, with_json: bool = False
    ) -> PlanRecord:
        """Saved plan + its complete record (saved_plan.SavedPlan).

        What is not given is kept as the environment runs it now, read from its state (planning with
        service_image=null would remove the service). `image` is a digest the registry holds."""
        self.check_account()
        self.init()
        variables = self._release_variables(image, model)
        provenance = provenance_now(self.paths, self.name, variables=variables, target=self.target.kind)
        saved = self.saved_plan
        saved.discard()
        result = self.tf.run(
            [
                "plan",
                "-input=false",
                f"-lock-timeout={LOCK_TIMEOUT}",
                "-detailed-exitcode",
                f"-out={saved.file}",
                *self._var_args(variables),
            ],
            ok=(0, 2),
            what=f"plan {self.name}",
            backend=self.backend_label,
        )
        return saved.write_record(
            provenance=provenance,
            has_changes=result.returncode == 2,
            plan_log=str(result.log_path),
            show=self._show,
            with_json=with_json,
        )

    def plan_json(self) -> Path:
        """`terraform show -json` of the saved plan, written on first use and reused while the plan is unchanged."""
        return self.saved_plan.json_path(self._show)

    # -- what the environment runs ----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The stored state: read straight from the S3 backend's object (one GET, where starting Terraform for
        `state pull` costs most of a second on every plan), else through `terraform state pull`."""
        stored = self._state_object()
        if stored is not None:
            return stored
        self.init()
        pulled = self.tf.capture(["state", "pull"], what=f"read state of {self.name}", backend=self.backend_label)
        return json.loads(pulled.stdout) if pulled.stdout.strip() else {}

    def _state_object(self) -> dict[str, Any] | None:
        """The state object at the backend's bucket/key ({} when there is none yet); None when it cannot be read
        this way (then Terraform reads it, and says why if it cannot either)."""
        bucket = self.target.backend_overrides.get("bucket", self.settings.state_bucket)
        key = self.target.backend_overrides.get("key", self.settings.state_key)
        region = self.target.backend_overrides.get("region", self.settings.backend.get("region", self.settings.region))
        if not bucket or not key:
            return None
        try:
            body = self.target.client("s3", region).get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as exc:  # noqa: BLE001 - any other failure: let Terraform read it and report
            code = error_code(exc)
            if code in ("AccessDenied", "AccessDeniedException"):  # Terraform would be refused the same way
                raise PlatformError(
                    f"cannot read the state of {self.name} (s3://{bucket}/{key}): {error_text(exc)}",
                    hint="use credentials that may read it (another account's: the grants infra/bootstrap's "
                    "`promotions` write there)",
                ) from None
            return {} if code in ("NoSuchKey", "404") else None
        try:
            return json.loads(body) if body.strip() else {}
        except ValueError:
            return None

    def state_outputs(self) -> dict[str, Any]:
        """Output values in the stored state (no provider, no refresh)."""
        return {k: v.get("value") for k, v in (self.state().get("outputs") or {}).items()}

    def deployed_release(self) -> Release:
        """What the environment runs now, from its state: the one source of truth."""
        return Release.from_outputs(self.state_outputs())

    def _release_vars(self, image: str | None = None, model: dict[str, str] | None = None) -> dict[str, Any]:
        deployed = self.deployed_release() if image is None or model is None else None
        release = Release(
            image=image or (deployed.image if deployed else None), model=model or (deployed.model if deployed else None)
        )
        return release.variables()

    def _release_variables(self, image: str | None = None, model: dict[str, str] | None = None) -> dict[str, Any]:
        """Every variable of a release: image, model and the model's baseline. Drift and destroy pass the running
        release's too (without its baseline a refresh-only plan reports output.model_baseline as drifted)."""
        variables = self._release_vars(image, model)
        variables.update(self._baseline_vars(variables.get("model_artifact")))
        return variables

    def _baseline_vars(self, model: dict[str, str] | None) -> dict[str, Any]:
        """A release with a model is planned with that model's baseline (its alarms derive from it); without one
        the plan is refused, saying how to publish it."""
        if not model:
            return {}
        outputs = self.state_outputs()
        deployed = outputs.get("model_artifact") or {}
        if outputs.get("model_baseline") and (deployed.get("key"), deployed.get("version_id")) == (
            model["key"],
            model["version_id"],
        ):
            # The running model: its baseline as it was applied (a pull request's read-only plan role may not
            # decrypt the artifact store, and need not).
            return {"model_baseline": outputs["model_baseline"]}
        bucket = outputs.get("artifact_bucket_name")
        if not bucket:
            return {}  # no artifact store yet: resolve_release already refused a new model; nothing to read
        return {"model_baseline": read_baseline(self.target, self.settings.region, bucket, model)}

    # -- apply ------------------------------------------------------------------------------------------------
    def apply(self) -> PlanRecord:
        """Apply the saved plan if it is still current. Gates (approvals, audit log) are core.deploy's job."""
        saved = self.saved_plan
        record = saved.load()
        self.check_account()
        self.init()
        now = provenance_now(self.paths, self.name, variables=record.variables, target=self.target.kind)
        state = self.state()
        saved.ensure_current(
            record,
            now,
            state_serial=state.get("serial") if state.get("lineage") else None,
            state_lineage=state.get("lineage") or None,
        )
        self.tf.run(
            ["apply", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}", str(saved.file)],
            what=f"apply {self.name}",
            backend=self.backend_label,
        )
        saved.mark_applied(record)
        return record

    # -- output / drift / destroy -----------------------------------------------------------------------------
    def outputs(self) -> dict[str, Any]:
        self.init()
        shown = self.tf.capture(["output", "-json"], what=f"output {self.name}", backend=self.backend_label)
        return {k: v.get("value") for k, v in json.loads(shown.stdout or "{}").items()}

    def drift(self) -> list[dict[str, Any]]:
        """Refresh-only plan; the resources whose real state differs from Terraform state."""
        self.check_account()
        self.init()
        drift_file = self.paths.env_work_dir(self.name) / "drift.tfplan"
        result = self.tf.run(
            [
                "plan",
                "-refresh-only",
                "-input=false",
                f"-lock-timeout={LOCK_TIMEOUT}",
                "-detailed-exitcode",
                f"-out={drift_file}",
                *self._var_args(self._release_variables()),
            ],
            ok=(0, 2),
            what=f"drift check {self.name}",
            backend=self.backend_label,
        )
        if result.returncode == 0:
            return []
        # The full show -json (before/after values) only when Terraform saw something: noise is told apart by value.
        shown = json.loads(self._show(drift_file))
        drifted = drifted_resources(shown)
        # Outputs count only when their value really changes; refresh-only plans list every output.
        drifted += [
            {"address": f"output.{name}", "actions": shown["output_changes"][name].get("actions", []), "attributes": []}
            for name in changed_outputs(shown)
        ]
        return sorted(drifted, key=lambda d: d["address"])

    def destroy(self) -> None:
        if self.settings.protected:
            raise Refused(
                f"{self.name} is protected: destroy is refused",
                hint=f"set protected: false in {self.settings.env_file} through review first",
            )
        self.check_account()
        self.init()
        self.tf.run(
            [
                "destroy",
                "-input=false",
                "-auto-approve",
                f"-lock-timeout={LOCK_TIMEOUT}",
                *self._var_args(self._release_variables()),
            ],
            what=f"destroy {self.name}",
            backend=self.backend_label,
        )
        self.saved_plan.discard()
