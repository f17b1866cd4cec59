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

variables {
  bucket_name = "mlplatform-tfstate-111111111111"
}

run "security_defaults" {
  command = plan

  # The bucket-level defaults (versioning, public-access blocks, ownership, TLS-only policy, key rotation) are
  # asserted in modules/secure_bucket/tests; here: what this module asks of it.
  assert {
    condition     = module.bucket.sse_algorithm == "aws:kms"
    error_message = "State must be encrypted with SSE-KMS."
  }

  assert {
    condition     = one(module.bucket.lifecycle_rule.noncurrent_version_expiration).noncurrent_days == 365
    error_message = "Old state versions must be kept for noncurrent_version_expiration_days (365 by default)."
  }

  assert {
    condition     = output.backend_config.use_lockfile && output.backend_config.encrypt
    error_message = "The backend must use S3 native locking and encryption."
  }

  assert {
    condition     = module.bucket.access_log_target_bucket == null
    error_message = "Access logging is opt-in."
  }
}

run "access_logging_opt_in" {
  command = plan

  variables {
    access_log_bucket = "org-access-logs"
  }

  assert {
    condition     = module.bucket.access_log_target_bucket == "org-access-logs"
    error_message = "Access logs must go to access_log_bucket."
  }
}

run "rejects_bad_inputs" {
  command = plan

  variables {
    bucket_name                        = "UPPER_case"
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.bucket_name, var.noncurrent_version_expiration_days]
}

run "audit_log_is_append_only" {
  command = plan

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.append_only_log.statement :
      s.effect == "Deny" && toset(s.resources) == toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/log/*", "arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/numbers/*"])
    ])
    error_message = "The bucket policy must deny deleting or replacing platformctl's log entries, for everyone."
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.append_only_log.statement : s.sid] == ["AuditLogIsNeverDeleted", "AuditLogIsWrittenOnce"]
    error_message = "No deletes at all; writes only as new objects (If-None-Match)."
  }
}

run "record_readers_read_one_environments_state_and_records" {
  command = plan

  variables {
    record_readers = { "platform/staging.tfstate" = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"] }
  }

  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.record_readers[0].statement : s.resources if s.actions == toset(["s3:GetObject"])])) == toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/platform/staging.tfstate", "arn:aws:s3:::mlplatform-tfstate-111111111111/platform/staging.tfstate.platformctl/*"])
    error_message = "A record reader may read that environment's state and records, no other key."
  }

  assert {
    condition     = toset(one([for s in data.aws_iam_policy_document.record_readers[0].statement : one(s.condition).values if s.actions == toset(["s3:ListBucket"])])) == toset(["platform/staging.tfstate.platformctl/*"])
    error_message = "A record reader may list only that environment's records."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.record_readers_decrypt[0].statement).actions == toset(["kms:Decrypt"])
    error_message = "A record reader may only decrypt, through S3."
  }
}

run "rejects_a_wildcard_state_key" {
  command = plan

  variables {
    record_readers = { "platform/*" = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"] }
  }

  expect_failures = [var.record_readers]
}
