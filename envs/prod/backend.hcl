# S3 backend for prod: terraform -chdir=infra/platform init -backend-config=../../envs/prod/backend.hcl
# The bucket comes from infra/bootstrap in the prod account; use_lockfile is S3 native locking (no DynamoDB).
bucket       = "mlplatform-tfstate-222222222222"
key          = "platform/prod.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
