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
  target          = module.bucket.aws_s3_bucket.this
  override_during = plan
  values = {
    id  = "mlplatform-test-artifacts"
    arn = "arn:aws:s3:::mlplatform-test-artifacts"
  }
}

override_resource {
  target          = module.logs.aws_s3_bucket.this
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

  # The bucket-level defaults (versioning, public-access blocks, ownership, TLS-only policy, key rotation) are
  # asserted in modules/secure_bucket/tests; here: how this module wires the two buckets.
  assert {
    condition     = module.bucket.sse_algorithm == "aws:kms"
    error_message = "Artifacts must be encrypted with SSE-KMS."
  }

  assert {
    condition     = module.logs.sse_algorithm == "AES256"
    error_message = "The log bucket must use SSE-S3 (server access logging cannot deliver to SSE-KMS buckets)."
  }

  assert {
    condition     = output.bucket_name == "mlplatform-test-artifacts" && output.log_bucket_name == "mlplatform-test-artifacts-logs"
    error_message = "The log bucket must be named after the artifact bucket with a \"-logs\" suffix."
  }

  assert {
    condition     = module.bucket.access_log_target_bucket == output.log_bucket_name
    error_message = "Access logs must go to the log bucket."
  }

  assert {
    condition     = module.logs.access_log_target_bucket == null
    error_message = "The log bucket must not log to itself."
  }
}

run "lifecycle_uses_inputs" {
  command = plan

  variables {
    noncurrent_version_expiration_days     = 400
    abort_incomplete_multipart_upload_days = 2
  }

  assert {
    condition     = one(module.bucket.lifecycle_rule.noncurrent_version_expiration).noncurrent_days == 400
    error_message = "Noncurrent versions must expire after noncurrent_version_expiration_days."
  }

  assert {
    condition     = one(module.bucket.lifecycle_rule.abort_incomplete_multipart_upload).days_after_initiation == 2
    error_message = "Incomplete multipart uploads must be aborted after abort_incomplete_multipart_upload_days."
  }

  assert {
    condition     = one(module.logs.lifecycle_rule.abort_incomplete_multipart_upload).days_after_initiation == 2
    error_message = "The log bucket must abort incomplete multipart uploads after abort_incomplete_multipart_upload_days too."
  }
}

run "log_retention_uses_input" {
  command = plan

  variables {
    log_retention_days = 30
  }

  assert {
    condition     = one(module.logs.lifecycle_rule.expiration).days == 30
    error_message = "Access logs must expire after log_retention_days."
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

run "promotion_readers_get_model_versions_and_decrypt_through_s3_only" {
  command = plan

  variables {
    promotion_reader_arns = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"]
  }

  assert {
    condition     = one(data.aws_iam_policy_document.promotion_read_objects[0].statement).actions == toset(["s3:GetObject", "s3:GetObjectVersion"]) && one(one(data.aws_iam_policy_document.promotion_read_objects[0].statement).principals).identifiers == toset(["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"])
    error_message = "The bucket policy must let the promote role read objects, and nothing more."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.promotion_decrypt[0].statement).actions == toset(["kms:Decrypt"]) && one(one(data.aws_iam_policy_document.promotion_decrypt[0].statement).condition).variable == "kms:ViaService"
    error_message = "The key policy must let the promote role decrypt only through S3."
  }
}

run "no_promotion_readers_no_grants" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.promotion_read_objects) == 0 && length(data.aws_iam_policy_document.promotion_decrypt) == 0
    error_message = "Without promotion readers neither policy grants anyone else anything."
  }
}
