#!/usr/bin/env python3
"""Render a sample plan comment as GitHub would show it, to HTML and (with Chromium) a PNG screenshot.

    .venv/bin/python scripts/render_comment_screenshot.py [--plan replace] [--out comment.png]

The comment is rendered from a fixture in tests/comments/fixtures with cmarkgfm (GitHub's Markdown engine) into a
page styled like a GitHub comment, then captured with headless Chromium (/usr/bin/chromium, chromium-browser or
google-chrome on PATH). Without Chromium it writes only the HTML and says so (exit 0).
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platform_cli.github.comment import EnvPlan, render_env  # noqa: E402

SCREENSHOT_TIMEOUT_S = 60
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; background: #fff;
       margin: 24px; }}
.comment {{ max-width: 880px; border: 1px solid #d1d9e0; border-radius: 6px; }}
.comment header {{ background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; }}
.body {{ padding: 16px; }}
code {{ font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: .2em .4em;
        border-radius: 6px; }}
pre {{ background: #f6f8fa; padding: 12px; border-radius: 6px; overflow: auto; }}
pre code {{ background: none; padding: 0; }}
table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #d1d9e0; padding: 4px 12px; }}
blockquote {{ border-left: 4px solid #cf222e; margin: 0; padding: 0 12px; color: #1f2328; }}
details summary {{ cursor: pointer; font-weight: 600; }}
</style></head><body><div class="comment"><header><b>github-actions</b> commented</header>
<div class="body">{body}</div></div></body></html>"""


def find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def main(argv: list[str] | None = None) -> int:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--plan", default="replace", help="fixture name under tests/comments/fixtures")
    parser.add_argument("--out", type=Path, default=Path("comment.png"), help="PNG to write (HTML goes beside it)")
    args = parser.parse_args(argv)

    plan = json.loads((REPO / "tests" / "comments" / "fixtures" / f"{args.plan}.json").read_text(encoding="utf-8"))
    comment = render_env(
        EnvPlan(
            "prod",
            plan,
            {
                "git_commit": "0123456789abcdef",
                "terraform_version": plan.get("terraform_version"),
                "providers": {"registry.terraform.io/hashicorp/aws": "5.100.0"},
            },
            scan={"passed": 41, "failed": 0, "skipped": 2, "failures": []},
            protected=True,
            approvals_required=2,
            approvers="required reviewers of the GitHub environment `production`",
            full_plan_url="https://github.com/octo/platform/actions/runs/1",
        )
    )
    body = cmarkgfm.github_flavored_markdown_to_html(comment, options=Options.CMARK_OPT_UNSAFE)
    page = args.out.with_suffix(".html")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(PAGE.format(title=html.escape(f"plan comment: {args.plan}"), body=body), encoding="utf-8")
    print(f"wrote {page}")

    chromium = find_chromium()
    if chromium is None:
        print("Chromium not found: skipped the screenshot (the HTML page is written)")
        return 0
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=960,1400",
            f"--screenshot={args.out.resolve()}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=SCREENSHOT_TIMEOUT_S,
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
