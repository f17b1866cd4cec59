output "bucket_name" {
  description = "Name of the state bucket (the `bucket` in each environment's backend.hcl)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts state objects by default."
  value       = aws_kms_key.this.arn
}

output "backend_config" {
  description = "Backend settings shared by every environment (add `key` per environment): bucket, region, encrypt and use_lockfile."
  value = {
    bucket       = aws_s3_bucket.this.id
    region       = aws_s3_bucket.this.region
    encrypt      = true
    use_lockfile = true
  }
}
