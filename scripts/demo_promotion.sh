#!/usr/bin/env bash
# The promotion story across two accounts, on the local sandbox (no AWS account needed), from one terminal:
# staging (account 111111111111) deployed and verified; prod (222222222222): its foundation asked for, approved by a
# second person (bob, an IAM user of prod's account) and applied; `promote staging prod` copies staging's image and
# model into prod's account, bob approves, prod is applied and verified on staging's digest; `history prod`.
# Each environment is reached with the profile its env.yaml names (a copy of the repository in a temporary folder,
# so this tree is left as it is), the way a platform engineer's terminal reaches two real accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGING=111111111111
PROD=222222222222

work="$(mktemp -d)"
root="$work/repo"
echo "== a copy of the repository in $root; staging in account $STAGING, prod in $PROD"
mkdir -p "$root"
git ls-files -z infra/platform modules envs | xargs -0 -I{} cp --parents {} "$root/"
commit() { git -C "$root" add -A && git -C "$root" -c user.email=demo@example.com -c user.name=demo commit -qm "$1"; }
git -C "$root" init -q
commit "the platform, as this repository has it"
# The sandbox this tree's `make demo` uses, also for the commands run in the copy.
export PLATFORMCTL_SANDBOX_DIR="${PLATFORMCTL_SANDBOX_DIR:-$PWD/.platformctl/sandbox}"
platformctl sandbox status >/dev/null || platformctl sandbox start
eval "$(platformctl sandbox env)"

key_of() {  # the sandbox root's access key of account $1
  platformctl sandbox env --account "$1" | sed -n 's/^export AWS_ACCESS_KEY_ID=//p'
}
secret="$(platformctl sandbox env --account "$STAGING" | sed -n 's/^export AWS_SECRET_ACCESS_KEY=//p')"
cat >"$work/credentials" <<EOF
[staging-admin]
aws_access_key_id = $(key_of "$STAGING")
aws_secret_access_key = $secret
[prod-admin]
aws_access_key_id = $(key_of "$PROD")
aws_secret_access_key = $secret
EOF
for env in staging prod; do
  printf 'credentials:\n  profile: %s-admin\n' "$env" >>"$root/envs/$env/env.yaml"
  echo 'use_path_style = true  # the sandbox is an IP address' >>"$root/envs/$env/backend.hcl"
done
commit "each environment in its own account"
# From here on every environment is reached with its env.yaml profile: no keys of our own.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_PROFILE
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials" AWS_CONFIG_FILE="$work/config"
touch "$AWS_CONFIG_FILE"

echo "== what infra/bootstrap makes in each account, in short: a versioned state bucket; and bob in prod's account"
bob="$(python3 - "$root" <<'EOF'
import json
import sys
from pathlib import Path

import boto3

from platform_cli.core import settings
from platform_cli.core.paths import Paths

paths = Paths(Path(sys.argv[1]))
for name in ("staging", "prod"):
    env = settings.load_env(paths, name)
    s3 = boto3.Session(profile_name=f"{name}-admin").client("s3", region_name=env.region)
    s3.create_bucket(Bucket=env.state_bucket, CreateBucketConfiguration={"LocationConstraint": env.region})
    s3.put_bucket_versioning(Bucket=env.state_bucket, VersioningConfiguration={"Status": "Enabled"})
iam = boto3.Session(profile_name="prod-admin").client("iam")
iam.create_user(UserName="bob")
admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
iam.put_user_policy(UserName="bob", PolicyName="administrator", PolicyDocument=json.dumps(admin))
key = iam.create_access_key(UserName="bob")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
EOF
)"
read -r bob_key bob_secret <<<"$bob"
as_bob() { AWS_ACCESS_KEY_ID="$bob_key" AWS_SECRET_ACCESS_KEY="$bob_secret" platformctl --root "$root" "$@"; }
pctl() { platformctl --root "$root" "$@"; }
planned() {  # exit 2 means "changes to apply", which is what we expect here
  local rc=0
  pctl plan "$@" || rc=$?
  [ "$rc" -eq 2 ] || { echo "plan $* exited $rc, expected 2 (changes)" >&2; exit 1; }
}

pctl envs
pctl doctor || true  # per environment: its profile reaches its account (fargate names none: FAIL here)

echo "== prod's foundation: asked for (prod's admin), approved by bob, applied; beside staging's (log: $work/prod.log)"
(
  planned prod --request
  as_bob approve prod
  pctl apply prod || true  # verify finds no service yet: the foundation has none
) >"$work/prod.log" 2>&1 &
prod_foundation=$!

echo "== staging: foundation, a build pushed into its registry (account $STAGING), deployed and verified"
planned staging
pctl apply staging
registry="$(pctl output staging --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["registry_url"])')"
digest="$(platformctl sandbox push-image "$registry" --tag build-1)"
echo "pushed ${registry}@${digest}"
planned staging --image "$digest"
pctl apply staging
pctl verify staging
wait "$prod_foundation" || { cat "$work/prod.log"; exit 1; }
echo "== prod's foundation applied"

echo "== promote staging prod: staging read as staging-admin, prod written as prod-admin"
pctl promote staging prod
as_bob approve prod
pctl apply prod
shipped="$(pctl output prod --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["service_image"])')"
case "$shipped" in
  "$PROD".*"@$digest") echo "prod (account $PROD) runs staging's digest: $shipped" ;;
  *) echo "prod runs $shipped, not staging's $digest from prod's own registry" >&2; exit 1 ;;
esac
pctl history prod
echo "== done: the copy is in $root; \`platformctl sandbox stop\` ends the sandbox and everything in it"
