"""How much does platformctl add to `terraform plan`, and how much does `plan --all` gain from parallelism?

On one sandbox, in one run:
  1. median of N `platformctl --sandbox plan staging` against the bare `terraform plan` it runs (same args,
     same TF_DATA_DIR, same environment) -> overhead ratio (target <= 1.10);
  2. median of N `platformctl --sandbox plan --all` (every environment under envs/) against planning the same
     environments one after another -> its share of that time (target <= 0.65) and the parallel speedup.
Both environments are initialised first so neither side pays for `terraform init`.

Usage: .venv/bin/python bench/plan_overhead.py [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platform_cli.commands._context import AppContext  # noqa: E402
from platform_cli.core.console import Console  # noqa: E402
from platform_cli.core.paths import Paths  # noqa: E402
from platform_cli.core.settings import list_env_names  # noqa: E402
from platform_cli.core.stack import LOCK_TIMEOUT  # noqa: E402
from platform_cli.sandbox import manager  # noqa: E402

PLATFORMCTL = [sys.executable, "-m", "platform_cli"]
TARGET_RATIO = 1.10
TARGET_ALL_SHARE = 0.65  # plan --all at most this share of planning the environments one after another


def timed(cmd: list[str], env: dict[str, str], ok=(0, 2)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plan-bench-") as tmp:
        work = Path(tmp) / "work"
        sandbox_dir = Path(tmp) / "sandbox"
        manager.start(manager.free_port(), state_dir=sandbox_dir)
        try:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                "PLATFORMCTL_WORK_DIR": str(work),
                "PLATFORMCTL_SANDBOX_DIR": str(sandbox_dir),
                "PLATFORMCTL_ROOT": str(REPO),
                "NO_COLOR": "1",
            }
            os.environ.update({k: env[k] for k in ("PLATFORMCTL_WORK_DIR", "PLATFORMCTL_SANDBOX_DIR")})
            paths = Paths(REPO, work, sandbox_dir)
            quiet = Console(out=open(os.devnull, "w"), err=open(os.devnull, "w"))
            # The sandbox started above; each environment in its own account there, as `platformctl --sandbox` has it.
            app = AppContext(paths=paths, console=quiet, sandbox=True)
            stacks = {name: app.stack(name) for name in ("staging", "prod")}
            for stack in stacks.values():
                stack.init()

            # The bare command: exactly what EnvStack.plan runs, with the same environment.
            staging = stacks["staging"]
            tf_env = staging.tf.environment()
            bare = staging.tf.command_line(
                [
                    "plan",
                    "-input=false",
                    f"-lock-timeout={LOCK_TIMEOUT}",
                    "-detailed-exitcode",
                    f"-out={Path(tmp) / 'bare.tfplan'}",
                    *staging._var_args({}),
                ]
            )
            wrapped = [*PLATFORMCTL, "--no-color", "--sandbox", "plan", "staging"]
            timed(bare, tf_env), timed(wrapped, env)  # warm caches on both sides
            bare_t, wrapped_t = [], []
            for _ in range(args.runs):  # interleave so drift in machine load hits both sides alike
                bare_t.append(timed(bare, tf_env))
                wrapped_t.append(timed(wrapped, env))
            ratio = statistics.median(wrapped_t) / statistics.median(bare_t)

            seq_t, par_t = [], []
            every = list_env_names(paths)  # what `plan --all` plans, one after another
            for name in every:
                if name not in stacks:
                    app.stack(name).init()
            for _ in range(max(1, args.runs // 2 + 1)):
                started = time.perf_counter()
                for name in every:
                    timed([*PLATFORMCTL, "--no-color", "--sandbox", "plan", name], env)
                seq_t.append(time.perf_counter() - started)
                par_t.append(timed([*PLATFORMCTL, "--no-color", "--sandbox", "plan", "--all"], env))
            speedup = statistics.median(seq_t) / statistics.median(par_t)
        finally:
            manager.stop(sandbox_dir)

    result = {
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "bare_terraform_plan_s": round(statistics.median(bare_t), 3),
        "platformctl_plan_s": round(statistics.median(wrapped_t), 3),
        "overhead_ratio": round(ratio, 3),
        "overhead_target": TARGET_RATIO,
        "sequential_plans_s": round(statistics.median(seq_t), 3),
        "plan_all_s": round(statistics.median(par_t), 3),
        "parallel_speedup": round(speedup, 2),
        "plan_all_share": round(1 / speedup, 3),
        "plan_all_share_target": TARGET_ALL_SHARE,
        "environments": every,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"terraform plan (bare)      median {result['bare_terraform_plan_s']:.2f}s over {args.runs} runs")
        print(f"platformctl plan staging   median {result['platformctl_plan_s']:.2f}s")
        print(
            f"overhead ratio             {ratio:.3f} (target <= {TARGET_RATIO}) "
            f"{'OK' if ratio <= TARGET_RATIO else 'OVER'}"
        )
        print(f"{' then '.join(every):<26} median {result['sequential_plans_s']:.2f}s")
        print(f"plan --all (parallel)      median {result['plan_all_s']:.2f}s")
        print(f"parallel speedup           {speedup:.2f}x on {os.cpu_count()} CPU(s)")
        share = 1 / speedup
        print(
            f"plan --all share           {share:.2f} of one after another (target <= {TARGET_ALL_SHARE}) "
            f"{'OK' if share <= TARGET_ALL_SHARE else 'OVER'}"
        )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
