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

output "subject_format" {
  description = "Which OIDC subject form the roles trust: \"immutable\" (repo:OWNER@OWNER_ID/NAME@REPO_ID:...), \"classic\" (repo:OWNER/NAME:...) or \"immutable+classic\" while trust_classic_subject is on."
  value       = !local.immutable_subjects ? "classic" : (var.trust_classic_subject ? "immutable+classic" : "immutable")
}

output "plan_role_subjects" {
  description = "The exact OIDC subjects the plan role admits: pull requests, plus runs on plan_role_branches."
  value       = local.plan_subjects
}

output "apply_role_subjects" {
  description = "The exact OIDC subjects each apply role admits (repo:...:environment:GITHUB_ENVIRONMENT, one per trusted subject form), keyed by environment name."
  value       = local.apply_subjects
}

output "promote_role_arns" {
  description = "ARNs of the promote roles, keyed by the environment they promote into."
  value       = { for env, r in aws_iam_role.promote : env => r.arn }
}

output "promote_role_subjects" {
  description = "The exact OIDC subjects each promote role admits, keyed by environment name."
  value       = local.promote_subjects
}
