# State locking uses S3 native lock files (`use_lockfile = true`, Terraform >= 1.10): the lock is a
# `<key>.tflock` object in this bucket, so no DynamoDB table is created (DynamoDB locking is deprecated).

# SSE-KMS by default with a customer-managed key. Uploads that do not name SSE-KMS are not denied: the S3
# backend with `encrypt = true` and no kms_key_id asks for SSE-S3 explicitly.
module "bucket" {
  source = "../secure_bucket"

  bucket_name   = var.bucket_name
  force_destroy = var.force_destroy

  sse_algorithm                = "aws:kms"
  kms_key_description          = "Encrypts Terraform state in s3://${var.bucket_name}"
  kms_key_deletion_window_days = var.kms_key_deletion_window_days

  lifecycle_rule_id                      = "expire-old-state-versions"
  noncurrent_version_expiration_days     = var.noncurrent_version_expiration_days
  abort_incomplete_multipart_upload_days = 7

  access_logging = var.access_log_bucket == null ? null : {
    target_bucket = var.access_log_bucket
    target_prefix = "s3/${var.bucket_name}/"
  }

  policy_documents         = concat([data.aws_iam_policy_document.append_only_log.json], data.aws_iam_policy_document.record_readers[*].json)
  kms_key_policy_documents = data.aws_iam_policy_document.record_readers_decrypt[*].json

  tags = var.tags
}

# platformctl's audit log beside the state (<key>.platformctl/log/ and numbers/, see platform_cli/core/records.py)
# is append-only for everyone, whatever their identity policy says: no delete, no write that could replace an
# entry (only conditional puts with If-None-Match). Not S3 Object Lock: it must be enabled when a bucket is created
# (existing state buckets could not adopt it) and its retention would also pin every state version.
data "aws_partition" "current" {}

data "aws_iam_policy_document" "append_only_log" {
  statement {
    sid       = "AuditLogIsNeverDeleted"
    effect    = "Deny"
    actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
    resources = local.log_objects

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }

  statement {
    sid       = "AuditLogIsWrittenOnce"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = local.log_objects

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Null"
      variable = "s3:if-none-match"
      values   = ["true"]
    }
  }
}

locals {
  log_objects = [
    "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/*.platformctl/log/*",
    "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/*.platformctl/numbers/*",
  ]
}

# Roles of other accounts that read one environment's state and records (a promote role checking the verify record
# of the release it copies). Identity policies in their own account must allow the same reads.
data "aws_region" "current" {}

data "aws_iam_policy_document" "record_readers" {
  count = length(var.record_readers) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = var.record_readers

    content {
      sid       = "ReadRecordsOf${replace(title(replace(statement.key, "/[^A-Za-z0-9]+/", " ")), " ", "")}"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${statement.key}", "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${statement.key}.platformctl/*"]

      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }

  dynamic "statement" {
    for_each = var.record_readers

    content {
      sid       = "ListRecordsOf${replace(title(replace(statement.key, "/[^A-Za-z0-9]+/", " ")), " ", "")}"
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"]

      principals {
        type        = "AWS"
        identifiers = statement.value
      }

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${statement.key}.platformctl/*"]
      }
    }
  }
}

data "aws_iam_policy_document" "record_readers_decrypt" {
  #checkov:skip=CKV_AWS_111:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_109:Key policy, not an IAM policy: Resource "*" means this key only.
  count = length(var.record_readers) > 0 ? 1 : 0

  statement {
    sid       = "RecordReadersDecryptThroughS3"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = distinct(flatten(values(var.record_readers)))
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}
