# One secure S3 bucket: BucketOwnerEnforced ownership, all four public-access blocks, versioning, default
# encryption (SSE-KMS with its own rotating customer-managed key, or SSE-S3 where AWS allows nothing else),
# a lifecycle rule, a bucket policy that denies non-TLS requests, and optional server access logging.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  kms = var.sse_algorithm == "aws:kms"
}

################################################################################
# Customer-managed key (SSE-KMS only)
################################################################################

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_111:Key policy, not an IAM policy: Resource "*" means this key only, and the account root grant is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_356:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_109:Key policy, not an IAM policy: Resource "*" means this key only, and the account root grant is AWS's default delegation to IAM.
  count = local.kms ? 1 : 0

  source_policy_documents = var.kms_key_policy_documents

  statement {
    sid       = "AccountAdministers"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.kms ? 1 : 0

  description             = coalesce(var.kms_key_description, "Encrypts objects in s3://${var.bucket_name}")
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.kms ? 1 : 0

  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.this[0].key_id
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is a DR choice left to the account: artifacts are rebuilt from source and the registry, state history is kept by versioning, access logs are audit copies with a retention period.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to writes to these buckets (artifacts, state, access logs); event notifications would have no target.
  #checkov:skip=CKV_AWS_18:Access logging is opt-in through access_logging: an access-log target bucket cannot log to itself (it would loop), and the state bucket's log bucket is account-level infrastructure (CloudTrail data events cover state access otherwise).
  #checkov:skip=CKV_AWS_145:SSE-KMS is the default (sse_algorithm = "aws:kms"); AES256 is only for access-log targets, because S3 server access logging only delivers to buckets encrypted with SSE-S3, not SSE-KMS.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = local.kms ? aws_kms_key.this[0].arn : null
    }
    bucket_key_enabled = local.kms ? true : null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = var.lifecycle_rule_id
    status = "Enabled"

    filter {}

    dynamic "expiration" {
      for_each = var.expiration_days == null ? [] : [var.expiration_days]
      content {
        days = expiration.value
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  # Versioning must be on before noncurrent-version rules mean anything.
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.access_logging == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_logging.target_bucket
  target_prefix = var.access_logging.target_prefix
}

################################################################################
# Bucket policy
################################################################################

# Deny statements name everyone as {"AWS": "*"}, which AWS treats exactly like "*"; the object form also keeps
# moto's logging-target check (which assumes an object Principal) from failing on this policy.
data "aws_iam_policy_document" "bucket" {
  source_policy_documents = var.policy_documents

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # Uploads must ask for SSE-KMS: a different algorithm (StringNotEquals) or no header at all (Null) is denied.
  dynamic "statement" {
    for_each = var.deny_non_kms_uploads ? {
      DenyIncorrectEncryptionHeader = { test = "StringNotEquals", values = ["aws:kms"] }
      DenyUnencryptedObjectUploads  = { test = "Null", values = ["true"] }
    } : {}
    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = statement.value.test
        variable = "s3:x-amz-server-side-encryption"
        values   = statement.value.values
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.access_log_source_arns) > 0 ? [1] : []
    content {
      sid       = "AllowS3ServerAccessLogs"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = var.access_log_source_arns
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [data.aws_caller_identity.current.account_id]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  # A policy cannot be attached while the public-access block is being changed.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
