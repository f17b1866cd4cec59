data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  log_bucket_name = "${var.bucket_name}-logs"
  bucket_arn      = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  promotion_read  = length(var.promotion_reader_arns) > 0
}

################################################################################
# Promotion from another account: its promote role reads model objects, and S3
# decrypts them for it with this store's key (both grants, as AWS requires).
################################################################################

data "aws_iam_policy_document" "promotion_read_objects" {
  count = local.promotion_read ? 1 : 0

  statement {
    sid       = "PromotionReadersGetModelVersions"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = var.promotion_reader_arns
    }
  }
}

data "aws_iam_policy_document" "promotion_decrypt" {
  #checkov:skip=CKV_AWS_111:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_109:Key policy, not an IAM policy: Resource "*" means this key only.
  count = local.promotion_read ? 1 : 0

  statement {
    sid       = "PromotionReadersDecryptThroughS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = var.promotion_reader_arns
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
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
  policy_documents             = data.aws_iam_policy_document.promotion_read_objects[*].json
  kms_key_policy_documents     = data.aws_iam_policy_document.promotion_decrypt[*].json

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
