"""Operations on one environment's instance of the shared stack: init, plan, apply, output, drift, destroy.

Everything runs through core.terraform.Terraform with the environment's own TF_DATA_DIR, so environments never
share Terraform working state and can run in parallel from the same stack directory.
"""

from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import approvals, plans
from .aws import AwsTarget
from .console import Console
from .errors import NoPlan, PlatformError, Refused
from .paths import Paths
from .planfile import read_plan_summary
from .settings import EnvSettings
from .terraform import Terraform
from .tfconfig import ProviderSource

LOCK_TIMEOUT = "0s"  # fail fast with who holds the lock rather than hang; users re-run when the holder is done


@contextmanager
def _stack_init_lock(paths: Paths):
    """Serialise `terraform init` across environments: they share the stack's .terraform.lock.hcl."""
    paths.work_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.work_dir / "init.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
            self._tf = Terraform(self.paths, self.name, self.provider_source, self.console,
                                 extra_env=dict(self.target.env), prefix=self.prefix, color=self.color)
        return self._tf

    @property
    def backend_label(self) -> str:
        bucket = self.target.backend_overrides.get("bucket", self.settings.state_bucket)
        key = self.target.backend_overrides.get("key", self.settings.state_key)
        return f"s3://{bucket}/{key}"

    # -- identity ---------------------------------------------------------------------------------------------
    def check_account(self) -> None:
        """Refuse to touch an environment from the wrong AWS account (skipped in the sandbox)."""
        if self.target.sandbox:
            return
        ident = self.target.identity(self.settings.region)
        if ident["account"] != self.settings.account_id:
            raise Refused(f"{self.name} lives in account {self.settings.account_id} but the current credentials are "
                          f"for {ident['account']} ({ident['arn']})",
                          hint=f"switch to credentials for {self.settings.account_id}")

    # -- init -------------------------------------------------------------------------------------------------
    def _init_fingerprint(self) -> str:
        tf_files = {str(p.name): plans.sha256_file(p) for p in sorted(self.paths.stack_dir.glob("*.tf"))}
        return plans.sha256_bytes(json.dumps({
            "backend_file": plans.sha256_file(self.settings.backend_file),
            "overrides": self.target.backend_overrides,
            "stack": tf_files,
            "providers": self.provider_source.description,
            "terraform": self.tf.version,
        }, sort_keys=True).encode())

    def init(self, *, force: bool = False) -> bool:
        """terraform init for this environment's backend; skipped when nothing it depends on changed."""
        stamp = self.paths.init_stamp(self.name)
        fingerprint = self._init_fingerprint()
        data_dir = self.paths.tf_data_dir(self.name)
        if not force and stamp.is_file() and (data_dir / "terraform.tfstate").is_file() \
                and (self.paths.stack_dir / ".terraform.lock.hcl").is_file():
            if json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
                return False
        data_dir.mkdir(parents=True, exist_ok=True)
        args = ["init", "-input=false", "-reconfigure", f"-backend-config={self.settings.backend_file}"]
        args += [f"-backend-config={k}={v}" for k, v in self.target.backend_overrides.items()]
        args += self.provider_source.init_args()
        with _stack_init_lock(self.paths):
            self.tf.run(args, what=f"init {self.name}", backend=self.backend_label)
        stamp.write_text(json.dumps({"fingerprint": fingerprint}))
        return True

    # -- plan -------------------------------------------------------------------------------------------------
    def _image_vars(self) -> dict[str, Any]:
        image = self.deployed_image()
        return {"service_image": image} if image else {}

    def _var_args(self, variables: dict[str, Any]) -> list[str]:
        args = [f"-var-file={self.settings.tfvars_file}"]
        args += [f"-var={k}={v}" for k, v in variables.items() if v is not None]
        return args

    def plan(self, *, image: str | None = None, with_json: bool = False) -> plans.PlanRecord:
        """Saved plan + plan record. The record's summary is read from the plan file itself (planfile.py);
        `terraform show -json` runs only when asked (with_json) or when the plan format is unknown, and
        otherwise on first use (plan_json()), because it costs ~3 s of provider schema loading.

        Without `image`, the image already deployed is kept (planning with service_image=null would remove the
        service). It comes from a local cache checked against the state the plan was made from; when the state
        says otherwise, we plan again with the state's image."""
        self.check_account()
        self.init()
        keep_deployed = image is None
        image = image or self.deployed_image()
        record, deployed_now = self._plan_once(image, with_json)
        if keep_deployed and deployed_now != image:
            self.console.warn(f"{self.name}: deployed image is {deployed_now or 'none'}, not {image or 'none'} as "
                              "last seen here; planning again to keep it")
            self._remember_image(deployed_now)
            record, _ = self._plan_once(deployed_now, with_json)
        return record

    def _plan_once(self, image: str | None, with_json: bool) -> tuple[plans.PlanRecord, str | None]:
        variables = {"service_image": image} if image else {}
        provenance = plans.provenance_now(self.paths, self.name, variables=variables, target=self.target.kind)
        plan_file = self.paths.plan_file(self.name)
        for stale in (plan_file, self.paths.plan_json(self.name), self.paths.plan_record(self.name)):
            stale.unlink(missing_ok=True)
        result = self.tf.run(["plan", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}", "-detailed-exitcode",
                              f"-out={plan_file}", *self._var_args(variables)],
                             ok=(0, 2), what=f"plan {self.name}", backend=self.backend_label)
        summary = None if with_json else read_plan_summary(plan_file)
        if summary is None:
            summary = self._write_plan_json()
        record = plans.build_record(self.paths, self.name, provenance=provenance, plan_json=summary,
                                    has_changes=result.returncode == 2)
        record.provenance["plan_log"] = str(result.log_path)
        plans.save_record(self.paths, record)
        prior_outputs = plans.plan_file_facts(plan_file)["outputs"]
        return record, image_var(prior_outputs.get("service_image"))

    # -- the deployed image ----------------------------------------------------------------------------------
    @property
    def _deployed_file(self) -> Path:
        return self.paths.env_work_dir(self.name) / "deployed.json"

    def _remember_image(self, image: str | None) -> None:
        self._deployed_file.parent.mkdir(parents=True, exist_ok=True)
        self._deployed_file.write_text(json.dumps({"service_image": image}), encoding="utf-8")

    def deployed_image(self) -> str | None:
        """The service_image value the environment runs now (digest or tag), or None for no service."""
        if self._deployed_file.is_file():
            return json.loads(self._deployed_file.read_text(encoding="utf-8")).get("service_image")
        image = image_var(self.outputs().get("service_image"))
        self._remember_image(image)
        return image

    def _write_plan_json(self) -> dict[str, Any]:
        plan_file = self.paths.plan_file(self.name)
        shown = self.tf.capture(["show", "-json", str(plan_file)], what=f"show {self.name}")
        target = self.paths.plan_json(self.name)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(shown.stdout, encoding="utf-8")
        tmp.replace(target)
        return json.loads(shown.stdout)

    def plan_json(self) -> Path:
        """`terraform show -json` of the saved plan, written on first use and reused while the plan is unchanged."""
        plan_file, target = self.paths.plan_file(self.name), self.paths.plan_json(self.name)
        if not plan_file.is_file():
            raise NoPlan(f"no saved plan for {self.name}", hint=f"run `platformctl plan {self.name}` first")
        if not target.is_file() or target.stat().st_mtime_ns < plan_file.stat().st_mtime_ns:
            self._write_plan_json()
        return target

    # -- apply ------------------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        pulled = self.tf.capture(["state", "pull"], what=f"read state of {self.name}", backend=self.backend_label)
        return json.loads(pulled.stdout) if pulled.stdout.strip() else {}

    def apply(self) -> plans.PlanRecord:
        record = plans.load_record(self.paths, self.name)
        self.check_account()
        self.init()
        now = plans.provenance_now(self.paths, self.name, variables=record.provenance.get("variables", {}),
                                   target=self.target.kind)
        state = self.state()
        plans.ensure_current(record, now, state_serial=state.get("serial") if state.get("lineage") else None,
                             state_lineage=state.get("lineage") or None)
        approvals.check_approved(self.paths, self.settings, record)
        self.tf.run(["apply", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}", str(self.paths.plan_file(self.name))],
                    what=f"apply {self.name}", backend=self.backend_label)
        plans.mark_applied(self.paths, record)
        self._remember_image(record.provenance.get("variables", {}).get("service_image"))
        if record.has_changes:
            self._settle_state()
        return record

    def _settle_state(self) -> None:
        """Store what the provider reads back right after our own apply (tags {} vs null, computed inline
        policies, service associations), so `drift` later reports changes made by others, not read-back noise."""
        self.tf.run(["apply", "-refresh-only", "-auto-approve", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}",
                     *self._var_args(self._image_vars())],
                    what=f"refresh {self.name} after apply", backend=self.backend_label, stream=False)

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
        result = self.tf.run(["plan", "-refresh-only", "-input=false", f"-lock-timeout={LOCK_TIMEOUT}",
                              "-detailed-exitcode", f"-out={drift_file}", *self._var_args(self._image_vars())],
                             ok=(0, 2), what=f"drift check {self.name}", backend=self.backend_label)
        if result.returncode == 0:
            return []
        shown = read_plan_summary(drift_file)
        if shown is None:
            shown = json.loads(self.tf.capture(["show", "-json", str(drift_file)], what=f"show {self.name}").stdout)
        drifted = [{"address": d["address"], "actions": d.get("change", {}).get("actions", [])}
                   for d in shown.get("resource_drift") or [] if d.get("change", {}).get("actions") != ["no-op"]]
        # Outputs count only when their value really changes; refresh-only plans list every output.
        drifted += [{"address": f"output.{name}", "actions": oc.get("actions", [])}
                    for name, oc in (shown.get("output_changes") or {}).items()
                    if oc.get("actions") not in (["no-op"], None)]
        return sorted(drifted, key=lambda d: d["address"])

    def destroy(self) -> None:
        if self.settings.protected:
            raise Refused(f"{self.name} is protected: destroy is refused",
                          hint=f"set protected: false in {self.settings.env_file} through review first")
        self.check_account()
        self.init()
        self.tf.run(["destroy", "-input=false", "-auto-approve", f"-lock-timeout={LOCK_TIMEOUT}",
                     *self._var_args(self._image_vars())], what=f"destroy {self.name}",
                    backend=self.backend_label)
        self._deployed_file.unlink(missing_ok=True)
        for stale in (self.paths.plan_file(self.name), self.paths.plan_json(self.name)):
            stale.unlink(missing_ok=True)


def image_var(output_value: Any) -> str | None:
    """The stack's service_image output (REGISTRY@sha256:..., REGISTRY:TAG, or the bare value) as the variable
    value it came from (sha256:... or TAG)."""
    if not output_value or not isinstance(output_value, str):
        return None
    if "@" in output_value:
        return output_value.rsplit("@", 1)[1]
    last = output_value.rsplit("/", 1)[-1]
    if "/" in output_value and ":" in last:
        return last.rsplit(":", 1)[1]
    return output_value
