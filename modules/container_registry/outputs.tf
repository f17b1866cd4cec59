output "repository_name" {
  description = "Name of the ECR repository."
  value       = aws_ecr_repository.this.name
}

output "repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "URL of the repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME), to which a digest (@sha256:...) or tag (:TAG) is appended."
  value       = aws_ecr_repository.this.repository_url
}

output "registry_id" {
  description = "Account ID of the registry that holds the repository."
  value       = aws_ecr_repository.this.registry_id
}

output "lifecycle_policy" {
  description = "The lifecycle policy JSON applied to the repository."
  value       = aws_ecr_lifecycle_policy.this.policy
}
