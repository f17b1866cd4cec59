locals {
  log_bucket_name = "${var.bucket_name}-logs"
}

################################################################################
# Artifact bucket (SSE-KMS with its own customer-managed key)
################################################################################

module "bucket" {
  source = "../secure_bucket"

  bucket_name   = var.bucket_name
  force_destroy = var.force_destroy

  sse_algorithm                = "aws:kms"
  kms_key_description          = "Encrypts model artifacts in s3://${var.bucket_name}"
  kms_key_deletion_window_days = var.kms_key_deletion_window_days
  deny_non_kms_uploads         = true

  lifecycle_rule_id                      = "expire-noncurrent-versions"
  noncurrent_version_expiration_days     = var.noncurrent_version_expiration_days
  abort_incomplete_multipart_upload_days = var.abort_incomplete_multipart_upload_days

  # module.logs.bucket_name is only known once the log bucket's policy admits the logging service.
  access_logging = {
    target_bucket = module.logs.bucket_name
    target_prefix = "s3/${var.bucket_name}/"
  }

  tags = var.tags
}

################################################################################
# Access-log bucket (SSE-S3: server access logging cannot deliver to SSE-KMS buckets)
################################################################################

module "logs" {
  source = "../secure_bucket"

  bucket_name   = local.log_bucket_name
  force_destroy = var.force_destroy

  sse_algorithm = "AES256"

  lifecycle_rule_id                      = "expire-access-logs"
  expiration_days                        = var.log_retention_days
  noncurrent_version_expiration_days     = 1
  abort_incomplete_multipart_upload_days = var.abort_incomplete_multipart_upload_days

  access_log_source_arns = [module.bucket.bucket_arn]

  tags = var.tags
}

################################################################################
# Read-only access for consumers
################################################################################

data "aws_iam_policy_document" "read_only" {
  statement {
    sid       = "ListArtifacts"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [module.bucket.bucket_arn]
  }

  statement {
    sid       = "ReadArtifacts"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${module.bucket.bucket_arn}/*"]
  }

  statement {
    sid       = "DecryptArtifacts"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [module.bucket.kms_key_arn]
  }
}
