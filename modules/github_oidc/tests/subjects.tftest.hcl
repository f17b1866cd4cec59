# Which OIDC `sub` the trust policies admit: the classic repo:OWNER/NAME form, the immutable
# repo:OWNER@OWNER_ID/NAME@REPO_ID form, both during an opt-in migration, and branch runs for the plan role.
# Plan-mode with a mock provider: assertions read the conditions the trust policy documents are rendered from.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  name_prefix          = "mlplatform"
  github_repository    = "acme/ml-platform"
  create_oidc_provider = false
  oidc_provider_arn    = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
  state_bucket_arn     = "arn:aws:s3:::mlplatform-tfstate-111111111111"
  state_kms_key_arn    = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
  apply_roles = {
    staging = { github_environment = "staging" }
    prod    = { github_environment = "production" }
  }
}

run "classic_without_ids" {
  command = plan

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.plan_assume.statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme/ml-platform:pull_request"])]
    error_message = "Without IDs the plan role must admit exactly the classic pull_request subject."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme/ml-platform:environment:production"])]
    error_message = "Without IDs the prod apply role must admit exactly the classic production-environment subject."
  }

  assert {
    condition     = output.subject_format == "classic" && output.apply_role_subjects["staging"] == ["repo:acme/ml-platform:environment:staging"]
    error_message = "Outputs must report the classic form."
  }
}

run "immutable_with_both_ids" {
  command = plan

  variables {
    github_owner_id      = "1234"
    github_repository_id = "5678"
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.plan_assume.statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:pull_request"])]
    error_message = "With both IDs the plan role must admit only the immutable pull_request subject."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:environment:production"])]
    error_message = "With both IDs the prod apply role must admit only the immutable production-environment subject."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-staging"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:environment:staging"])]
    error_message = "Each apply role stays bound to its own GitHub environment."
  }

  assert {
    condition = alltrue(flatten([
      for doc in concat([data.aws_iam_policy_document.plan_assume], values(data.aws_iam_policy_document.environment_assume)) : [
        for c in one(doc.statement).condition : [for v in c.values : !strcontains(v, "repo:acme/ml-platform:")]
      ]
    ]))
    error_message = "The name-only classic subject must not be trusted once the IDs are known."
  }

  assert {
    condition     = output.subject_format == "immutable" && output.plan_role_subjects == ["repo:acme@1234/ml-platform@5678:pull_request"]
    error_message = "Outputs must report the immutable form."
  }
}

run "migration_trusts_both_forms" {
  command = plan

  variables {
    github_owner_id       = "1234"
    github_repository_id  = "5678"
    trust_classic_subject = true
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.plan_assume.statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:pull_request", "repo:acme/ml-platform:pull_request"])]
    error_message = "During a migration the plan role admits the immutable and the classic pull_request subject, nothing else."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:environment:production", "repo:acme/ml-platform:environment:production"])]
    error_message = "During a migration the prod apply role still admits only the production environment, in both forms."
  }

  assert {
    condition     = output.subject_format == "immutable+classic"
    error_message = "Outputs must report the migration state."
  }
}

run "plan_role_branches_for_drift_checks" {
  command = plan

  variables {
    github_owner_id      = "1234"
    github_repository_id = "5678"
    plan_role_branches   = ["main"]
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.plan_assume.statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:pull_request", "repo:acme@1234/ml-platform@5678:ref:refs/heads/main"])]
    error_message = "The plan role admits pull requests plus runs on the listed branch."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:acme@1234/ml-platform@5678:environment:production"])]
    error_message = "Branch runs must never reach an apply role."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.state_read.statement : alltrue([
        for a in s.actions : contains(["s3:ListBucket", "s3:GetObject", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], a) || (contains(["s3:PutObject", "s3:DeleteObject"], a) && s.resources == toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.tflock"]))
      ])
    ]) && length(aws_iam_role_policy_attachment.plan) == 0
    error_message = "The plan role stays read-only: state reads and lock files only."
  }
}

run "rejects_one_id_only" {
  command = plan

  variables {
    github_owner_id = "1234"
  }

  expect_failures = [var.github_repository_id]
}

run "rejects_non_digit_owner_id" {
  command = plan

  variables {
    github_owner_id      = "acme"
    github_repository_id = "5678"
  }

  expect_failures = [var.github_owner_id]
}

run "rejects_non_digit_repository_id" {
  command = plan

  variables {
    github_owner_id      = "1234"
    github_repository_id = "56-78"
  }

  expect_failures = [var.github_repository_id]
}

run "rejects_migration_without_ids" {
  command = plan

  variables {
    trust_classic_subject = true
  }

  expect_failures = [var.trust_classic_subject]
}

run "rejects_branch_wildcards" {
  command = plan

  variables {
    plan_role_branches = ["release/*"]
  }

  expect_failures = [var.plan_role_branches]
}
