# Applied once per AWS account: the Terraform state bucket and the GitHub Actions roles that plan and
# apply the environments living in that account.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id        = data.aws_caller_identity.current.account_id
  partition         = data.aws_partition.current.partition
  state_bucket_name = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}")
  read_only_policy  = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

module "state_backend" {
  source = "../../modules/state_backend"

  bucket_name   = local.state_bucket_name
  force_destroy = var.state_force_destroy
}

################################################################################
# Deploy permissions: each environment's apply role may change only its own
# "<project>-<environment>" resources (what infra/platform creates).
################################################################################

data "aws_iam_policy_document" "deploy" {
  for_each = var.environments

  statement {
    sid       = "Registry"
    effect    = "Allow"
    actions   = ["ecr:*"]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/${var.project}-${each.key}"]
  }

  statement {
    sid     = "ArtifactBuckets"
    effect  = "Allow"
    actions = ["s3:*"]
    resources = [
      "arn:${local.partition}:s3:::${var.project}-${each.key}-artifacts-*",
    ]
  }

  statement {
    sid       = "AlertTopic"
    effect    = "Allow"
    actions   = ["sns:*"]
    resources = ["arn:${local.partition}:sns:${var.region}:${local.account_id}:${var.project}-${each.key}-*"]
  }

  statement {
    sid     = "AlarmsAndDashboard"
    effect  = "Allow"
    actions = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"]
    resources = [
      "arn:${local.partition}:cloudwatch:${var.region}:${local.account_id}:alarm:${var.project}-${each.key}-*",
      "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${var.project}-${each.key}",
    ]
  }

  statement {
    sid     = "Service"
    effect  = "Allow"
    actions = ["apprunner:*"]
    resources = [
      "arn:${local.partition}:apprunner:${var.region}:${local.account_id}:service/${var.project}-${each.key}/*",
      "arn:${local.partition}:apprunner:${var.region}:${local.account_id}:autoscalingconfiguration/${var.project}-${each.key}/*",
      "arn:${local.partition}:apprunner:${var.region}:${local.account_id}:observabilityconfiguration/${var.project}-${each.key}/*",
    ]
  }

  statement {
    sid    = "ServiceRoles"
    effect = "Allow"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
      "iam:PutRolePolicy", "iam:DeleteRolePolicy",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${each.key}-apprunner-*"]
  }

  statement {
    sid       = "PassServiceRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${each.key}-apprunner-*"]

    condition {
      test     = "StringLike"
      variable = "iam:PassedToService"
      values   = ["*.apprunner.amazonaws.com"]
    }
  }

  statement {
    # Keys get their ARN at creation, so scope creation by request tag and later use by resource tag.
    sid       = "CreateKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "ManageOwnKeys"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid     = "KeyAliases"
    effect  = "Allow"
    actions = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    resources = [
      "arn:${local.partition}:kms:${var.region}:${local.account_id}:alias/${var.project}-${each.key}-*",
    ]
  }
}

################################################################################
# Promote permissions: copy the source environment's image and model into the
# target's registry and artifact store; planning uses ReadOnlyAccess. No apply.
################################################################################

data "aws_iam_policy_document" "promote" {
  for_each = var.promotions

  statement {
    sid       = "ReadSourceImages"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/${var.project}-${each.value.from}"]
  }

  statement {
    sid    = "PushTargetImages"
    effect = "Allow"
    actions = [
      "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
    ]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/${var.project}-${each.key}"]
  }

  statement {
    sid       = "ReadSourceModels"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["arn:${local.partition}:s3:::${var.project}-${each.value.from}-artifacts-*/*"]
  }

  statement {
    sid       = "WriteTargetModels"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["arn:${local.partition}:s3:::${var.project}-${each.key}-artifacts-*/*"]
  }

  statement {
    # The source's artifact store and registry keys (each environment's keys carry its environment tag).
    sid       = "DecryptSourceKeys"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.value.from]
    }
  }

  statement {
    sid       = "UseTargetKeys"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }
}

module "github_oidc" {
  source = "../../modules/github_oidc"

  name_prefix           = var.project
  github_repository     = var.github_repository
  github_owner_id       = var.github_owner_id
  github_repository_id  = var.github_repository_id
  trust_classic_subject = var.trust_classic_subject
  create_oidc_provider  = var.create_oidc_provider
  oidc_provider_arn     = var.oidc_provider_arn

  # Pull requests plan; the scheduled drift check on the default branch refreshes with the same read-only role.
  plan_role_branches = var.plan_role_branches

  state_bucket_arn  = module.state_backend.bucket_arn
  state_kms_key_arn = module.state_backend.kms_key_arn

  plan_role_policy_arns = { read_only = local.read_only_policy }
  apply_roles = {
    for env, github_environment in var.environments : env => {
      github_environment = github_environment
      policies           = { deploy = data.aws_iam_policy_document.deploy[env].json }
      policy_arns        = { read_only = local.read_only_policy }
    }
  }
  promote_roles = {
    for env, p in var.promotions : env => {
      github_environment = p.github_environment
      policies           = { promote = data.aws_iam_policy_document.promote[env].json }
      policy_arns        = { read_only = local.read_only_policy }
    }
  }
}
