output "state_bucket_name" {
  description = "Name of the Terraform state bucket; the `bucket` of envs/<env>/backend.hcl."
  value       = module.state_backend.bucket_name
}

output "state_bucket_arn" {
  description = "ARN of the Terraform state bucket."
  value       = module.state_backend.bucket_arn
}

output "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts state."
  value       = module.state_backend.kms_key_arn
}

output "backend_config" {
  description = "Backend settings for envs/<env>/backend.hcl (add a per-environment `key`)."
  value       = module.state_backend.backend_config
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider."
  value       = module.github_oidc.oidc_provider_arn
}

output "plan_role_arn" {
  description = "Role pull-request workflows assume for read-only plans."
  value       = module.github_oidc.plan_role_arn
}

output "apply_role_arns" {
  description = "Role each environment's deploy job assumes, keyed by environment name."
  value       = module.github_oidc.apply_role_arns
}

output "promote_role_arns" {
  description = "Role each promotion's job assumes (`platformctl promote`), keyed by the environment promoted into; PROMOTE_ROLE_ARN_PROD is promote_role_arns[\"prod\"]."
  value       = module.github_oidc.promote_role_arns
}

output "github_oidc_subjects" {
  description = "The OIDC subject form the CI roles trust and the exact subjects of the plan role and of each apply role."
  value = {
    format  = module.github_oidc.subject_format
    plan    = module.github_oidc.plan_role_subjects
    apply   = module.github_oidc.apply_role_subjects
    promote = module.github_oidc.promote_role_subjects
  }
}

output "workload_boundary_arns" {
  description = "Per environment: the permissions boundary every role its stack creates must carry (set `workload_permissions_boundary = true` in envs/<env>/terraform.tfvars)."
  value       = { for env, p in aws_iam_policy.workload_boundary : env => p.arn }
}
