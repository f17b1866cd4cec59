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
