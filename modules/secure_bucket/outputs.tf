output "bucket_name" {
  description = "Name of the bucket. Known only once the bucket policy (and so any access-log delivery grant) is attached, so a logging source can target it safely."
  value       = aws_s3_bucket.this.id

  # S3 refuses a logging target whose policy does not yet admit the logging service.
  depends_on = [aws_s3_bucket_policy.this]
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "region" {
  description = "Region the bucket lives in."
  value       = aws_s3_bucket.this.region
}

output "sse_algorithm" {
  description = "Default encryption algorithm of the bucket: \"aws:kms\" or \"AES256\"."
  value       = var.sse_algorithm
}

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the bucket; null with sse_algorithm = \"AES256\"."
  value       = one(aws_kms_key.this[*].arn)
}

output "access_log_target_bucket" {
  description = "Bucket that receives this bucket's server access logs; null when access logging is off."
  value       = one(aws_s3_bucket_logging.this[*].target_bucket)
}

output "lifecycle_rule" {
  description = "The bucket's lifecycle rule as configured: id, status, expiration, noncurrent_version_expiration and abort_incomplete_multipart_upload."
  value       = one(aws_s3_bucket_lifecycle_configuration.this.rule)
}
