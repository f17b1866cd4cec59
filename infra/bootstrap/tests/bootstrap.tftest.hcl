# Plan-mode tests (run: cd infra/bootstrap && terraform init -backend=false && terraform test).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "222222222222"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

variables {
  region            = "eu-west-1"
  github_repository = "example-org/platform-kit"
  environments      = { prod = "production" }
}

run "deploy_policy_is_scoped_to_the_environment" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.deploy["prod"].statement : [
        for r in s.resources : r == "*" || strcontains(r, "mlplatform-prod") || strcontains(r, ":key/*")
      ]
    ]))
    error_message = "Every deploy statement must target the environment's own resources."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.deploy["prod"].statement :
      !contains(s.resources, "*") || length(s.condition) > 0
    ])
    error_message = "Statements on '*' must be conditioned (KMS key creation by request tag)."
  }
}

run "prod_only_from_production" {
  command = plan

  variables {
    environments = { prod = "prod-unprotected" }
  }

  expect_failures = [var.environments]
}

run "ci_roles_trust_the_immutable_subject_when_ids_are_given" {
  command = plan

  variables {
    github_owner_id      = "1234"
    github_repository_id = "5678"
  }

  assert {
    condition     = output.github_oidc_subjects.format == "immutable" && output.github_oidc_subjects.plan == ["repo:example-org@1234/platform-kit@5678:pull_request", "repo:example-org@1234/platform-kit@5678:ref:refs/heads/main"]
    error_message = "The plan role must admit the repository's immutable pull_request subject and drift checks on main."
  }

  assert {
    condition     = output.github_oidc_subjects.apply == { prod = ["repo:example-org@1234/platform-kit@5678:environment:production"] }
    error_message = "The prod apply role must admit only the immutable production-environment subject."
  }
}

run "ci_roles_trust_the_classic_subject_without_ids" {
  command = plan

  assert {
    condition     = output.github_oidc_subjects.format == "classic" && output.github_oidc_subjects.apply == { prod = ["repo:example-org/platform-kit:environment:production"] }
    error_message = "Without IDs the roles keep the classic subject."
  }
}
