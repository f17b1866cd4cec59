#!/usr/bin/env python3
"""Benchmark: the PR comment of an 18-change plan in a 3,000-resource stack, policy scan included.

    .venv/bin/python bench/comment_scan.py [--resources 3000] [--changes 18] [--repeat 3] [--whole-plan]

The plan is synthesised from the real fixture tests/github/fixtures/large.json (tests/github/comment_fixtures.py:
its resources replicated under new module addresses, `--changes` of them created or updated, every other one a
no-op, all of them in planned_values as in a real plan of a big stack). Times, in one run:

  comment with scan: json.load + checkov over what the plan changes (core.scan.scan_plan_changes) + render
  render alone:      json.load + render, with that scan result already at hand (what `platformctl comment`
                     does when `plan --with-json` kept the scan beside the saved plan)

and prints both, their ratio and the findings. Target: comment with scan <= 5 s. `--whole-plan` also times checkov
over the whole plan (what the comment used to do: about 110 s for this plan on a CI runner).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "github"))

from comment_fixtures import PROVENANCE, stack_plan  # noqa: E402

from platform_cli.core.scan import _run_checkov, scan_plan_changes  # noqa: E402
from platform_cli.github.comment import GITHUB_COMMENT_LIMIT, EnvPlan, render_env  # noqa: E402

TARGET_S = 5.0


def median_s(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--resources", type=int, default=3000)
    parser.add_argument("--changes", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--whole-plan", action="store_true", help="also time checkov over the whole plan (slow)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(stack_plan(args.resources, args.changes)), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6

        def load() -> dict:
            with path.open(encoding="utf-8") as f:
                return json.load(f)

        def with_scan() -> tuple[str, dict]:
            shown = load()
            scan = scan_plan_changes(shown, "bench").as_dict()
            return render_env(EnvPlan("bench", shown, PROVENANCE, scan=scan)), scan

        scan_s, (comment, scan) = median_s(with_scan, args.repeat)
        render_s, _ = median_s(lambda: render_env(EnvPlan("bench", load(), PROVENANCE, scan=scan)), args.repeat)
        whole_s = None
        if args.whole_plan:
            whole_s, _ = median_s(lambda: _run_checkov(["-f", str(path)], "bench", "terraform_plan"), 1)

    print(f"plan: {args.resources} resources, {args.changes} changed, {size_mb:.1f} MB of JSON")
    print(
        f"scan: {scan['scope']['changed']} changed resources scanned: {scan['passed']} passed, {scan['failed']} failed"
    )
    print(f"comment: {len(comment)} characters (limit {GITHUB_COMMENT_LIMIT})")
    print(f"render alone median:      {render_s * 1000:8.1f} ms")
    print(f"comment with scan median: {scan_s * 1000:8.1f} ms  ({scan_s / render_s:.1f}x render alone)")
    if whole_s is not None:
        print(f"checkov over the whole plan: {whole_s:8.1f} s  ({whole_s / scan_s:.1f}x comment with scan)")
    ok = scan_s <= TARGET_S and len(comment) <= GITHUB_COMMENT_LIMIT
    print(f"target comment with scan <= {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
