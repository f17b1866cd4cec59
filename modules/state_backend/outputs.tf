output "bucket_name" {
  description = "Name of the state bucket (the `bucket` in each environment's backend.hcl)."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.bucket.bucket_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts state objects by default."
  value       = module.bucket.kms_key_arn
}

output "backend_config" {
  description = "Backend settings shared by every environment (add `key` per environment): bucket, region, encrypt and use_lockfile."
  value = {
    bucket       = module.bucket.bucket_name
    region       = module.bucket.region
    encrypt      = true
    use_lockfile = true
  }
}
