# S3 backend for staging: terraform -chdir=infra/platform init -backend-config=../../envs/staging/backend.hcl
# The bucket comes from infra/bootstrap in the staging account; use_lockfile is S3 native locking (no DynamoDB).
bucket       = "mlplatform-tfstate-111111111111"
key          = "platform/staging.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
