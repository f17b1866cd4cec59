output "oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider the roles trust."
  value       = local.oidc_provider_arn
}

output "plan_role_arn" {
  description = "ARN of the read-only role pull-request workflows assume to plan."
  value       = aws_iam_role.plan.arn
}

output "apply_role_arns" {
  description = "ARNs of the apply roles, keyed by environment name."
  value       = { for env, r in aws_iam_role.apply : env => r.arn }
}

output "apply_role_subjects" {
  description = "The single OIDC subject each apply role admits (repo:OWNER/NAME:environment:GITHUB_ENVIRONMENT), keyed by environment name."
  value       = { for env, r in var.apply_roles : env => "repo:${var.github_repository}:environment:${r.github_environment}" }
}
