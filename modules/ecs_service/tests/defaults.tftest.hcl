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

  mock_data "aws_elb_service_account" {
    defaults = {
      arn = "arn:aws:iam::156460612806:root"
    }
  }
}

override_resource {
  target          = aws_iam_role.execution
  override_during = plan
  values = {
    arn = "arn:aws:iam::111111111111:role/mlplatform-test-ecs-execution"
    id  = "mlplatform-test-ecs-execution"
  }
}

override_resource {
  target          = aws_iam_role.task
  override_during = plan
  values = {
    arn = "arn:aws:iam::111111111111:role/mlplatform-test-ecs-task"
    id  = "mlplatform-test-ecs-task"
  }
}

override_resource {
  target          = aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn  = "arn:aws:logs:eu-west-1:111111111111:log-group:/ecs/mlplatform-test"
    name = "/ecs/mlplatform-test"
  }
}

override_resource {
  target          = aws_kms_key.logs
  override_during = plan
  values = {
    arn = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
  }
}

override_resource {
  target          = aws_ecs_cluster.this
  override_during = plan
  values = {
    arn  = "arn:aws:ecs:eu-west-1:111111111111:cluster/mlplatform-test"
    name = "mlplatform-test"
  }
}

override_resource {
  target          = aws_lb.this
  override_during = plan
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/mlplatform-test/0123456789abcdef"
    arn_suffix = "app/mlplatform-test/0123456789abcdef"
    dns_name   = "mlplatform-test-123.eu-west-1.elb.amazonaws.com"
  }
}

override_resource {
  target          = aws_lb_target_group.this
  override_during = plan
  values = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/mlplatform-test/0123456789abcdef"
    arn_suffix = "targetgroup/mlplatform-test/0123456789abcdef"
  }
}

override_resource {
  target          = aws_security_group.alb
  override_during = plan
  values = {
    id = "sg-0a0a0a0a0a0a0a0a0"
  }
}

override_resource {
  target          = aws_security_group.tasks
  override_during = plan
  values = {
    id = "sg-0b0b0b0b0b0b0b0b0"
  }
}

override_resource {
  target          = aws_ecs_service.this
  override_during = plan
  values = {
    name = "mlplatform-test"
  }
}

variables {
  name                 = "mlplatform-test"
  image                = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-test@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  image_repository_arn = "arn:aws:ecr:eu-west-1:111111111111:repository/mlplatform-test"
  vpc_id               = "vpc-0123456789abcdef0"
  alb_subnet_ids       = ["subnet-0a000000000000001", "subnet-0a000000000000002"]
  task_subnet_ids      = ["subnet-0b000000000000001", "subnet-0b000000000000002"]
  instance_policies = {
    artifacts = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"
  }
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights must be on."
  }

  assert {
    condition = (
      one(aws_ecs_service.this.deployment_circuit_breaker).enable &&
      one(aws_ecs_service.this.deployment_circuit_breaker).rollback &&
      aws_ecs_service.this.health_check_grace_period_seconds == 60
    )
    error_message = "Deployments must roll back on failure, after a health check grace period."
  }

  assert {
    condition = (
      one(aws_ecs_service.this.network_configuration).assign_public_ip == false &&
      one(aws_ecs_service.this.network_configuration).subnets == toset(var.task_subnet_ids) &&
      one(aws_ecs_service.this.network_configuration).security_groups == toset(["sg-0b0b0b0b0b0b0b0b0"])
    )
    error_message = "Tasks run in the task subnets, without public IP, in the tasks' security group."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.tasks_from_alb.referenced_security_group_id == "sg-0a0a0a0a0a0a0a0a0" &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.from_port == 8080 &&
      aws_vpc_security_group_ingress_rule.tasks_from_alb.cidr_ipv4 == null
    )
    error_message = "Only the load balancer may reach the tasks, on the container port."
  }

  assert {
    condition = (
      aws_ecs_task_definition.this.execution_role_arn == "arn:aws:iam::111111111111:role/mlplatform-test-ecs-execution" &&
      aws_ecs_task_definition.this.task_role_arn == "arn:aws:iam::111111111111:role/mlplatform-test-ecs-task" &&
      aws_ecs_task_definition.this.cpu == "1024" && aws_ecs_task_definition.this.memory == "2048"
    )
    error_message = "Separate execution and task roles; default size 1 vCPU / 2 GB."
  }

  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == var.image &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration.options["awslogs-group"] == "/ecs/mlplatform-test"
    )
    error_message = "The container runs the digest, read-only, logging to the module's log group."
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555" &&
      aws_cloudwatch_log_group.this.retention_in_days == 365 && aws_kms_key.logs.enable_key_rotation
    )
    error_message = "Container logs are KMS-encrypted with a rotating key and kept a year."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s.resources if s.sid == "PullFromRepository"]) == toset([var.image_repository_arn])
    error_message = "The execution role may pull from the one repository only."
  }

  assert {
    condition     = keys(aws_iam_role_policy.workload) == ["artifacts"] && aws_iam_role_policy.workload["artifacts"].role == "mlplatform-test-ecs-task"
    error_message = "The task role gets the workload policy and nothing else."
  }

  assert {
    condition = (
      length(aws_lb_listener.http) == 1 && length(aws_lb_listener.https) == 0 && length(aws_lb_listener.http_redirect) == 0 &&
      output.service_url == "http://mlplatform-test-123.eu-west-1.elb.amazonaws.com"
    )
    error_message = "Without a certificate: one plain HTTP listener, and the URL says http."
  }

  assert {
    condition = (
      one(aws_lb_target_group.this.health_check).path == "/health" &&
      aws_lb_target_group.this.target_type == "ip" &&
      one(aws_lb.this.access_logs).enabled && aws_lb.this.drop_invalid_header_fields && aws_lb.this.enable_deletion_protection
    )
    error_message = "Target group checks /health; the load balancer logs access, drops invalid headers and is protected."
  }

  assert {
    condition = (
      module.log_bucket.sse_algorithm == "AES256" && module.log_bucket.kms_key_arn == null &&
      module.log_bucket.lifecycle_rule.id == "expire-access-logs" &&
      alltrue([for st in data.aws_iam_policy_document.log_delivery.statement :
      st.resources == toset(["arn:aws:s3:::mlplatform-test-alb-logs-111111111111/alb/AWSLogs/111111111111/*"])])
    )
    error_message = "The access-log bucket uses SSE-S3 (the only encryption ALB log delivery supports)."
  }

  assert {
    condition = (
      aws_appautoscaling_target.this.min_capacity == 1 && aws_appautoscaling_target.this.max_capacity == 3 &&
      one(aws_appautoscaling_policy.cpu.target_tracking_scaling_policy_configuration).predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization" &&
      one(aws_appautoscaling_policy.requests.target_tracking_scaling_policy_configuration).predefined_metric_specification[0].resource_label == "app/mlplatform-test/0123456789abcdef/targetgroup/mlplatform-test/0123456789abcdef"
    )
    error_message = "Scaling between min and max on CPU and on requests per target."
  }

  assert {
    condition     = output.service_id == "mlplatform-test/mlplatform-test" && output.cluster_name == "mlplatform-test" && output.health_check_path == "/health"
    error_message = "Outputs carry model_service's names."
  }
}

run "https_with_certificate" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/abcd"
  }

  assert {
    condition = (
      length(aws_lb_listener.http) == 0 && aws_lb_listener.https[0].port == 443 &&
      startswith(aws_lb_listener.https[0].ssl_policy, "ELBSecurityPolicy-TLS13") &&
      one(one(aws_lb_listener.http_redirect[0].default_action).redirect).protocol == "HTTPS"
    )
    error_message = "A certificate gives an HTTPS listener and an HTTP->HTTPS redirect, no plain listener."
  }

  assert {
    condition     = output.service_url == "https://mlplatform-test-123.eu-west-1.elb.amazonaws.com" && length(aws_vpc_security_group_ingress_rule.alb) == 2
    error_message = "The URL says https and the load balancer admits ports 80 and 443."
  }
}

run "workload_inputs_reach_the_task" {
  command = plan

  variables {
    port                  = 9000
    cpu                   = 4096
    memory                = 30720
    assign_public_ip      = true
    environment_variables = { MODEL_NAME = "demo" }
    secrets = {
      API_KEY = "arn:aws:ssm:eu-west-1:111111111111:parameter/mlplatform/api-key"
      DB_PASS = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"
    }
    autoscaling_min_size = 2
    autoscaling_max_size = 10
  }

  assert {
    condition = (
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].portMappings[0].containerPort == 9000 &&
      jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment == [{ name = "MODEL_NAME", value = "demo" }] &&
      length(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].secrets) == 2
    )
    error_message = "Port, environment and secrets must reach the container."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.execution.statement : s.resources if s.sid == "ReadParameters"]) == toset(["arn:aws:ssm:eu-west-1:111111111111:parameter/mlplatform/api-key"]) &&
      one([for s in data.aws_iam_policy_document.execution.statement : s.resources if s.sid == "ReadSecrets"]) == toset(["arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf"])
    )
    error_message = "The execution role may read exactly the declared secrets."
  }

  assert {
    condition     = one(aws_ecs_service.this.network_configuration).assign_public_ip && aws_ecs_service.this.desired_count == 2 && aws_appautoscaling_target.this.max_capacity == 10
    error_message = "Public IP and scaling bounds follow the inputs."
  }
}

run "rejects_bad_size" {
  command = plan

  variables {
    cpu    = 512
    memory = 8192
  }

  expect_failures = [var.memory]
}

run "rejects_min_above_max_and_tag_image" {
  command = plan

  variables {
    image                = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/mlplatform-test:v1"
    autoscaling_min_size = 5
    autoscaling_max_size = 2
  }

  expect_failures = [var.image, var.autoscaling_max_size]
}

run "rejects_missing_subnets" {
  command = plan

  variables {
    alb_subnet_ids  = ["subnet-0a000000000000001"]
    task_subnet_ids = []
  }

  expect_failures = [var.alb_subnet_ids, var.task_subnet_ids]
}

run "rejects_bad_health_check_and_secrets" {
  command = plan

  variables {
    health_check_path             = "health"
    health_check_interval_seconds = 4
    secrets                       = { API_KEY = "plain-text-secret" }
    certificate_arn               = "not-an-arn"
  }

  expect_failures = [var.health_check_path, var.health_check_interval_seconds, var.secrets, var.certificate_arn]
}
