# S3 backend for fargate: terraform -chdir=infra/platform init -backend-config=../../envs/fargate/backend.hcl
# The bucket comes from infra/bootstrap in the account; use_lockfile is S3 native locking (no DynamoDB).
bucket       = "mlplatform-tfstate-111111111111"
key          = "platform/fargate.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
