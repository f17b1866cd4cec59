"""Render the model row of an environment's CloudWatch dashboard as an SVG picture.

CloudWatch draws dashboards only in the AWS console, so this reads what the console would: the dashboard's own
JSON (GetDashboard), its model widget (the metric, its statistic and period, the band's horizontal annotations),
and the metric's datapoints (GetMetricStatistics over the last `hours`), and draws the same row: the mean
prediction per period against the band. README's picture was made by tests/deployment/test_model_guardrails.py
with release B deployed.

    python scripts/dashboard_row_svg.py DASHBOARD_NAME OUT.svg   # AWS_* / AWS_ENDPOINT_URL from the environment
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD, RIGHT = 960, 300, 60, 140  # RIGHT: room for the band labels


def model_widget(body: dict[str, Any]) -> dict[str, Any]:
    for widget in body.get("widgets", []):
        properties = widget.get("properties", {})
        if properties.get("annotations", {}).get("horizontal") and properties.get("title", "").startswith("Model "):
            return properties
    raise SystemExit("the dashboard has no model row: it appears once the stack has model guardrails and a baseline")


def datapoints(cloudwatch: Any, widget: dict[str, Any], hours: float) -> list[tuple[datetime, float]]:
    namespace, metric, *rest = widget["metrics"][0]
    options = rest.pop() if rest and isinstance(rest[-1], dict) else {}
    dimensions = [{"Name": rest[i], "Value": rest[i + 1]} for i in range(0, len(rest), 2)]
    stat = options.get("stat", "Average")
    end = datetime.now(UTC) + timedelta(minutes=1)
    found = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=dimensions,
        StartTime=end - timedelta(hours=hours),
        EndTime=end,
        Period=int(widget.get("period", 60)),
        Statistics=[stat],
    )["Datapoints"]
    return sorted((p["Timestamp"], float(p[stat])) for p in found)


def render(widget: dict[str, Any], points: list[tuple[datetime, float]]) -> str:
    bands = [(a.get("label", ""), float(a["value"])) for a in widget["annotations"]["horizontal"]]
    values = [v for _, v in points] + [v for _, v in bands]
    low, high = min(values + [0.0]), max(values)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    times = [t.timestamp() for t, _ in points] or [0.0]
    t0, t_span = min(times), (max(times) - min(times)) or 1.0

    def x(t: datetime) -> float:
        return (
            PAD + (t.timestamp() - t0) / t_span * (WIDTH - PAD - RIGHT)
            if len(points) > 1
            else (WIDTH - RIGHT + PAD) / 2
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
        'font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white" stroke="#ccc"/>',
        f'<text x="{PAD}" y="24" font-size="14" font-weight="bold">{escape(widget["title"])}</text>',
    ]
    (_, band_low), (_, band_high) = bands[0], bands[-1]
    parts.append(
        f'<rect x="{PAD}" y="{y(band_high):.1f}" width="{WIDTH - PAD - RIGHT}" height="{y(band_low) - y(band_high):.1f}" '
        'fill="#2ca02c" fill-opacity="0.12"/>'
    )
    for label, value in bands:
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#2ca02c" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(f'<text x="{WIDTH - RIGHT + 6}" y="{y(value) + 4:.1f}">{escape(label)} {value:,.0f}</text>')
    if len(points) > 1:
        line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for t, v in points:
        colour = "#d62728" if not band_low <= v <= band_high else "#1f77b4"
        parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="5" fill="{colour}"/>')
        parts.append(f'<text x="{x(t) + 8:.1f}" y="{y(v) - 8:.1f}">mean prediction {v:,.1f} at {t:%H:%M} UTC</text>')
    parts.append(f'<line x1="{PAD}" x2="{WIDTH - RIGHT}" y1="{y(low):.1f}" y2="{y(low):.1f}" stroke="#999"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    import boto3

    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    cloudwatch = boto3.client("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=argv[0])["DashboardBody"])
    widget = model_widget(body)
    with open(argv[1], "w", encoding="utf-8") as out:
        out.write(render(widget, datapoints(cloudwatch, widget, hours=3)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
