mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  target          = aws_iam_role.access
  override_during = plan
  values = {
    arn = "arn:aws:iam::111111111111:role/mlplatform-test-apprunner-access"
  }
}

override_resource {
  target          = aws_iam_role.instance
  override_during = plan
  values = {
    arn = "arn:aws:iam::111111111111:role/mlplatform-test-apprunner-instance"
    id  = "mlplatform-test-apprunner-instance"
  }
}

variables {
  name                 = "mlplatform-test"
  image                = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-test@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  image_repository_arn = "arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-test"
  instance_policies = {
    artifacts = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"
  }
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = one(aws_apprunner_service.this.observability_configuration).observability_enabled
    error_message = "X-Ray tracing must be on by default."
  }

  assert {
    condition     = one(aws_apprunner_observability_configuration.this[0].trace_configuration).vendor == "AWSXRAY"
    error_message = "Tracing must use X-Ray."
  }

  assert {
    condition     = one(aws_apprunner_service.this.source_configuration).auto_deployments_enabled == false
    error_message = "Registry pushes must not deploy on their own."
  }

  assert {
    condition     = one(one(aws_apprunner_service.this.source_configuration).authentication_configuration).access_role_arn == "arn:aws:iam::111111111111:role/mlplatform-test-apprunner-access"
    error_message = "The service must pull with the module's access role."
  }

  assert {
    condition     = one(aws_apprunner_service.this.instance_configuration).instance_role_arn == "arn:aws:iam::111111111111:role/mlplatform-test-apprunner-instance"
    error_message = "The service must run as the module's instance role."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.access.statement : s.resources if s.sid == "PullFromRepository"]) == toset(["arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-test"])
    error_message = "The access role may pull from the one repository only."
  }

  assert {
    condition     = keys(aws_iam_role_policy.workload) == ["artifacts"] && aws_iam_role_policy.workload["artifacts"].policy == var.instance_policies["artifacts"] && length(aws_iam_role_policy.secrets) == 0
    error_message = "The instance role gets the workload policy and nothing else."
  }

  assert {
    condition = (
      one(aws_apprunner_service.this.health_check_configuration).path == "/health" &&
      one(aws_apprunner_service.this.health_check_configuration).protocol == "HTTP"
    )
    error_message = "HTTP health check on /health by default."
  }

  assert {
    condition     = one(aws_apprunner_service.this.instance_configuration).cpu == "1024" && one(aws_apprunner_service.this.instance_configuration).memory == "2048"
    error_message = "Default size is 1 vCPU / 2 GB."
  }
}

run "workload_inputs_reach_the_service" {
  command = plan

  variables {
    image                       = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-test:v1.2.3"
    port                        = 9000
    cpu                         = 2048
    memory                      = 6144
    environment_variables       = { MODEL_NAME = "demo" }
    secrets                     = { API_KEY = "arn:aws:ssm:eu-west-1:111111111111:parameter/mlplatform/api-key" }
    autoscaling_min_size        = 2
    autoscaling_max_size        = 10
    autoscaling_max_concurrency = 50
  }

  assert {
    condition     = one(one(one(aws_apprunner_service.this.source_configuration).image_repository).image_configuration).port == "9000"
    error_message = "Port must reach the service."
  }

  assert {
    condition     = one(one(one(aws_apprunner_service.this.source_configuration).image_repository).image_configuration).runtime_environment_secrets["API_KEY"] == "arn:aws:ssm:eu-west-1:111111111111:parameter/mlplatform/api-key"
    error_message = "Secrets must reach the service."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.secrets[0].statement).resources == toset(["arn:aws:ssm:eu-west-1:111111111111:parameter/mlplatform/api-key"])
    error_message = "The instance role may read exactly the declared secrets."
  }

  assert {
    condition = (
      aws_apprunner_auto_scaling_configuration_version.this.min_size == 2 &&
      aws_apprunner_auto_scaling_configuration_version.this.max_size == 10 &&
      aws_apprunner_auto_scaling_configuration_version.this.max_concurrency == 50
    )
    error_message = "Scaling inputs must reach the auto-scaling configuration."
  }
}

run "rejects_bad_size" {
  command = plan

  variables {
    cpu    = 512
    memory = 4096
  }

  expect_failures = [var.memory]
}

run "rejects_unknown_cpu" {
  command = plan

  variables {
    cpu = 300
  }

  expect_failures = [var.cpu]
}

run "rejects_bad_image_and_scaling" {
  command = plan

  variables {
    image                = "docker.io/library/nginx:latest"
    autoscaling_min_size = 5
    autoscaling_max_size = 2
  }

  expect_failures = [var.image, var.autoscaling_max_size]
}

run "rejects_bad_health_check_and_secrets" {
  command = plan

  variables {
    health_check_path             = "health"
    health_check_interval_seconds = 30
    secrets                       = { API_KEY = "plain-text-secret" }
  }

  expect_failures = [var.health_check_path, var.health_check_interval_seconds, var.secrets]
}

run "rejects_invalid_instance_policy" {
  command = plan

  variables {
    instance_policies = { artifacts = "not json" }
  }

  expect_failures = [var.instance_policies]
}
