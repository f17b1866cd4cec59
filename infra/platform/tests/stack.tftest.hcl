# Plan-mode tests of the stack's wiring (run: cd infra/platform && terraform init -backend=false && terraform test).

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
  target          = module.container_registry.aws_ecr_repository.this
  override_during = plan
  values = {
    repository_url = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-staging"
    arn            = "arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-staging"
    name           = "mlplatform-staging"
  }
}

variables {
  environment = "staging"
  region      = "eu-west-1"
}

run "first_apply_without_image" {
  command = plan

  assert {
    condition     = length(module.model_service) == 0 && output.service_image == null && output.service_url == null
    error_message = "No service until an image is given."
  }

  assert {
    condition     = length(module.monitoring.alarm_names) == 0
    error_message = "No service alarms until the service exists."
  }

  assert {
    condition     = output.repository_name == "mlplatform-staging" && output.dashboard_name == "mlplatform-staging"
    error_message = "Resources are named <project>-<environment>."
  }
}

run "deploy_by_digest" {
  command = plan

  variables {
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }

  assert {
    condition     = output.service_image == "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-staging@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    error_message = "A digest is appended with '@'."
  }

  assert {
    condition     = module.model_service[0].image == output.service_image
    error_message = "The service runs exactly the stack's image."
  }

  assert {
    condition     = length(output.alarm_names) == 5
    error_message = "Service alarms exist once the service does."
  }
}

run "deploy_by_tag" {
  command = plan

  variables {
    service_image = "v1.2.3"
  }

  assert {
    condition     = output.service_image == "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-staging:v1.2.3"
    error_message = "A tag is appended with ':'."
  }
}

run "rejects_bad_inputs" {
  command = plan

  variables {
    environment    = "Staging"
    service_image  = "sha256:short"
    service_cpu    = 256
    service_memory = 4096
  }

  expect_failures = [var.environment, var.service_image, var.service_memory]
}
