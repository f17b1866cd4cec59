# Applied once per AWS account: the Terraform state bucket and the GitHub Actions roles that plan and
# apply the environments living in that account.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id        = data.aws_caller_identity.current.account_id
  partition         = data.aws_partition.current.partition
  state_bucket_name = coalesce(var.state_bucket_name, "${var.project}-tfstate-${local.account_id}")
  read_only_policy  = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
  # The roles infra/platform creates per environment (modules/model_service, modules/ecs_service).
  service_roles = { for env in keys(var.environments) : env => [
    "arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${env}-apprunner-*",
    "arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${env}-ecs-*",
  ] }
  # Promotions: the target side (a promote role) where the target lives here; the source side (grants to that role)
  # where the source lives here and the target in another account. One account for both: no grants needed.
  promotions_in = { for env, p in var.promotions : env => merge(p, {
    source_account = coalesce(p.from_account_id, local.account_id)
    target_account = coalesce(p.account_id, local.account_id)
    # The source in another account: the promote role reads the source's state and records there too.
    reads_across = coalesce(p.from_account_id, local.account_id) != local.account_id
  }) }
  promote_targets = { for env, p in local.promotions_in : env => p if p.target_account == local.account_id && contains(keys(var.environments), env) }
  promote_sources = { for env, p in local.promotions_in : env => merge(p, {
    reader = "arn:${local.partition}:iam::${p.target_account}:role/${var.project}-github-promote-${env}"
  }) if p.source_account == local.account_id && p.target_account != local.account_id && contains(keys(var.environments), p.from) }
  # envs/*/backend.hcl keep an environment's state at <state_key_prefix><environment>.tfstate.
  record_readers = { for env, p in local.promote_sources : "${var.state_key_prefix}${p.from}.tfstate" => p.reader... }
  # The EC2 resource types modules/network creates (Fargate environments).
  network_types = ["vpc", "subnet", "internet-gateway", "route-table", "security-group", "security-group-rule", "vpc-endpoint"]
}

module "state_backend" {
  source = "../../modules/state_backend"

  bucket_name    = local.state_bucket_name
  force_destroy  = var.state_force_destroy
  record_readers = { for key, readers in local.record_readers : key => distinct(readers) }
}

# The source side of a promotion into another account: infra/platform reads these (one per promote role reading
# the environment) and grants the role its repository and artifact store, on that environment's next apply.
resource "aws_ssm_parameter" "promotion_reader" {
  #checkov:skip=CKV2_AWS_34:A role ARN, not a secret: infra/platform reads it as the grantee of resource policies.
  for_each = local.promote_sources

  name        = "/${var.project}/promotion-readers/${each.value.from}/${each.key}"
  description = "Promote role of ${each.key} (account ${each.value.target_account}) that reads ${each.value.from}'s releases"
  type        = "String"
  value       = each.value.reader
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
    # The artifact store with its access-log bucket, and (Fargate) the load balancer's access-log bucket.
    sid     = "ArtifactAndLogBuckets"
    effect  = "Allow"
    actions = ["s3:*"]
    resources = [
      "arn:${local.partition}:s3:::${var.project}-${each.key}-artifacts-*",
      "arn:${local.partition}:s3:::${var.project}-${each.key}-alb-logs-*",
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
    # Every role the stack creates carries the environment's workload boundary, so no policy the apply role
    # writes onto it (nor a trust policy naming the apply role) can reach past what the boundary allows.
    sid       = "BoundedServiceRoles"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"]
    resources = local.service_roles[each.key]

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [aws_iam_policy.workload_boundary[each.key].arn]
    }
  }

  statement {
    sid       = "ManageServiceRoles"
    effect    = "Allow"
    actions   = ["iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"]
    resources = local.service_roles[each.key]
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
    sid       = "PassTaskRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.project}-${each.key}-ecs-*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    # The first cluster, load balancer and scalable target of an account need AWS's service-linked roles.
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"]
    }
  }

  # Fargate's network: EC2 ids are generated, so new resources are scoped by the environment tag the request
  # sets (the provider's default_tags) and existing ones by the tag they carry.
  statement {
    sid       = "CreateTaggedNetwork"
    effect    = "Allow"
    actions   = ["ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint", "ec2:CreateTags"]
    resources = [for t in local.network_types : "arn:${local.partition}:ec2:${var.region}:${local.account_id}:${t}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ChangeOwnNetwork"
    effect = "Allow"
    actions = [
      "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint", "ec2:ModifyVpcAttribute",
      "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
      "ec2:ReplaceRouteTableAssociation", "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute",
      "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupEgress", "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress", "ec2:ModifySecurityGroupRules", "ec2:ModifyVpcEndpoint",
      "ec2:DeleteVpc", "ec2:DeleteSubnet", "ec2:DeleteInternetGateway", "ec2:DeleteRouteTable", "ec2:DeleteSecurityGroup",
      "ec2:DeleteVpcEndpoints", "ec2:CreateTags", "ec2:DeleteTags",
    ]
    resources = [for t in local.network_types : "arn:${local.partition}:ec2:${var.region}:${local.account_id}:${t}/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  statement {
    # Tagging is how the statements above scope: never re-tag another environment's network.
    sid       = "NoRetaggingOtherEnvironments"
    effect    = "Deny"
    actions   = ["ec2:CreateTags", "ec2:DeleteTags"]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/environment"
      values   = ["false"]
    }
  }

  statement {
    sid     = "LoadBalancer"
    effect  = "Allow"
    actions = ["elasticloadbalancing:*"]
    resources = [
      "arn:${local.partition}:elasticloadbalancing:${var.region}:${local.account_id}:loadbalancer/app/${var.project}-${each.key}/*",
      "arn:${local.partition}:elasticloadbalancing:${var.region}:${local.account_id}:listener/app/${var.project}-${each.key}/*",
      "arn:${local.partition}:elasticloadbalancing:${var.region}:${local.account_id}:listener-rule/app/${var.project}-${each.key}/*",
      "arn:${local.partition}:elasticloadbalancing:${var.region}:${local.account_id}:targetgroup/${var.project}-${each.key}/*",
    ]
  }

  statement {
    sid     = "Cluster"
    effect  = "Allow"
    actions = ["ecs:*"]
    resources = [
      "arn:${local.partition}:ecs:${var.region}:${local.account_id}:cluster/${var.project}-${each.key}",
      "arn:${local.partition}:ecs:${var.region}:${local.account_id}:service/${var.project}-${each.key}/*",
      "arn:${local.partition}:ecs:${var.region}:${local.account_id}:task-definition/${var.project}-${each.key}:*",
    ]
  }

  statement {
    # Task definitions take no resource ARN in IAM: scoped by the environment tag the request sets.
    sid       = "TaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:RegisterTaskDefinition"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/environment"
      values   = [each.key]
    }
  }

  statement {
    # Deregistering takes no resource ARN either, and carries no tags in the request.
    sid       = "RetireTaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid       = "TaskLogs"
    effect    = "Allow"
    actions   = ["logs:*"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/ecs/${var.project}-${each.key}*"]
  }

  statement {
    # Scalable targets get generated ids in their ARNs; scaled here is only what this role can create (the service).
    sid       = "Scaling"
    effect    = "Allow"
    actions   = ["application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget", "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:TagResource", "application-autoscaling:UntagResource"]
    resources = ["arn:${local.partition}:application-autoscaling:${var.region}:${local.account_id}:scalable-target/*"]
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
# Workload boundary: the most any role of an environment's stack may do (pull its
# image, write its logs, read its model and its tagged secrets, send traces),
# whatever policy is put on it. infra/platform sets it with
# `workload_permissions_boundary = true`; the apply role creates roles only with it.
################################################################################

data "aws_iam_policy_document" "workload_boundary" {
  for_each = var.environments

  statement {
    sid       = "RegistryLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullOwnImages"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${local.partition}:ecr:${var.region}:${local.account_id}:repository/${var.project}-${each.key}"]
  }

  statement {
    sid     = "WriteOwnLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/ecs/${var.project}-${each.key}*",
      "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws/apprunner/${var.project}-${each.key}/*",
    ]
  }

  statement {
    sid     = "ReadOwnModels"
    effect  = "Allow"
    actions = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions"]
    resources = [
      "arn:${local.partition}:s3:::${var.project}-${each.key}-artifacts-*",
    ]
  }

  statement {
    sid       = "DecryptOwnKeys"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = ["arn:${local.partition}:kms:${var.region}:${local.account_id}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "ReadOwnSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "ssm:GetParameters"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "Traces"
    effect    = "Allow"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "workload_boundary" {
  for_each = var.environments

  name        = "${var.project}-${each.key}-workload-boundary"
  description = "Permissions boundary of every role ${var.project}-${each.key}'s stack creates."
  policy      = data.aws_iam_policy_document.workload_boundary[each.key].json
}

################################################################################
# Promote permissions: copy the source environment's image and model into the
# target's registry and artifact store; planning uses ReadOnlyAccess. No apply.
################################################################################

# In another account: the source's state and records (the verify record of the release), decrypted through S3 with
# the source state bucket's key, which carries no environment tag; its key policy names the promote role alone.
data "aws_iam_policy_document" "promote_reads_across" {
  for_each = { for env, p in local.promote_targets : env => p if p.reads_across }

  statement {
    sid       = "ReadSourceRecords"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:${local.partition}:s3:::${var.project}-tfstate-${each.value.source_account}/${var.state_key_prefix}${each.value.from}.tfstate", "arn:${local.partition}:s3:::${var.project}-tfstate-${each.value.source_account}/${var.state_key_prefix}${each.value.from}.tfstate.platformctl/*"]
  }

  statement {
    sid       = "ListSourceRecords"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.project}-tfstate-${each.value.source_account}"]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.state_key_prefix}${each.value.from}.tfstate.platformctl/*"]
    }
  }

  statement {
    sid       = "DecryptSourceRecords"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["arn:${local.partition}:kms:${var.region}:${each.value.source_account}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "promote" {
  for_each = local.promote_targets

  source_policy_documents = [for env, doc in data.aws_iam_policy_document.promote_reads_across : doc.json if env == each.key]

  statement {
    sid       = "ReadSourceImages"
    effect    = "Allow"
    actions   = ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = ["arn:${local.partition}:ecr:${var.region}:${each.value.source_account}:repository/${var.project}-${each.value.from}"]
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
    resources = ["arn:${local.partition}:kms:${var.region}:${each.value.source_account}:key/*"]

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
    for env, p in local.promote_targets : env => {
      github_environment = p.github_environment
      policies           = { promote = data.aws_iam_policy_document.promote[env].json }
      records_key        = "${var.state_key_prefix}${env}.tfstate" # requests in its own environment's log only
      policy_arns        = { read_only = local.read_only_policy }
    }
  }
}
