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
  model_alarms = {
    namespace     = "mlplatform-test/model"
    environment   = "staging"
    model_version = "v1"
    baseline      = { count = 200, mean = 13000, stddev = 2000, p01 = 8000, p50 = 13000, p99 = 18000 }
    valid_min     = 50
    valid_max     = 100000
  }
}

run "alarms_from_the_baseline" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.model) == 4
    error_message = "Four model alarms expected: mean low, mean high, out of range, invalid input."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.model["model-mean-low"].threshold == 5000 &&
      aws_cloudwatch_metric_alarm.model["model-mean-high"].threshold == 21000 &&
      aws_cloudwatch_metric_alarm.model["model-out-of-range"].threshold == 0.01 &&
      aws_cloudwatch_metric_alarm.model["model-invalid-input"].threshold == 0.05
    )
    error_message = "Default band: baseline mean +- 4 standard deviations; 1% out of range; 5% invalid input."
  }

  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.model :
      a.namespace == "mlplatform-test/model" && a.treat_missing_data == "notBreaching" && a.statistic == "Average" &&
      a.dimensions["Environment"] == "staging" && a.dimensions["ModelVersion"] == "v1" && a.datapoints_to_alarm == 2 &&
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111111111111:mlplatform-test-alerts"])
    ])
    error_message = "Model alarms: the EMF namespace and dimensions, Average, missing data not breaching, 2 of 3, the alert topic."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "Model v1: mean prediction against its baseline band")
    error_message = "The dashboard has a row for the model version."
  }
}

run "quantile_band" {
  command = plan

  variables {
    model_alarms = {
      namespace     = "mlplatform-test/model"
      environment   = "prod"
      model_version = "v2"
      baseline      = { count = 200, mean = 13000, stddev = 2000, p01 = 8000, p50 = 13000, p99 = 18000 }
      valid_min     = 50
      valid_max     = 100000
      band          = "quantiles"
    }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.model["model-mean-low"].threshold == 8000 && aws_cloudwatch_metric_alarm.model["model-mean-high"].threshold == 18000
    error_message = "Quantile band: baseline p01..p99."
  }
}

run "refuses_an_empty_valid_range" {
  command = plan

  variables {
    model_alarms = {
      namespace = "n", environment = "e", model_version = "v"
      baseline  = { count = 200, mean = 1, stddev = 1, p01 = 0, p50 = 1, p99 = 2 }
      valid_min = 10
      valid_max = 10
    }
  }

  expect_failures = [var.model_alarms]
}

run "refuses_a_band_of_no_width" {
  command = plan

  variables {
    model_alarms = {
      namespace = "n", environment = "e", model_version = "v"
      baseline  = { count = 200, mean = 1, stddev = 0, p01 = 1, p50 = 1, p99 = 1 }
      valid_min = 0
      valid_max = 10
    }
  }

  expect_failures = [var.model_alarms]
}

run "refuses_a_band_outside_the_valid_range" {
  command = plan

  variables {
    model_alarms = {
      namespace = "n", environment = "e", model_version = "v"
      baseline  = { count = 200, mean = 500, stddev = 10, p01 = 480, p50 = 500, p99 = 520 }
      valid_min = 0
      valid_max = 100
    }
  }

  expect_failures = [var.model_alarms]
}

run "refuses_more_datapoints_than_periods" {
  command = plan

  variables {
    model_alarms = {
      namespace           = "n", environment = "e", model_version = "v"
      baseline            = { count = 200, mean = 5, stddev = 1, p01 = 3, p50 = 5, p99 = 7 }
      valid_min           = 0
      valid_max           = 10
      evaluation_periods  = 2
      datapoints_to_alarm = 3
    }
  }

  expect_failures = [var.model_alarms]
}
