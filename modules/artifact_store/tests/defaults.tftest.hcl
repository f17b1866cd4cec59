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
    id  = "mlplatform-test-artifacts"
    arn = "arn:aws:s3:::mlplatform-test-artifacts"
  }
}

override_resource {
  target          = aws_s3_bucket.logs
  override_during = plan
  values = {
    id  = "mlplatform-test-artifacts-logs"
    arn = "arn:aws:s3:::mlplatform-test-artifacts-logs"
  }
}

variables {
  bucket_name = "mlplatform-test-artifacts"
}

run "security_defaults" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The customer-managed key must rotate."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "Versioning must be enabled."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "Objects must be encrypted with SSE-KMS."
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
    condition     = aws_s3_bucket_logging.this.target_bucket == aws_s3_bucket.logs.id
    error_message = "Access logs must go to the log bucket."
  }

  assert {
    condition = contains([
      for s in data.aws_iam_policy_document.bucket.statement : s.sid
      if s.effect == "Deny" && one(s.condition).variable == "aws:SecureTransport" && one(s.condition).values == tolist(["false"])
    ], "DenyInsecureTransport")
    error_message = "The bucket policy must deny non-TLS requests."
  }

  assert {
    condition = length([
      for s in data.aws_iam_policy_document.bucket.statement : s.sid
      if s.effect == "Deny" && one(s.condition).variable == "s3:x-amz-server-side-encryption"
    ]) == 2
    error_message = "The bucket policy must deny uploads without SSE-KMS."
  }
}

run "lifecycle_uses_inputs" {
  command = plan

  variables {
    noncurrent_version_expiration_days     = 400
    abort_incomplete_multipart_upload_days = 2
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

run "read_only_policy_is_read_only" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.read_only.statement : [
        for a in s.actions : contains(["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt"], a)
      ]
    ]))
    error_message = "The consumer policy may only list, get and decrypt."
  }
}

run "rejects_bad_bucket_name" {
  command = plan

  variables {
    bucket_name = "Not_A_Bucket"
  }

  expect_failures = [var.bucket_name]
}

run "rejects_bad_retention" {
  command = plan

  variables {
    noncurrent_version_expiration_days     = 0
    abort_incomplete_multipart_upload_days = 0
    kms_key_deletion_window_days           = 3
  }

  expect_failures = [
    var.noncurrent_version_expiration_days,
    var.abort_incomplete_multipart_upload_days,
    var.kms_key_deletion_window_days,
  ]
}
