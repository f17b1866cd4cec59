"""platformctl promote SOURCE TARGET: the release SOURCE runs and verified, copied into TARGET and planned there,
as a request that TARGET's approvers review (`platformctl approve`)."""

from __future__ import annotations

import click

from platform_cli.core import deploy

from ._common import AppContext, json_option, pass_app
from ._identity import requester


@click.command()
@click.argument("source")
@click.argument("target")
@json_option
@pass_app
def promote(app: AppContext, source: str, target: str, as_json: bool) -> None:
    """Promote SOURCE's verified release to TARGET: copy image and model, plan TARGET, write a request."""
    if source == target:
        raise click.UsageError("SOURCE and TARGET must be different environments")
    app.console.json_mode = as_json
    src, dst = app.stack(source), app.stack(target)
    planned = deploy.promote(src, dst, requester(dst))
    if planned.request is None:
        if as_json:
            app.console.json({"request_id": None, "summary": planned.record.summary_line()})
        else:
            app.console.info(f"nothing to promote: {target} already runs {source}'s release (no request written)")
        return
    request = planned.request
    if as_json:
        app.console.json(
            {
                "request_id": request["request_id"],
                "plan_sha256": request["plan_sha256"],
                "release": request["release"],
                "release_id": request["release_id"],
                "summary": request["summary"],
                "requested_by": request["requested_by"],
            }
        )
        return
    app.console.print(planned.record.summary_line(), "bold")
    app.console.print(
        f"request {request['request_id']}: release {request['release_id']} "
        f"(image {request['release']['image']}) from {source}, plan {request['plan_sha256'][:12]}"
    )
    app.console.info(
        f"next: another person runs `platformctl approve {target} {request['request_id']}`, "
        f"then `platformctl apply {target}`"
    )
