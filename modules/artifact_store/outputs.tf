output "bucket_name" {
  description = "Name of the artifact bucket."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the artifact bucket."
  value       = module.bucket.bucket_arn
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the artifacts."
  value       = module.bucket.kms_key_arn
}

output "log_bucket_name" {
  description = "Name of the bucket that receives the artifact bucket's server access logs."
  value       = module.logs.bucket_name
}

output "read_only_policy_json" {
  description = "IAM policy document (JSON) granting read-only access to the artifacts (list, get, decrypt) and nothing else; attach it to consumers such as the service's instance role."
  value       = data.aws_iam_policy_document.read_only.json
}
