mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = aws_iam_openid_connect_provider.this
  override_during = plan
  values = {
    arn = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
  }
}

variables {
  name_prefix       = "mlplatform"
  github_repository = "example-org/platform-kit"
  state_bucket_arn  = "arn:aws:s3:::mlplatform-tfstate-111111111111"
  state_kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
  apply_roles = {
    staging = { github_environment = "staging" }
    prod = {
      github_environment = "production"
      policies           = { deploy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
    }
  }
}

run "trust_is_narrow" {
  command = plan

  assert {
    condition     = aws_iam_openid_connect_provider.this[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.this[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The provider must be GitHub's, for STS."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.plan_assume.statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:example-org/platform-kit:pull_request"])]
    error_message = "The plan role must admit only pull requests of the repository."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:example-org/platform-kit:environment:production"])]
    error_message = "The prod apply role must admit only the production GitHub environment."
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["apply-staging"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:aud"
    ] == [tolist(["sts.amazonaws.com"])]
    error_message = "Apply roles must require the STS audience."
  }

  assert {
    condition     = aws_iam_role.apply["prod"].name == "mlplatform-github-apply-prod" && aws_iam_role.plan.name == "mlplatform-github-plan"
    error_message = "Role names follow the prefix."
  }

  assert {
    condition     = keys(aws_iam_role_policy.apply_deploy) == ["prod:deploy"] && aws_iam_role_policy.apply_deploy["prod:deploy"].name == "deploy"
    error_message = "Each environment gets exactly its own deploy policies."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.state_read.statement : [
        for a in s.actions : !contains(["s3:PutObject", "s3:DeleteObject"], a) || s.resources == toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.tflock"])
      ]
    ]))
    error_message = "The plan role may write lock files only, never state."
  }
}

run "existing_provider" {
  command = plan

  variables {
    create_oidc_provider = false
    oidc_provider_arn    = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.this) == 0 && output.oidc_provider_arn == var.oidc_provider_arn
    error_message = "An existing provider must be reused, not created."
  }
}

run "rejects_missing_provider" {
  command = plan

  variables {
    create_oidc_provider = false
  }

  expect_failures = [var.oidc_provider_arn]
}

run "rejects_bad_repository_and_wildcard_environment" {
  command = plan

  variables {
    github_repository = "not a repo"
    apply_roles = {
      prod = { github_environment = "*" }
    }
  }

  expect_failures = [var.github_repository, var.apply_roles]
}

run "promote_role_trusts_its_environment_and_cannot_write_state" {
  command = plan

  variables {
    promote_roles = {
      prod = {
        github_environment = "prod-promote"
        policies           = { promote = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
      }
    }
  }

  assert {
    condition = [
      for c in one(data.aws_iam_policy_document.environment_assume["promote-prod"].statement).condition : c.values
      if c.variable == "token.actions.githubusercontent.com:sub"
    ] == [tolist(["repo:example-org/platform-kit:environment:prod-promote"])]
    error_message = "The prod promote role must admit only the prod-promote GitHub environment."
  }

  assert {
    condition     = aws_iam_role.promote["prod"].name == "mlplatform-github-promote-prod" && keys(aws_iam_role_policy.promote) == ["prod:promote"]
    error_message = "One promote role per environment, with its own policies."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.records_write["prod"].statement : [
        for a in s.actions : !contains(["s3:PutObject", "s3:DeleteObject"], a) || contains([
          toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.tflock"]),
          toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/lock.json"]),
          toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/log/*-request-*.json", "arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/numbers/*", "arn:aws:s3:::mlplatform-tfstate-111111111111/*.platformctl/plans/*"]),
        ], s.resources)
      ]
    ]))
    error_message = "A promote role may write lock files, its requests and their plans, never state, approvals or other log entries."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.records_write["prod"].statement :
      length(s.condition) > 0 if anytrue([for r in s.resources : strcontains(r, ".platformctl/log/") || strcontains(r, ".platformctl/numbers/") || strcontains(r, ".platformctl/plans/")])
    ])
    error_message = "A promote role writes requests and plans only as new objects (If-None-Match), never over an existing one."
  }
}

run "promote_role_with_a_records_key_writes_only_that_environments_log" {
  command = plan

  variables {
    promote_roles = {
      prod = { github_environment = "prod-promote", records_key = "platform/prod.tfstate" }
    }
  }

  assert {
    condition = toset(flatten([
      for s in data.aws_iam_policy_document.records_write["prod"].statement : s.resources if contains(s.actions, "s3:PutObject")
    ])) == toset(["arn:aws:s3:::mlplatform-tfstate-111111111111/platform/prod.tfstate.platformctl/log/*-request-*.json", "arn:aws:s3:::mlplatform-tfstate-111111111111/platform/prod.tfstate.platformctl/numbers/*", "arn:aws:s3:::mlplatform-tfstate-111111111111/platform/prod.tfstate.platformctl/plans/*", "arn:aws:s3:::mlplatform-tfstate-111111111111/platform/prod.tfstate.platformctl/lock.json"])
    error_message = "With a records key the promote role writes requests, plans and the lock of that environment only."
  }
}
