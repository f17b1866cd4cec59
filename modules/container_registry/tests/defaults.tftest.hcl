mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name = "mlplatform-test"
}

run "security_defaults" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Tags must be immutable."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Images must be scanned on push."
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "Images must be encrypted with KMS."
  }

  assert {
    condition     = aws_ecr_repository.this.force_delete == false
    error_message = "force_delete must default to false."
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 0
    error_message = "No repository policy without pull principals."
  }
}

run "lifecycle_policy_uses_inputs" {
  command = plan

  variables {
    lifecycle_keep_release_images  = 12
    lifecycle_untagged_expire_days = 3
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection.countNumber == 3
    error_message = "Untagged images must expire after lifecycle_untagged_expire_days."
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection.countNumber == 12
    error_message = "Release images kept must follow lifecycle_keep_release_images."
  }
}

run "pull_policy_for_principals" {
  command = plan

  variables {
    pull_principal_arns = ["arn:aws:iam::111111111111:role/mlplatform-test-access"]
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 1
    error_message = "A repository policy must be created for pull principals."
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.pull[0].statement).principals).identifiers == toset(["arn:aws:iam::111111111111:role/mlplatform-test-access"])
    error_message = "Only the given principals may pull."
  }
}

run "rejects_bad_name" {
  command = plan

  variables {
    name = "Bad_Name!"
  }

  expect_failures = [var.name]
}

run "rejects_bad_retention" {
  command = plan

  variables {
    lifecycle_untagged_expire_days = 0
    lifecycle_keep_release_images  = 0
  }

  expect_failures = [var.lifecycle_untagged_expire_days, var.lifecycle_keep_release_images]
}

run "rejects_bad_principal" {
  command = plan

  variables {
    pull_principal_arns = ["not-an-arn"]
  }

  expect_failures = [var.pull_principal_arns]
}

run "promotion_readers_pull_by_digest_and_nothing_else" {
  command = plan

  variables {
    promotion_reader_arns = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"]
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 1 && [for s in data.aws_iam_policy_document.pull[0].statement : s.sid] == ["PromotionReadersPullByDigest"]
    error_message = "Promotion readers alone get a repository policy with their one statement."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.pull[0].statement).actions == toset(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"])
    error_message = "Promotion readers may read images, not push or change them."
  }
}

run "rejects_a_reader_that_is_not_a_role" {
  command = plan

  variables {
    promotion_reader_arns = ["arn:aws:iam::222222222222:root"]
  }

  expect_failures = [var.promotion_reader_arns]
}
