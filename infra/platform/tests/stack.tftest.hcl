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

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }

  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::156460612806:root"
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

# Known IDs at plan time, so the ECS and monitoring modules validate real shapes rather than skipping unknowns.
override_resource {
  target          = module.network[0].aws_vpc.this
  override_during = plan
  values = {
    id         = "vpc-0123456789abcdef0"
    cidr_block = "10.0.0.0/16"
  }
}

override_resource {
  target          = module.network[0].aws_subnet.public
  override_during = plan
  values = {
    id = "subnet-0a000000000000001"
  }
}

override_resource {
  target          = module.network[0].aws_subnet.private
  override_during = plan
  values = {
    id = "subnet-0b000000000000001"
  }
}

override_resource {
  target          = module.ecs_service[0].aws_lb.this
  override_during = plan
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/mlplatform-staging/0123456789abcdef"
    arn_suffix = "app/mlplatform-staging/0123456789abcdef"
    dns_name   = "mlplatform-staging-123.eu-west-1.elb.amazonaws.com"
  }
}

override_resource {
  target          = module.ecs_service[0].aws_lb_target_group.this
  override_during = plan
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/mlplatform-staging/0123456789abcdef"
    arn_suffix = "targetgroup/mlplatform-staging/0123456789abcdef"
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

# A model with a baseline but no guardrails in the environment: the service gets the model, no model alarms exist.
run "model_baseline_without_guardrails" {
  command = plan

  variables {
    service_image  = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    model_artifact = { key = "models/m.json", version_id = "v1", sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }
    model_baseline = { count = 100, mean = 10, stddev = 2, p01 = 5, p50 = 10, p99 = 15 }
  }

  assert {
    condition     = length(output.alarm_names) == 5
    error_message = "Without guardrails only the service alarms exist."
  }
}

# The same model with the environment's guardrails: the four model alarms join the service alarms.
run "model_baseline_with_guardrails" {
  command = plan

  variables {
    service_image    = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    model_artifact   = { key = "models/m.json", version_id = "v1", sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }
    model_baseline   = { count = 100, mean = 10, stddev = 2, p01 = 5, p50 = 10, p99 = 15 }
    model_guardrails = { valid_min = 0, valid_max = 100 }
  }

  assert {
    condition     = length(output.alarm_names) == 9
    error_message = "Guardrails add the four model alarms."
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
    environment   = "Staging"
    service_image = "sha256:short"
    service       = { cpu = 256, memory = 4096 }
  }

  expect_failures = [var.environment, var.service_image, var.service]
}

run "fargate_first_apply_builds_network_without_service" {
  command = plan

  variables {
    compute = "ecs_fargate"
  }

  assert {
    condition     = length(module.network) == 1 && length(module.ecs_service) == 0 && length(module.model_service) == 0
    error_message = "Without an image, ecs_fargate creates only the network (no VPC was given)."
  }

  assert {
    condition     = output.compute == "ecs_fargate" && output.service_url == null && output.cluster_name == null && length(output.alarm_names) == 0
    error_message = "Service outputs stay null until an image is given."
  }
}

run "fargate_deploy_by_digest" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }

  assert {
    condition     = length(module.ecs_service) == 1 && length(module.model_service) == 0
    error_message = "ecs_fargate runs the ECS module, not App Runner."
  }

  assert {
    condition     = module.ecs_service[0].image == output.service_image && output.cluster_name == "mlplatform-staging" && output.health_check_path == "/health"
    error_message = "The ECS service runs exactly the stack's image, in a cluster named after the environment."
  }

  assert {
    condition = (
      length(output.alarm_names) == 7 &&
      contains(output.alarm_names, "mlplatform-staging-unhealthy-hosts") &&
      contains(output.alarm_names, "mlplatform-staging-running-tasks")
    )
    error_message = "Fargate alarms (load balancer, ECS, running tasks) replace the App Runner ones."
  }
}

# ECS stops a bad release itself: the 5xx and model alarms are the service's deployment alarms, with rollback.
run "fargate_deployment_alarms_are_the_error_and_model_alarms" {
  command = plan

  variables {
    compute          = "ecs_fargate"
    service_image    = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    model_artifact   = { key = "models/m.json", version_id = "v1", sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" }
    model_baseline   = { count = 100, mean = 10, stddev = 2, p01 = 5, p50 = 10, p99 = 15 }
    model_guardrails = { valid_min = 0, valid_max = 100 }
  }

  assert {
    condition = (
      jsonencode(sort(module.ecs_service[0].deployment_alarm_names)) == jsonencode([
        "mlplatform-staging-5xx", "mlplatform-staging-alb-5xx", "mlplatform-staging-model-invalid-input",
        "mlplatform-staging-model-mean-high", "mlplatform-staging-model-mean-low", "mlplatform-staging-model-out-of-range",
      ]) &&
      alltrue([for name in module.ecs_service[0].deployment_alarm_names : contains(output.alarm_names, name)])
    )
    error_message = "The deployment alarms are the 5xx and model alarms, every one of them an alarm the stack creates."
  }
}

run "fargate_in_existing_vpc" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    network = {
      vpc_id             = "vpc-0fedcba9876543210"
      public_subnet_ids  = ["subnet-0c000000000000001", "subnet-0c000000000000002"]
      private_subnet_ids = ["subnet-0d000000000000001"]
    }
  }

  assert {
    condition     = length(module.network) == 0 && output.vpc_id == "vpc-0fedcba9876543210"
    error_message = "A given VPC is used as is; no network is created."
  }
}

run "fargate_rejects_tag_and_incomplete_vpc" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "v1.2.3"
    network = {
      vpc_id            = "vpc-0fedcba9876543210"
      public_subnet_ids = ["subnet-0c000000000000001"]
    }
  }

  expect_failures = [var.service_image, var.network]
}

run "rejects_unknown_compute" {
  command = plan

  variables {
    compute = "lambda"
  }

  expect_failures = [var.compute]
}

# The service inputs feed both compute modules; each module's checks apply to the environments that use it
# (tests/fast/test_stack_variables.py), so each target takes its own sizes.
run "fargate_takes_sizes_only_fargate_has" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { cpu = 8192, memory = 32768 }
  }

  assert {
    condition     = length(module.ecs_service) == 1
    error_message = "An ECS Fargate environment may use Fargate's larger sizes."
  }
}

run "apprunner_refuses_sizes_only_fargate_has" {
  command = plan

  variables {
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { cpu = 8192 }
  }

  expect_failures = [var.service]
}

run "apprunner_refuses_a_pair_only_fargate_has" {
  command = plan

  variables {
    service = { cpu = 4096, memory = 16384 }
  }

  expect_failures = [var.service]
}

run "fargate_refuses_a_pair_fargate_does_not_have" {
  command = plan

  variables {
    compute = "ecs_fargate"
    service = { cpu = 4096, memory = 4096 }
  }

  expect_failures = [var.service]
}

# Each limit where its target is chosen: App Runner's 25-instance cap (its auto scaling and its capacity alarm)
# stays App Runner's.
run "fargate_scales_past_app_runners_instance_limit" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { min_instances = 2, max_instances = 40 }
  }

  assert {
    condition     = length(module.ecs_service) == 1 && !contains(module.monitoring.alarm_names, "mlplatform-staging-active-instances")
    error_message = "An ECS Fargate environment may run 40 tasks; App Runner's capacity alarm is not there to cap it."
  }
}

run "apprunner_refuses_more_than_25_instances" {
  command = plan

  variables {
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { max_instances = 40 }
  }

  expect_failures = [var.service]
}

run "fargate_refuses_more_than_100_tasks" {
  command = plan

  variables {
    compute = "ecs_fargate"
    service = { max_instances = 101 }
  }

  expect_failures = [var.service]
}

run "fargate_may_use_app_runners_reserved_prefix" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { environment_variables = { AWSAPPRUNNER_MODE = "off" } }
  }

  assert {
    condition     = length(module.ecs_service) == 1
    error_message = "AWSAPPRUNNER is App Runner's reserved prefix, not Fargate's."
  }
}

run "apprunner_refuses_its_reserved_prefix" {
  command = plan

  variables {
    service = { environment_variables = { AWSAPPRUNNER_MODE = "off" } }
  }

  expect_failures = [var.service]
}

run "grouped_inputs_reach_their_modules" {
  command = plan

  variables {
    compute       = "ecs_fargate"
    service_image = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    service       = { health_check_path = "/ready", max_instances = 5 }
  }

  assert {
    condition     = output.health_check_path == "/ready" && length(module.ecs_service) == 1
    error_message = "A group with one attribute set keeps the defaults of the others."
  }
}

# infra/bootstrap in this account names the promote roles of other accounts that copy this environment's releases.
run "promotion_readers_come_from_bootstraps_parameters" {
  command = plan

  override_data {
    target = data.aws_ssm_parameters_by_path.promotion_readers
    values = {
      names  = ["/mlplatform/promotion-readers/staging/prod"]
      values = ["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"]
    }
  }

  assert {
    condition     = local.promotion_readers == tolist(["arn:aws:iam::222222222222:role/mlplatform-github-promote-prod"])
    error_message = "The registry and artifact store must grant exactly the promote roles bootstrap named."
  }
}
