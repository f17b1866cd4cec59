mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "111111111111"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }
}

override_resource {
  target          = aws_sns_topic.this
  override_during = plan
  values = {
    arn = "arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"
  }
}

override_resource {
  target          = aws_kms_key.this
  override_during = plan
  values = {
    arn = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
  }
}

variables {
  name         = "mlplatform-test"
  service_name = "mlplatform-test"
  service_id   = "0123456789abcdef0123456789abcdef"
}

run "security_defaults" {
  command = plan

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "The topic key must rotate."
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
    error_message = "The alert topic must be encrypted with the module's customer-managed key."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 5
    error_message = "Five service alarms expected."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.namespace == "AWS/AppRunner" && a.treat_missing_data == "notBreaching" &&
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"]) &&
      a.ok_actions == toset(["arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"])
    ])
    error_message = "Every alarm must watch AWS/AppRunner, treat missing data as not breaching and notify the topic on alarm and OK."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["latency-p99"].extended_statistic == "p99"
    error_message = "The latency alarm must use p99."
  }

  assert {
    condition     = output.dashboard_name == "mlplatform-test"
    error_message = "Dashboard is named after the environment."
  }
}

run "thresholds_follow_inputs" {
  command = plan

  variables {
    alarm_5xx_threshold              = 1
    alarm_latency_p99_ms             = 500
    alarm_cpu_percent                = 60
    alarm_memory_percent             = 70
    alarm_active_instances_threshold = 10
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["5xx"].threshold == 1 &&
      aws_cloudwatch_metric_alarm.this["latency-p99"].threshold == 500 &&
      aws_cloudwatch_metric_alarm.this["cpu"].threshold == 60 &&
      aws_cloudwatch_metric_alarm.this["memory"].threshold == 70 &&
      aws_cloudwatch_metric_alarm.this["active-instances"].threshold == 10
    )
    error_message = "Alarm thresholds must follow the inputs."
  }
}

run "no_alarms_before_service" {
  command = plan

  variables {
    create_service_alarms = false
    service_id            = null
    alert_emails          = ["oncall@example.com"]
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0 && length(output.alarm_names) == 0
    error_message = "No alarms while the service does not exist."
  }

  assert {
    condition     = aws_sns_topic_subscription.email["oncall@example.com"].protocol == "email"
    error_message = "Alert e-mails must be subscribed."
  }
}

run "rejects_bad_thresholds" {
  command = plan

  variables {
    alarm_cpu_percent    = 150
    alarm_memory_percent = 0
    alarm_latency_p99_ms = -1
    alarm_5xx_threshold  = -5
    alarm_period_seconds = 45
  }

  expect_failures = [
    var.alarm_cpu_percent,
    var.alarm_memory_percent,
    var.alarm_latency_p99_ms,
    var.alarm_5xx_threshold,
    var.alarm_period_seconds,
  ]
}

run "rejects_bad_email_and_missing_id" {
  command = plan

  variables {
    alert_emails = ["not-an-email"]
    service_id   = null
  }

  expect_failures = [var.alert_emails, var.service_id]
}

run "ecs_fargate_alarms" {
  command = plan

  variables {
    compute                 = "ecs_fargate"
    service_id              = null
    ecs_cluster_name        = "mlplatform-test"
    alb_arn_suffix          = "app/mlplatform-test/0123456789abcdef"
    target_group_arn_suffix = "targetgroup/mlplatform-test/0123456789abcdef"
    alarm_latency_p99_ms    = 1500
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset(["5xx", "alb-5xx", "latency-p99", "unhealthy-hosts", "cpu", "memory"]) && length(aws_cloudwatch_metric_alarm.running_tasks) == 1
    error_message = "Load balancer, ECS and running-task alarms for Fargate, no App Runner alarms."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["5xx"].namespace == "AWS/ApplicationELB" &&
      aws_cloudwatch_metric_alarm.this["5xx"].dimensions == tomap({ LoadBalancer = "app/mlplatform-test/0123456789abcdef", TargetGroup = "targetgroup/mlplatform-test/0123456789abcdef" }) &&
      aws_cloudwatch_metric_alarm.this["latency-p99"].metric_name == "TargetResponseTime" &&
      aws_cloudwatch_metric_alarm.this["latency-p99"].extended_statistic == "p99" &&
      aws_cloudwatch_metric_alarm.this["latency-p99"].threshold == 1.5 &&
      aws_cloudwatch_metric_alarm.this["cpu"].namespace == "AWS/ECS" &&
      aws_cloudwatch_metric_alarm.this["memory"].dimensions == tomap({ ClusterName = "mlplatform-test", ServiceName = "mlplatform-test" })
    )
    error_message = "Fargate alarms watch the target group (latency in seconds) and the ECS service."
  }

  assert {
    condition = alltrue([
      for a in concat(values(aws_cloudwatch_metric_alarm.this), aws_cloudwatch_metric_alarm.running_tasks) :
      a.treat_missing_data == "notBreaching" && a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"])
    ])
    error_message = "Every Fargate alarm notifies the same topic and treats missing data as not breaching."
  }

  assert {
    condition     = length(output.alarm_names) == 7 && contains(output.alarm_names, "mlplatform-test-running-tasks")
    error_message = "alarm_names lists the running-task alarm too."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "AWS/ApplicationELB") && !strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "AWS/AppRunner")
    error_message = "The Fargate dashboard shows load balancer and ECS metrics."
  }
}

run "apprunner_dashboard_unchanged" {
  command = plan

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "SEARCH('{AWS/AppRunner,ServiceID,ServiceName} ServiceName=\\\"mlplatform-test\\\" MetricName=\\\"5xxStatusResponses\\\"', 'Sum', 60)") && length(aws_cloudwatch_metric_alarm.running_tasks) == 0
    error_message = "The App Runner dashboard and alarms stay as they were."
  }
}

run "rejects_fargate_without_load_balancer" {
  command = plan

  variables {
    compute                 = "ecs_fargate"
    ecs_cluster_name        = null
    alb_arn_suffix          = null
    target_group_arn_suffix = "not-a-suffix"
  }

  expect_failures = [var.ecs_cluster_name, var.alb_arn_suffix, var.target_group_arn_suffix]
}

# One owner for the topic's policy: the topic itself, so a one-step apply leaves nothing for a refresh to change.
run "topic_carries_its_own_policy" {
  command = plan

  assert {
    condition     = aws_sns_topic.this.policy == data.aws_iam_policy_document.topic.json
    error_message = "The alert topic must carry its policy itself (no separate aws_sns_topic_policy)."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.topic.statement :
      s.resources == toset(["arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"])
    ])
    error_message = "The topic policy must name the topic's own ARN."
  }
}

run "capacity_alarm_limit_is_app_runners" {
  command = plan

  variables {
    alarm_active_instances_threshold = 40
  }

  expect_failures = [var.alarm_active_instances_threshold]
}

run "fargate_is_not_held_to_app_runners_capacity_limit" {
  command = plan

  variables {
    compute                          = "ecs_fargate"
    service_id                       = null
    ecs_cluster_name                 = "mlplatform-test"
    alb_arn_suffix                   = "app/mlplatform-test/0123456789abcdef"
    target_group_arn_suffix          = "targetgroup/mlplatform-test/0123456789abcdef"
    alarm_active_instances_threshold = 40
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "active-instances")
    error_message = "Fargate has no App Runner capacity alarm, so App Runner's 25-instance limit does not apply."
  }
}
