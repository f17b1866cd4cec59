locals {
  secret_arns = distinct(values(var.secrets))
  ssm_arns    = [for arn in local.secret_arns : arn if can(regex(":ssm:", arn))]
  sm_arns     = [for arn in local.secret_arns : arn if can(regex(":secretsmanager:", arn))]
}

################################################################################
# Access role: lets App Runner pull the image, from this one repository only
################################################################################

data "aws_iam_policy_document" "access_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["build.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "access" {
  name                 = "${var.name}-apprunner-access"
  description          = "Lets App Runner pull ${var.name}'s image from its ECR repository."
  assume_role_policy   = data.aws_iam_policy_document.access_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = var.tags
}

data "aws_iam_policy_document" "access" {
  statement {
    sid    = "PullFromRepository"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [var.image_repository_arn]
  }

  statement {
    # GetAuthorizationToken is account-wide: it supports no resource-level scoping.
    sid       = "GetRegistryToken"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "access" {
  name   = "pull-image"
  role   = aws_iam_role.access.id
  policy = data.aws_iam_policy_document.access.json
}

################################################################################
# Instance role: what the running workload may do
################################################################################

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["tasks.apprunner.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name                 = "${var.name}-apprunner-instance"
  description          = "Runtime identity of ${var.name}: its declared workload policy and its own secrets, nothing else."
  assume_role_policy   = data.aws_iam_policy_document.instance_assume.json
  permissions_boundary = var.permissions_boundary_arn

  tags = var.tags
}

resource "aws_iam_role_policy" "workload" {
  for_each = var.instance_policies

  name   = each.key
  role   = aws_iam_role.instance.id
  policy = each.value
}

data "aws_iam_policy_document" "secrets" {
  count = length(local.secret_arns) > 0 ? 1 : 0

  dynamic "statement" {
    for_each = length(local.ssm_arns) > 0 ? [1] : []
    content {
      sid       = "ReadParameters"
      effect    = "Allow"
      actions   = ["ssm:GetParameters"]
      resources = local.ssm_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.sm_arns) > 0 ? [1] : []
    content {
      sid       = "ReadSecrets"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.sm_arns
    }
  }
}

resource "aws_iam_role_policy" "secrets" {
  count = length(local.secret_arns) > 0 ? 1 : 0

  name   = "read-own-secrets"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.secrets[0].json
}

################################################################################
# Scaling and observability
################################################################################

resource "aws_apprunner_auto_scaling_configuration_version" "this" {
  auto_scaling_configuration_name = var.name
  min_size                        = var.autoscaling_min_size
  max_size                        = var.autoscaling_max_size
  max_concurrency                 = var.autoscaling_max_concurrency

  tags = var.tags
}

resource "aws_apprunner_observability_configuration" "this" {
  count = var.tracing_enabled ? 1 : 0

  observability_configuration_name = var.name

  trace_configuration {
    vendor = "AWSXRAY"
  }

  tags = var.tags
}

################################################################################
# Service
################################################################################

resource "aws_apprunner_service" "this" {
  service_name                   = var.name
  auto_scaling_configuration_arn = aws_apprunner_auto_scaling_configuration_version.this.arn

  source_configuration {
    # Deploys happen through Terraform with an explicit image, never by pushing to the registry.
    auto_deployments_enabled = false

    authentication_configuration {
      access_role_arn = aws_iam_role.access.arn
    }

    image_repository {
      image_identifier      = var.image
      image_repository_type = "ECR"

      image_configuration {
        port                          = tostring(var.port)
        runtime_environment_variables = var.environment_variables
        runtime_environment_secrets   = var.secrets
      }
    }
  }

  instance_configuration {
    cpu               = tostring(var.cpu)
    memory            = tostring(var.memory)
    instance_role_arn = aws_iam_role.instance.arn
  }

  health_check_configuration {
    protocol            = var.health_check_protocol
    path                = var.health_check_protocol == "HTTP" ? var.health_check_path : null
    interval            = var.health_check_interval_seconds
    timeout             = var.health_check_timeout_seconds
    healthy_threshold   = var.health_check_healthy_threshold
    unhealthy_threshold = var.health_check_unhealthy_threshold
  }

  observability_configuration {
    observability_enabled           = var.tracing_enabled
    observability_configuration_arn = var.tracing_enabled ? aws_apprunner_observability_configuration.this[0].arn : null
  }

  network_configuration {
    ingress_configuration {
      is_publicly_accessible = var.publicly_accessible
    }
  }

  tags = var.tags

  # The service fails to start if App Runner cannot yet assume the access role or read its policy.
  depends_on = [aws_iam_role_policy.access, aws_iam_role_policy.secrets]
}
