data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
  account_id     = data.aws_caller_identity.current.account_id
  region         = data.aws_region.current.name

  # Known before the topic exists, so its policy can name it.
  topic_name = "${var.name}-alerts"
  topic_arn  = "arn:${data.aws_partition.current.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}"

  apprunner = var.compute == "apprunner"

  # One entry per metric alarm of the chosen compute; every alarm treats missing data as not breaching so a
  # service scaled to its minimum or briefly without traffic does not page anyone.
  apprunner_dimensions = {
    ServiceName = var.service_name
    ServiceID   = var.service_id
  }
  apprunner_alarms = {
    "5xx" = {
      namespace           = "AWS/AppRunner"
      dimensions          = local.apprunner_dimensions
      metric_name         = "5xxStatusResponses"
      statistic           = "Sum"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_5xx_threshold
      description         = "More than ${var.alarm_5xx_threshold} 5xx responses per ${var.alarm_period_seconds}s."
    }
    "latency-p99" = {
      namespace           = "AWS/AppRunner"
      dimensions          = local.apprunner_dimensions
      metric_name         = "RequestLatency"
      statistic           = null
      extended_statistic  = "p99"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_latency_p99_ms
      description         = "p99 request latency above ${var.alarm_latency_p99_ms} ms."
    }
    "cpu" = {
      namespace           = "AWS/AppRunner"
      dimensions          = local.apprunner_dimensions
      metric_name         = "CPUUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_cpu_percent
      description         = "Average CPU utilisation above ${var.alarm_cpu_percent}%."
    }
    "memory" = {
      namespace           = "AWS/AppRunner"
      dimensions          = local.apprunner_dimensions
      metric_name         = "MemoryUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_memory_percent
      description         = "Average memory utilisation above ${var.alarm_memory_percent}%."
    }
    "active-instances" = {
      namespace           = "AWS/AppRunner"
      dimensions          = local.apprunner_dimensions
      metric_name         = "ActiveInstances"
      statistic           = "Maximum"
      extended_statistic  = null
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = var.alarm_active_instances_threshold
      description         = "Service at ${var.alarm_active_instances_threshold} or more active instances: scaling headroom is gone."
    }
  }

  alb_dimensions    = { LoadBalancer = var.alb_arn_suffix }
  target_dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  ecs_dimensions    = { ClusterName = var.ecs_cluster_name, ServiceName = var.service_name }
  ecs_fargate_alarms = {
    "5xx" = {
      namespace           = "AWS/ApplicationELB"
      dimensions          = local.target_dimensions
      metric_name         = "HTTPCode_Target_5XX_Count"
      statistic           = "Sum"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_5xx_threshold
      description         = "More than ${var.alarm_5xx_threshold} 5xx responses from the tasks per ${var.alarm_period_seconds}s."
    }
    "alb-5xx" = {
      namespace           = "AWS/ApplicationELB"
      dimensions          = local.alb_dimensions
      metric_name         = "HTTPCode_ELB_5XX_Count"
      statistic           = "Sum"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_5xx_threshold
      description         = "More than ${var.alarm_5xx_threshold} 5xx responses from the load balancer itself (no healthy task, timeouts) per ${var.alarm_period_seconds}s."
    }
    "latency-p99" = {
      namespace           = "AWS/ApplicationELB"
      dimensions          = local.target_dimensions
      metric_name         = "TargetResponseTime"
      statistic           = null
      extended_statistic  = "p99"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_latency_p99_ms / 1000 # TargetResponseTime is in seconds
      description         = "p99 target response time above ${var.alarm_latency_p99_ms} ms."
    }
    "unhealthy-hosts" = {
      namespace           = "AWS/ApplicationELB"
      dimensions          = local.target_dimensions
      metric_name         = "UnHealthyHostCount"
      statistic           = "Maximum"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      description         = "At least one task fails the load balancer's health check."
    }
    "cpu" = {
      namespace           = "AWS/ECS"
      dimensions          = local.ecs_dimensions
      metric_name         = "CPUUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_cpu_percent
      description         = "Average CPU utilisation above ${var.alarm_cpu_percent}%."
    }
    "memory" = {
      namespace           = "AWS/ECS"
      dimensions          = local.ecs_dimensions
      metric_name         = "MemoryUtilization"
      statistic           = "Average"
      extended_statistic  = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.alarm_memory_percent
      description         = "Average memory utilisation above ${var.alarm_memory_percent}%."
    }
  }

  service_alarms = var.create_service_alarms ? (local.apprunner ? local.apprunner_alarms : local.ecs_fargate_alarms) : {}

  # Dashboard metrics use SEARCH on the service name, so the dashboard works before the service
  # (and its ID) exists and keeps working across service replacements.
  search = "{AWS/AppRunner,ServiceID,ServiceName} ServiceName=\"${var.service_name}\""
  apprunner_widgets = [
    { title = "Requests", metric = "Requests", stat = "Sum" },
    { title = "2xx responses", metric = "2xxStatusResponses", stat = "Sum" },
    { title = "4xx responses", metric = "4xxStatusResponses", stat = "Sum" },
    { title = "5xx responses", metric = "5xxStatusResponses", stat = "Sum" },
    { title = "Request latency p99 (ms)", metric = "RequestLatency", stat = "p99" },
    { title = "CPU utilisation (%)", metric = "CPUUtilization", stat = "Average" },
    { title = "Memory utilisation (%)", metric = "MemoryUtilization", stat = "Average" },
    { title = "Active instances", metric = "ActiveInstances", stat = "Maximum" },
  ]
  apprunner_searches = [
    for w in local.apprunner_widgets : merge(w, { query = "${local.search} MetricName=\"${w.metric}\"" })
  ]

  # The load balancer and target group carry the service's name; ECS metrics carry it as ServiceName.
  alb_search = "{AWS/ApplicationELB,LoadBalancer,TargetGroup} ${var.service_name}"
  ecs_search = "{AWS/ECS,ClusterName,ServiceName} ServiceName=\"${var.service_name}\""
  ci_search  = "{ECS/ContainerInsights,ClusterName,ServiceName} ServiceName=\"${var.service_name}\""
  ecs_fargate_searches = [
    { title = "Requests", query = "${local.alb_search} MetricName=\"RequestCount\"", stat = "Sum" },
    { title = "2xx responses", query = "${local.alb_search} MetricName=\"HTTPCode_Target_2XX_Count\"", stat = "Sum" },
    { title = "4xx responses", query = "${local.alb_search} MetricName=\"HTTPCode_Target_4XX_Count\"", stat = "Sum" },
    { title = "5xx responses", query = "${local.alb_search} MetricName=\"HTTPCode_Target_5XX_Count\"", stat = "Sum" },
    { title = "Target response time p99 (s)", query = "${local.alb_search} MetricName=\"TargetResponseTime\"", stat = "p99" },
    { title = "CPU utilisation (%)", query = "${local.ecs_search} MetricName=\"CPUUtilization\"", stat = "Average" },
    { title = "Memory utilisation (%)", query = "${local.ecs_search} MetricName=\"MemoryUtilization\"", stat = "Average" },
    { title = "Running tasks", query = "${local.ci_search} MetricName=\"RunningTaskCount\"", stat = "Maximum" },
  ]
  widgets = local.apprunner ? local.apprunner_searches : local.ecs_fargate_searches

  # Model alarms: thresholds from the model's baseline and the environment's rules (var.model_alarms).
  model      = var.model_alarms
  band_width = local.model == null ? 0 : local.model.band_stddevs * local.model.baseline.stddev
  band_low   = local.model == null ? 0 : (local.model.band == "quantiles" ? local.model.baseline.p01 : local.model.baseline.mean - local.band_width)
  band_high  = local.model == null ? 0 : (local.model.band == "quantiles" ? local.model.baseline.p99 : local.model.baseline.mean + local.band_width)
  model_dimensions = local.model == null ? {} : {
    Environment  = local.model.environment
    ModelVersion = local.model.model_version
  }
  model_alarms = local.model == null ? {} : {
    "model-mean-low" = {
      metric_name         = "Prediction"
      comparison_operator = "LessThanThreshold"
      threshold           = local.band_low
      description         = "Mean prediction below the baseline band (${local.band_low}): the model predicts far lower than on its held-out data."
    }
    "model-mean-high" = {
      metric_name         = "Prediction"
      comparison_operator = "GreaterThanThreshold"
      threshold           = local.band_high
      description         = "Mean prediction above the baseline band (${local.band_high}): the model predicts far higher than on its held-out data."
    }
    "model-out-of-range" = {
      metric_name         = "PredictionOutOfRange"
      comparison_operator = "GreaterThanThreshold"
      threshold           = local.model.out_of_range_percent / 100
      description         = "More than ${local.model.out_of_range_percent}% of predictions outside ${local.model.valid_min}..${local.model.valid_max}."
    }
    "model-invalid-input" = {
      metric_name         = "InvalidInput"
      comparison_operator = "GreaterThanThreshold"
      threshold           = local.model.invalid_input_percent / 100
      description         = "More than ${local.model.invalid_input_percent}% of requests refused as invalid input."
    }
  }
  # One dashboard row per model version: its mean prediction against the band.
  model_row_y = ceil(length(local.widgets) / 2) * 6
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


data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "CloudWatchPublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]

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
    resources = [local.topic_arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }
}

# The topic carries its policy itself: a separate aws_sns_topic_policy would change the topic's `policy` after
# the topic was created and read, so the state kept the default policy until the next refresh and
# `platformctl drift` reported the topic right after a one-step apply (the same against real AWS).
resource "aws_sns_topic" "this" {
  name              = local.topic_name
  kms_master_key_id = local.kms_key_arn
  policy            = data.aws_iam_policy_document.topic.json

  tags = var.tags
}

# Managed by the topic's own `policy` since; forgetting it leaves the policy in place (destroying it would reset
# the topic to SNS's default policy).
removed {
  from = aws_sns_topic_policy.this

  lifecycle {
    destroy = false
  }
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
  for_each = local.service_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${var.service_name}: ${each.value.description}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"

  dimensions = each.value.dimensions

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]

  tags = var.tags
}

# Fewer tasks running than ECS wants (crash loop, failed placement, image pull errors): Container Insights
# publishes both counts, and the alarm compares them.
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  count = var.create_service_alarms && !local.apprunner ? 1 : 0

  alarm_name          = "${var.name}-running-tasks"
  alarm_description   = "${var.service_name}: fewer tasks running than desired."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = var.alarm_evaluation_periods
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "missing"
    expression  = "desired - running"
    label       = "Desired minus running tasks"
    return_data = true
  }

  metric_query {
    id = "desired"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      period      = var.alarm_period_seconds
      stat        = "Minimum"
      dimensions  = local.ecs_dimensions
    }
  }

  metric_query {
    id = "running"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      period      = var.alarm_period_seconds
      stat        = "Minimum"
      dimensions  = local.ecs_dimensions
    }
  }

  alarm_actions = [aws_sns_topic.this.arn]
  ok_actions    = [aws_sns_topic.this.arn]

  tags = var.tags
}

################################################################################
# Model alarms
################################################################################

resource "aws_cloudwatch_metric_alarm" "model" {
  for_each = local.model_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${var.service_name} model ${local.model.model_version}: ${each.value.description}"
  namespace           = local.model.namespace
  metric_name         = each.value.metric_name
  statistic           = "Average"
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  period              = local.model.period_seconds
  evaluation_periods  = local.model.evaluation_periods
  datapoints_to_alarm = local.model.datapoints_to_alarm
  treat_missing_data  = "notBreaching" # no traffic is not a bad model

  dimensions = local.model_dimensions

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
    widgets = concat([
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
          metrics = [[{ expression = "SEARCH('${w.query}', '${w.stat}', ${var.alarm_period_seconds})", id = "m${i}" }]]
        }
      }
      ], local.model == null ? [] : [
      {
        type   = "metric"
        x      = 0
        y      = local.model_row_y
        width  = 24
        height = 6
        properties = {
          title   = "Model ${local.model.model_version}: mean prediction against its baseline band"
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = local.model.period_seconds
          metrics = [[local.model.namespace, "Prediction", "Environment", local.model.environment, "ModelVersion", local.model.model_version, { stat = "Average", label = "mean prediction" }]]
          annotations = {
            horizontal = [
              { label = "band low", value = local.band_low },
              { label = "band high", value = local.band_high, fill = "below" },
            ]
          }
        }
      }
    ])
  })
}
