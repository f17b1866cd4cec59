#!/usr/bin/env python3
"""Benchmark: render the PR comment of a 3,000-resource-change plan.

    .venv/bin/python bench/comment_render.py [--changes 3000] [--destroys 5] [--repeat 7]

The plan is synthesised from the real fixture tests/comments/fixtures/large.json (its resource_changes replicated
under new module addresses, the last few turned into deletions) and written to a temporary file. Prints the median
time to render the comment, the median `json.load` of the same file, and their ratio. Target: render <= 1 s.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platform_cli.github.comment import GITHUB_COMMENT_LIMIT, EnvPlan, render_env  # noqa: E402

FIXTURE = REPO / "tests" / "comments" / "fixtures" / "large.json"
TARGET_S = 1.0


def synthesise(total: int, destroys: int) -> dict:
    plan = json.loads(FIXTURE.read_text(encoding="utf-8"))
    real = [rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["create"]]
    changes = []
    for n in range(total):
        rc = copy.deepcopy(real[n % len(real)])
        module = f"module.copy_{n // len(real):04d}"
        rc["address"] = f"{module}.{rc['address']}"
        rc["module_address"] = f"{module}.{rc['module_address']}" if rc.get("module_address") else module
        changes.append(rc)
    for rc in changes[len(changes) - destroys :]:
        rc["change"] = {
            "actions": ["delete"],
            "before": rc["change"]["after"],
            "after": None,
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": False,
        }
    plan["resource_changes"] = changes
    return plan


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--changes", type=int, default=3000)
    parser.add_argument("--destroys", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(synthesise(args.changes, args.destroys)), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6

        def load() -> dict:
            with path.open(encoding="utf-8") as f:
                return json.load(f)

        plan = load()
        provenance = {
            "git_commit": "0" * 40,
            "terraform_version": plan.get("terraform_version"),
            "providers": {"registry.terraform.io/hashicorp/aws": "5.100.0"},
        }
        comment = render_env(EnvPlan("bench", plan, provenance))
        load_s = median_s(load, args.repeat)
        render_s = median_s(lambda: render_env(EnvPlan("bench", plan, provenance)), args.repeat)
        load_render_s = median_s(lambda: render_env(EnvPlan("bench", load(), provenance)), args.repeat)

    print(f"plan: {args.changes} resource changes ({args.destroys} destroys), {size_mb:.1f} MB of JSON")
    print(f"comment: {len(comment)} characters (limit {GITHUB_COMMENT_LIMIT})")
    print(f"json.load median:        {load_s * 1000:8.1f} ms")
    print(f"render median:           {render_s * 1000:8.1f} ms  ({render_s / load_s:.2f}x json.load)")
    print(f"json.load+render median: {load_render_s * 1000:8.1f} ms")
    ok = render_s <= TARGET_S and len(comment) <= GITHUB_COMMENT_LIMIT
    print(f"target render <= {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
