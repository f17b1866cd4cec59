locals {
  oidc_host         = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.this[0].arn : var.oidc_provider_arn

  # The `sub` claim starts with the repository in one of two forms; a repository sends exactly one of them:
  #   classic:   repo:OWNER/NAME:...                    (names only: a recycled owner or repository name matches)
  #   immutable: repo:OWNER@OWNER_ID/NAME@REPO_ID:...   (repositories created, renamed or transferred after
  #              GitHub's cut-over, or opted in; IDs are never reused)
  # With both IDs given we trust the immutable form only, unless trust_classic_subject keeps the classic one
  # for the few minutes of an opt-in migration. Without IDs we trust the classic form only.
  repository_owner   = split("/", var.github_repository)[0]
  repository_name    = split("/", var.github_repository)[1]
  immutable_subjects = var.github_owner_id != null && var.github_repository_id != null
  classic_prefix     = "repo:${var.github_repository}"
  # coalesce() only keeps the template valid when the IDs are null; the immutable prefix is then not used.
  immutable_prefix = "repo:${local.repository_owner}@${coalesce(var.github_owner_id, "0")}/${local.repository_name}@${coalesce(var.github_repository_id, "0")}"
  subject_prefixes = (
    !local.immutable_subjects ? [local.classic_prefix] :
    var.trust_classic_subject ? [local.immutable_prefix, local.classic_prefix] :
    [local.immutable_prefix]
  )

  # Pull requests, plus plain (non-environment) runs on the listed branches such as the scheduled drift check.
  plan_subject_contexts = concat(["pull_request"], [for b in var.plan_role_branches : "ref:refs/heads/${b}"])
  plan_subjects         = flatten([for p in local.subject_prefixes : [for c in local.plan_subject_contexts : "${p}:${c}"]])
  apply_subjects = {
    for env, r in var.apply_roles : env => [for p in local.subject_prefixes : "${p}:environment:${r.github_environment}"]
  }
  promote_subjects = {
    for env, r in var.promote_roles : env => [for p in local.subject_prefixes : "${p}:environment:${r.github_environment}"]
  }
  # Apply and promote roles trust one GitHub environment each, the same way.
  environment_subjects = merge(
    { for env, subjects in local.apply_subjects : "apply-${env}" => subjects },
    { for env, subjects in local.promote_subjects : "promote-${env}" => subjects },
  )
}

resource "aws_iam_openid_connect_provider" "this" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's certificate through its own CA store; these are GitHub's published
  # intermediate thumbprints, kept because older API versions still require a value.
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]

  tags = var.tags
}

################################################################################
# Plan role: pull requests (and optionally listed branches), read-only
################################################################################

data "aws_iam_policy_document" "plan_assume" {
  statement {
    sid     = "GitHubPullRequests"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.plan_subjects
    }
  }
}

resource "aws_iam_role" "plan" {
  name                 = "${var.name_prefix}-github-plan"
  description          = "Read-only Terraform plans for pull requests of ${var.github_repository}."
  assume_role_policy   = data.aws_iam_policy_document.plan_assume.json
  max_session_duration = var.max_session_duration_seconds

  tags = var.tags
}

data "aws_iam_policy_document" "state_read" {
  statement {
    sid       = "ListState"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.state_bucket_arn}/*"]
  }

  statement {
    # S3 native locking: a plan takes the lock by writing <key>.tflock and releases it by deleting it.
    sid       = "TakeLocks"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/*.tflock"]
  }

  statement {
    sid       = "UseStateKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.state_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "terraform-state-read"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.state_read.json
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = var.plan_role_policy_arns

  role       = aws_iam_role.plan.name
  policy_arn = each.value
}

################################################################################
# Apply roles: one per environment, only from that GitHub environment
################################################################################

data "aws_iam_policy_document" "environment_assume" {
  for_each = local.environment_subjects

  statement {
    sid     = "GitHubEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "apply" {
  for_each = var.apply_roles

  name                 = "${var.name_prefix}-github-apply-${each.key}"
  description          = "Terraform applies to ${each.key} from the ${each.value.github_environment} GitHub environment of ${var.github_repository}."
  assume_role_policy   = data.aws_iam_policy_document.environment_assume["apply-${each.key}"].json
  max_session_duration = var.max_session_duration_seconds

  tags = var.tags
}

data "aws_iam_policy_document" "state_write" {
  source_policy_documents = [data.aws_iam_policy_document.state_read.json]

  statement {
    sid       = "WriteState"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${var.state_bucket_arn}/*"]
  }

  statement {
    # platformctl's deployment lock (<state key>.platformctl/lock.json) is released by deleting it.
    sid       = "ReleaseDeploymentLock"
    effect    = "Allow"
    actions   = ["s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/*.platformctl/lock.json"]
  }
}

resource "aws_iam_role_policy" "apply_state" {
  for_each = var.apply_roles

  name   = "terraform-state-write"
  role   = aws_iam_role.apply[each.key].id
  policy = data.aws_iam_policy_document.state_write.json
}

resource "aws_iam_role_policy" "apply_deploy" {
  for_each = merge([
    for env, r in var.apply_roles : { for label, doc in r.policies : "${env}:${label}" => { env = env, label = label, doc = doc } }
  ]...)

  name   = each.value.label
  role   = aws_iam_role.apply[each.value.env].id
  policy = each.value.doc
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = merge([
    for env, r in var.apply_roles : { for label, arn in r.policy_arns : "${env}:${label}" => { env = env, arn = arn } }
  ]...)

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = each.value.arn
}

################################################################################
# Promote roles: copy a verified release into an environment and plan it there,
# only from that GitHub environment; they cannot apply (state stays read-only)
################################################################################

resource "aws_iam_role" "promote" {
  for_each = var.promote_roles

  name                 = "${var.name_prefix}-github-promote-${each.key}"
  description          = "Promotions into ${each.key} (copy the release, plan, record the request) from the ${each.value.github_environment} GitHub environment of ${var.github_repository}."
  assume_role_policy   = data.aws_iam_policy_document.environment_assume["promote-${each.key}"].json
  max_session_duration = var.max_session_duration_seconds

  tags = var.tags
}

data "aws_iam_policy_document" "records_write" {
  for_each = var.promote_roles

  source_policy_documents = [data.aws_iam_policy_document.state_read.json]

  # platformctl's records live under <state key>.platformctl/ (log/<seq>-<kind>-<id>.json, numbers/, plans/,
  # lock.json). A promotion writes its request (the plan bytes, the log entry and the claim of its number, each
  # only as a new object) and holds the lock meanwhile; it can neither approve (an approval is a log entry of
  # another kind) nor delete or overwrite any entry.
  statement {
    sid     = "WriteRequests"
    effect  = "Allow"
    actions = ["s3:PutObject"]
    resources = [
      "${var.state_bucket_arn}/${coalesce(each.value.records_key, "*")}.platformctl/log/*-request-*.json",
      "${var.state_bucket_arn}/${coalesce(each.value.records_key, "*")}.platformctl/numbers/*",
      "${var.state_bucket_arn}/${coalesce(each.value.records_key, "*")}.platformctl/plans/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "s3:if-none-match"
      values   = ["*"]
    }
  }

  statement {
    sid       = "HoldPromotionLock"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.state_bucket_arn}/${coalesce(each.value.records_key, "*")}.platformctl/lock.json"]
  }
}

resource "aws_iam_role_policy" "promote_state" {
  for_each = var.promote_roles

  name   = "terraform-state-read-records-write"
  role   = aws_iam_role.promote[each.key].id
  policy = data.aws_iam_policy_document.records_write[each.key].json
}

resource "aws_iam_role_policy" "promote" {
  for_each = merge([
    for env, r in var.promote_roles : { for label, doc in r.policies : "${env}:${label}" => { env = env, label = label, doc = doc } }
  ]...)

  name   = each.value.label
  role   = aws_iam_role.promote[each.value.env].id
  policy = each.value.doc
}

resource "aws_iam_role_policy_attachment" "promote" {
  for_each = merge([
    for env, r in var.promote_roles : { for label, arn in r.policy_arns : "${env}:${label}" => { env = env, arn = arn } }
  ]...)

  role       = aws_iam_role.promote[each.value.env].name
  policy_arn = each.value.arn
}
