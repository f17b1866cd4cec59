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

  # Where AWS generates a resource's name (EC2 ids, keys, task definitions) the statement is scoped by the
  # environment tag instead. Two cannot be either way, and say so: deregistering task definitions and scalable
  # targets take no name or tag condition in IAM.
  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.deploy["prod"].statement : [
        for r in s.resources : strcontains(r, "mlplatform-prod") || length(s.condition) > 0 || contains(["RetireTaskDefinitions", "Scaling"], s.sid)
      ] if s.effect == "Allow"
    ]))
    error_message = "Every deploy statement must target the environment's own resources, by name or by tag."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.deploy["prod"].statement :
      !contains(s.resources, "*") || length(s.condition) > 0 || s.sid == "RetireTaskDefinitions"
    ])
    error_message = "Statements on '*' must be conditioned (key creation, task definitions and EC2 by tag)."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.deploy["prod"].statement : [
        for c in s.condition : length(c.values) == 1 && one(c.values) == "prod" if strcontains(c.variable, "Tag/environment") && c.test == "StringEquals"
      ]
    ]))
    error_message = "Tag conditions must name the environment itself."
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

run "promote_role_copies_from_staging_into_prod_and_nothing_else" {
  command = plan

  variables {
    environments = { staging = "staging", prod = "production" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote" } }
  }

  assert {
    condition     = output.github_oidc_subjects.promote == { prod = ["repo:example-org/platform-kit:environment:prod-promote"] }
    error_message = "The prod promote role must admit only the prod-promote GitHub environment."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.promote["prod"].statement : [
        for r in s.resources : strcontains(r, "mlplatform-prod") || (strcontains(r, "mlplatform-staging") && alltrue([for a in s.actions : can(regex("^(ecr:(BatchGet|Describe|GetDownloadUrl|BatchCheck)|s3:GetObject)", a))])) || (strcontains(r, ":key/*") && length(s.condition) > 0)
      ]
    ]))
    error_message = "The promote role may only read staging, write prod's registry and artifact store, and use keys by tag."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.promote["prod"].statement : [
        for a in s.actions : !can(regex("^(apprunner|ecs|iam|sns|cloudwatch|elasticloadbalancing):", a)) && !strcontains(a, "*")
      ]
    ]))
    error_message = "The promote role must not change the service, roles, alarms or anything by wildcard."
  }
}

run "rejects_a_promotion_into_an_unknown_environment_or_through_production" {
  command = plan

  variables {
    environments = { prod = "production" }
    promotions   = { qa = { from = "staging", github_environment = "production" } }
  }

  expect_failures = [var.promotions]
}

run "rejects_a_promotion_run_from_the_apply_environment" {
  command = plan

  variables {
    environments = { staging = "staging", prod = "production" }
    promotions   = { prod = { from = "staging", github_environment = "production" } }
  }

  expect_failures = [var.promotions]
}

# Known IAM privilege-escalation paths (Rhino Security Labs' list, as packaged by tools such as pmapper and
# Cloudsplaining): creating or changing policies and policy versions, attaching or putting policies, passing
# roles, changing trust policies, creating access keys or login profiles, removing a boundary. Every one of them
# that a CI role holds must be bound by the workload boundary or scoped to the environment's own service roles.
run "no_privilege_escalation_outside_the_boundary" {
  command = plan

  variables {
    environments = { staging = "staging", prod = "production" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote" } }
  }

  assert {
    condition = alltrue(flatten([
      for doc in concat(values(data.aws_iam_policy_document.deploy), values(data.aws_iam_policy_document.promote)) : [
        for s in doc.statement : [
          for a in s.actions : !can(regex("^(\\*|iam:\\*|iam:(CreatePolicy|CreatePolicyVersion|SetDefaultPolicyVersion|CreateAccessKey|CreateLoginProfile|UpdateLoginProfile|CreateUser|CreateGroup|AddUserToGroup|AttachRolePolicy|AttachUserPolicy|AttachGroupPolicy|PutUserPolicy|PutGroupPolicy|PutRolePermissionsBoundary|DeleteRolePermissionsBoundary))$", a))
        ] if s.effect == "Allow"
      ]
    ]))
    error_message = "A CI role may not create or change policies, attach policies, manage users, keys or logins, or touch boundaries."
  }

  assert {
    condition = alltrue(flatten([
      for doc in values(data.aws_iam_policy_document.deploy) : [
        for s in doc.statement : anytrue([for c in s.condition : c.variable == "iam:PermissionsBoundary" && c.test == "StringEquals"])
        if s.effect == "Allow" && length(setintersection(s.actions, ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"])) > 0
      ]
    ]))
    error_message = "Creating a role or putting a policy on one needs the iam:PermissionsBoundary condition."
  }

  assert {
    condition = alltrue(flatten([
      for env, doc in data.aws_iam_policy_document.deploy : [
        for s in doc.statement : alltrue([for r in s.resources : can(regex(":role/mlplatform-${env}-(apprunner|ecs)-\\*$", r))])
        if s.effect == "Allow" && length(setintersection(s.actions, ["iam:PassRole", "iam:UpdateAssumeRolePolicy", "iam:CreateRole", "iam:PutRolePolicy"])) > 0
      ]
    ]))
    error_message = "Passing roles, changing trust and role policies: only the environment's own service roles."
  }

  assert {
    condition = alltrue(flatten([
      for doc in values(data.aws_iam_policy_document.deploy) : [
        for s in doc.statement : anytrue([for c in s.condition : c.variable == "iam:PassedToService"])
        if s.effect == "Allow" && contains(s.actions, "iam:PassRole")
      ]
    ]))
    error_message = "Roles are passed only to the service that runs them (iam:PassedToService)."
  }
}

# Staging in 111111111111, prod in 222222222222 (this mock's account): each account's bootstrap gets the same map.
run "promote_role_in_the_target_account_reads_the_source_account" {
  command = plan

  variables {
    environments = { prod = "production" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote", from_account_id = "111111111111", account_id = "222222222222" } }
  }

  assert {
    condition     = contains(flatten([for s in data.aws_iam_policy_document.promote["prod"].statement : s.resources]), "arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-staging")
    error_message = "The promote role must read staging's repository in staging's account."
  }

  assert {
    condition     = contains(flatten([for s in data.aws_iam_policy_document.promote_reads_across["prod"].statement : s.resources]), "arn:aws:s3:::mlplatform-tfstate-111111111111/platform/staging.tfstate.platformctl/*")
    error_message = "The promote role must read staging's records in staging's state bucket."
  }

  assert {
    condition     = length(aws_ssm_parameter.promotion_reader) == 0
    error_message = "The target account grants nothing: the source's grants belong to the source's account."
  }
}

run "source_account_grants_the_target_promote_role_its_reads" {
  command = plan

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111111111111" }
  }

  variables {
    environments = { staging = "staging" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote", from_account_id = "111111111111", account_id = "222222222222" } }
  }

  assert {
    condition     = aws_ssm_parameter.promotion_reader["prod"].value == "arn:aws:iam::222222222222:role/mlplatform-github-promote-prod" && aws_ssm_parameter.promotion_reader["prod"].name == "/mlplatform/promotion-readers/staging/prod"
    error_message = "The source account must publish prod's promote role as a reader of staging (infra/platform reads it)."
  }

  assert {
    condition     = local.record_readers == { "platform/staging.tfstate" = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"] }
    error_message = "The source account's state bucket must let prod's promote role read staging's state and records only."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.promote) == 0
    error_message = "The source account makes no promote role: prod's lives in prod's account."
  }
}

run "one_account_for_both_writes_no_grants" {
  command = plan

  variables {
    environments = { staging = "staging", prod = "production" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote" } }
  }

  assert {
    condition     = length(aws_ssm_parameter.promotion_reader) == 0 && length(local.record_readers) == 0
    error_message = "One account for source and target needs no resource-policy grants."
  }
}

run "rejects_a_promotion_out_of_this_account_that_does_not_say_where_to" {
  command = plan

  variables {
    environments = { staging = "staging" }
    promotions   = { prod = { from = "staging", github_environment = "prod-promote", from_account_id = "222222222222" } }
  }

  expect_failures = [var.promotions]
}
