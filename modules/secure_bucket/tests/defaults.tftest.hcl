mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111111111111"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

# Bucket IDs and ARNs are only known after apply; pin them so plan-mode asserts can compare wiring.
override_resource {
  target          = aws_s3_bucket.this
  override_during = plan
  values = {
    id  = "mlplatform-test-bucket"
    arn = "arn:aws:s3:::mlplatform-test-bucket"
  }
}

variables {
  bucket_name = "mlplatform-test-bucket"
}

run "security_defaults" {
  command = plan

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation
    error_message = "SSE-KMS is the default and its customer-managed key must rotate."
  }

  assert {
    condition     = aws_kms_alias.this[0].name == "alias/mlplatform-test-bucket"
    error_message = "The key alias must be named after the bucket."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "Versioning must be enabled."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Objects must be encrypted with SSE-KMS by default."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    error_message = "SSE-KMS must use an S3 bucket key."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public-access blocks must be on."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "Object ownership must be BucketOwnerEnforced (ACLs disabled)."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false."
  }

  assert {
    condition = contains([
      for s in data.aws_iam_policy_document.bucket.statement : s.sid
      if s.effect == "Deny" && one(s.condition).variable == "aws:SecureTransport" && one(s.condition).values == tolist(["false"])
      && one(s.principals).type == "AWS" && one(s.principals).identifiers == toset(["*"])
      && s.resources == toset(["arn:aws:s3:::mlplatform-test-bucket", "arn:aws:s3:::mlplatform-test-bucket/*"])
    ], "DenyInsecureTransport")
    error_message = "The bucket policy must deny non-TLS requests to the bucket and its objects, naming everyone as {\"AWS\": \"*\"}."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.bucket.statement) == 1
    error_message = "By default the bucket policy holds only the TLS denial."
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0 && output.access_log_target_bucket == null
    error_message = "Access logging is opt-in."
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule).status == "Enabled" && length(one(aws_s3_bucket_lifecycle_configuration.this.rule).expiration) == 0
    error_message = "The lifecycle rule must be enabled and must not expire current objects by default."
  }
}

run "kms_upload_denials_and_logging" {
  command = plan

  variables {
    deny_non_kms_uploads = true
    access_logging = {
      target_bucket = "mlplatform-test-bucket-logs"
      target_prefix = "s3/mlplatform-test-bucket/"
    }
    lifecycle_rule_id                      = "expire-old"
    noncurrent_version_expiration_days     = 400
    abort_incomplete_multipart_upload_days = 2
  }

  assert {
    condition = length([
      for s in data.aws_iam_policy_document.bucket.statement : s.sid
      if s.effect == "Deny" && one(s.condition).variable == "s3:x-amz-server-side-encryption"
    ]) == 2
    error_message = "deny_non_kms_uploads must deny uploads without SSE-KMS."
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "mlplatform-test-bucket-logs" && aws_s3_bucket_logging.this[0].target_prefix == "s3/mlplatform-test-bucket/"
    error_message = "Access logs must go to access_logging.target_bucket under its prefix."
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule).id == "expire-old"
    error_message = "The lifecycle rule must use lifecycle_rule_id."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this.rule).noncurrent_version_expiration).noncurrent_days == 400
    error_message = "Noncurrent versions must expire after noncurrent_version_expiration_days."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this.rule).abort_incomplete_multipart_upload).days_after_initiation == 2
    error_message = "Incomplete multipart uploads must be aborted after abort_incomplete_multipart_upload_days."
  }
}

run "access_log_target" {
  command = plan

  variables {
    sse_algorithm          = "AES256"
    expiration_days        = 30
    access_log_source_arns = ["arn:aws:s3:::mlplatform-source"]
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && output.kms_key_arn == null
    error_message = "SSE-S3 buckets get no KMS key."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "Access-log targets must use SSE-S3."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this.rule).expiration).days == 30
    error_message = "Current objects must expire after expiration_days."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.bucket.statement :
      s.sid == "AllowS3ServerAccessLogs" && s.effect == "Allow" && one(s.principals).identifiers == toset(["logging.s3.amazonaws.com"])
      && contains([for c in s.condition : c.variable if c.values == tolist(["arn:aws:s3:::mlplatform-source"])], "aws:SourceArn")
      && contains([for c in s.condition : c.variable if c.values == tolist(["111111111111"])], "aws:SourceAccount")
    ])
    error_message = "The logging service may deliver only from access_log_source_arns in this account."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.bucket.statement :
      s.effect == "Deny" && try(one(s.condition).variable, "") == "aws:SecureTransport"
    ])
    error_message = "Log targets must still deny non-TLS requests."
  }
}

run "rejects_bad_inputs" {
  command = plan

  variables {
    bucket_name                        = "Not_A_Bucket"
    sse_algorithm                      = "aws:kms:dsse"
    noncurrent_version_expiration_days = 0
    expiration_days                    = 0
    kms_key_deletion_window_days       = 3
  }

  expect_failures = [
    var.bucket_name,
    var.sse_algorithm,
    var.noncurrent_version_expiration_days,
    var.expiration_days,
    var.kms_key_deletion_window_days,
  ]
}

run "rejects_kms_upload_denial_without_kms" {
  command = plan

  variables {
    sse_algorithm        = "AES256"
    deny_non_kms_uploads = true
  }

  expect_failures = [var.deny_non_kms_uploads]
}
