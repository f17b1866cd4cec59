data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
  account_id     = data.aws_caller_identity.current.account_id
  region         = data.aws_region.current.name

  # One entry per App Runner metric alarm; every alarm treats missing data as not breaching so a
  # service scaled to its minimum or briefly without traffic does not page anyone.
  service_alarms = {
    "5xx" = {
      metric_name         = "5xxStatusResponses"
      statistic           = "Sum"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_5xx_threshold
      description         = "More than ${var.alarm_5xx_threshold} 5xx responses per ${var.alarm_period_seconds}s."
    }
    "latency-p99" = {
      metric_name         = "RequestLatency"
      statistic           = null
      extended_statistic  = "p99"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_latency_p99_ms
      description         = "p99 request latency above ${var.alarm_latency_p99_ms} ms."
    }
    "cpu" = {
      metric_name         = "CPUUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_cpu_percent
      description         = "Average CPU utilisation above ${var.alarm_cpu_percent}%."
    }
    "memory" = {
      metric_name         = "MemoryUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_memory_percent
      description         = "Average memory utilisation above ${var.alarm_memory_percent}%."
    }
    "active-instances" = {
      metric_name         = "ActiveInstances"
      statistic           = "Maximum"
      extended_statistic  = null
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = var.alarm_active_instances_threshold
      description         = "Service at ${var.alarm_active_instances_threshold} or more active instances: scaling headroom is gone."
    }
  }

  # Dashboard metrics use SEARCH on the service name, so the dashboard works before the service
  # (and its ID) exists and keeps working across service replacements.
  search = "{AWS/AppRunner,ServiceID,ServiceName} ServiceName=\"${var.service_name}\""
  widgets = [
    { title = "Requests", metric = "Requests", stat = "Sum" },
    { title = "2xx responses", metric = "2xxStatusResponses", stat = "Sum" },
    { title = "4xx responses", metric = "4xxStatusResponses", stat = "Sum" },
    { title = "5xx responses", metric = "5xxStatusResponses", stat = "Sum" },
    { title = "Request latency p99 (ms)", metric = "RequestLatency", stat = "p99" },
    { title = "CPU utilisation (%)", metric = "CPUUtilization", stat = "Average" },
    { title = "Memory utilisation (%)", metric = "MemoryUtilization", stat = "Average" },
    { title = "Active instances", metric = "ActiveInstances", stat = "Maximum" },
  ]
}

################################################################################
# Alert topic
################################################################################

data "aws_iam_policy_document" "kms" {
  count = local.create_kms_key ? 1 : 0

  #checkov:skip=CKV_AWS_111:Key policy, not an IAM policy: Resource "*" means this key only, and the account root grant is AWS's default delegation to IAM.
  #checkov:skip=CKV_AWS_356:Key policy, not an IAM policy: Resource "*" means this key only.
  #checkov:skip=CKV_AWS_109:Key policy, not an IAM policy: Resource "*" means this key only, and the account root grant is AWS's default delegation to IAM.
  statement {
    sid       = "AccountAdministers"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchPublishesAlarms"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description             = "Encrypts the ${var.name} alert topic"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  tags = var.tags
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alerts"
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchPublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid    = "AccountManages"
    effect = "Allow"
    actions = [
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
    ]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

################################################################################
# Service alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.create_service_alarms ? local.service_alarms : {}

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${var.service_name}: ${each.value.description}"
  namespace           = "AWS/AppRunner"
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"

  dimensions = {
    ServiceName = var.service_name
    ServiceID   = var.service_id
  }

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]

  tags = var.tags
}

################################################################################
# Dashboard
################################################################################

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name

  dashboard_body = jsonencode({
    widgets = [
      for i, w in local.widgets : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = w.title
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = var.alarm_period_seconds
          metrics = [[{ expression = "SEARCH('${local.search} MetricName=\"${w.metric}\"', '${w.stat}', ${var.alarm_period_seconds})", id = "m${i}" }]]
        }
      }
    ]
  })
}
