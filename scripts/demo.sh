#!/usr/bin/env bash
# The main job, end to end, on the local sandbox (no AWS account needed):
# plan + apply the staging foundation, push a placeholder model image into its registry as CI would,
# plan + apply the service on that exact digest, then verify what really got deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV="${1:-staging}"

plan() {  # exit 2 means "changes to apply", which is what we expect here
  local rc=0
  platformctl --sandbox plan "$ENV" "$@" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || exit "$rc"
}

platformctl sandbox status >/dev/null || platformctl sandbox start
plan
platformctl --sandbox apply "$ENV"
registry="$(platformctl --sandbox output "$ENV" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["registry_url"])')"
digest="$(platformctl sandbox push-image "$registry")"
echo "pushed placeholder image ${registry}@${digest}"
plan --image "$digest"
platformctl --sandbox apply "$ENV"
platformctl --sandbox verify "$ENV"
