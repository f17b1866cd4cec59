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

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "State must be versioned."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "State must be encrypted with SSE-KMS."
  }

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The state key must rotate."
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
    condition = anytrue([
      for s in data.aws_iam_policy_document.bucket.statement :
      s.effect == "Deny" && one(s.condition).variable == "aws:SecureTransport" && one(s.condition).values == tolist(["false"])
    ])
    error_message = "The bucket policy must deny non-TLS requests."
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false."
  }

  assert {
    condition     = output.backend_config.use_lockfile && output.backend_config.encrypt
    error_message = "The backend must use S3 native locking and encryption."
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "Access logging is opt-in."
  }
}

run "access_logging_opt_in" {
  command = plan

  variables {
    access_log_bucket = "org-access-logs"
  }

  assert {
    condition     = aws_s3_bucket_logging.this[0].target_bucket == "org-access-logs"
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
