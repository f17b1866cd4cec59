# One environment of the model platform. Every environment runs this same code; envs/<env>/ holds
# only its inputs (terraform.tfvars) and its state location (backend.hcl).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# Promote roles of other accounts that copy this environment's releases: infra/bootstrap in this account writes
# one parameter per promotion from this environment (its `promotions`); the grants follow on the next apply.
data "aws_ssm_parameters_by_path" "promotion_readers" {
  path = "/${var.project}/promotion-readers/${var.environment}"
}

locals {
  name              = "${var.project}-${var.environment}"
  promotion_readers = sort(nonsensitive(data.aws_ssm_parameters_by_path.promotion_readers.values))

  # The first apply runs without an image: the registry has to exist before CI can push one.
  create_service = var.service_image != null
  image = local.create_service ? (
    startswith(var.service_image, "sha256:")
    ? "${module.container_registry.repository_url}@${var.service_image}"
    : "${module.container_registry.repository_url}:${var.service_image}"
  ) : null

  # ECS Fargate runs in the given VPC, or in one the stack creates (modules/network) when none is given.
  fargate        = var.compute == "ecs_fargate"
  create_network = local.fargate && var.network.vpc_id == null
  vpc_id         = local.create_network ? one(module.network[*].vpc_id) : var.network.vpc_id
  public_subnets = local.create_network ? one(module.network[*].public_subnet_ids) : var.network.public_subnet_ids
  # Tasks without a public IP need a way to AWS (the stack's network has VPC endpoints; an existing VPC, NAT or endpoints).
  task_subnets = var.ecs_fargate.assign_public_ip ? local.public_subnets : (
    local.create_network ? one(module.network[*].private_subnet_ids) : var.network.private_subnet_ids
  )

  # Whichever compute module exists; the outputs read the same names from either.
  service = {
    for k in ["service_url", "service_arn", "service_id", "service_name", "service_status", "access_role_arn"] :
    k => one(concat([for m in module.model_service : m[k]], [for m in module.ecs_service : m[k]]))
  }

  # The model the service loads at start: that exact version of an object in this environment's artifact store.
  model_environment = var.model_artifact == null ? {} : {
    MODEL_ARTIFACT_BUCKET     = module.artifact_store.bucket_name
    MODEL_ARTIFACT_KEY        = var.model_artifact.key
    MODEL_ARTIFACT_VERSION_ID = var.model_artifact.version_id
    MODEL_ARTIFACT_SHA256     = var.model_artifact.sha256
  }
  # What the model predicts, reported by the service as EMF (namespace per stack), against this environment's range.
  metrics_environment = var.model_guardrails == null || var.model_artifact == null ? {} : {
    METRICS_NAMESPACE   = "${local.name}/model"
    METRICS_ENVIRONMENT = var.environment
    MODEL_VALID_MIN     = tostring(var.model_guardrails.valid_min)
    MODEL_VALID_MAX     = tostring(var.model_guardrails.valid_max)
  }
  service_environment = merge(var.service.environment_variables, local.model_environment, local.metrics_environment)
  # Every attribute spelled out: the typed null of a merge() without the guardrails' attributes would not convert to
  # the monitoring module's input when guardrails are unset but a baseline is given.
  model_alarms = var.model_guardrails == null || var.model_artifact == null || var.model_baseline == null ? null : {
    namespace             = "${local.name}/model"
    environment           = var.environment
    model_version         = var.model_artifact.version_id
    baseline              = var.model_baseline
    valid_min             = var.model_guardrails.valid_min
    valid_max             = var.model_guardrails.valid_max
    band                  = var.model_guardrails.band
    band_stddevs          = var.model_guardrails.band_stddevs
    out_of_range_percent  = var.model_guardrails.out_of_range_percent
    invalid_input_percent = var.model_guardrails.invalid_input_percent
    period_seconds        = var.model_guardrails.period_seconds
    evaluation_periods    = var.model_guardrails.evaluation_periods
    datapoints_to_alarm   = var.model_guardrails.datapoints_to_alarm
  }

  # infra/bootstrap's boundary for every role the stack creates; its apply roles may create roles only with it.
  workload_boundary_arn = var.workload_permissions_boundary ? "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:policy/${local.name}-workload-boundary" : null

  # Never empty: the aws provider stores an empty resource `tags` as null and reads it back as {}, which
  # `platformctl drift` would report as a change nobody made (hashicorp/terraform-provider-aws#28833).
  # environment, project and managed-by come from the provider's default_tags.
  tags = merge({ stack = "platform" }, var.tags)
}

module "container_registry" {
  source = "../../modules/container_registry"

  name                           = local.name
  force_delete                   = var.registry.force_delete
  lifecycle_keep_release_images  = var.registry.keep_release_images
  lifecycle_untagged_expire_days = var.registry.untagged_expire_days
  pull_principal_arns            = local.create_service ? [local.service.access_role_arn] : []
  promotion_reader_arns          = local.promotion_readers

  tags = local.tags
}

module "artifact_store" {
  source = "../../modules/artifact_store"

  # Account ID keeps the globally unique bucket name from colliding across accounts.
  bucket_name                        = "${local.name}-artifacts-${data.aws_caller_identity.current.account_id}"
  force_destroy                      = var.artifact_store.force_destroy
  kms_key_deletion_window_days       = var.kms_key_deletion_window_days
  noncurrent_version_expiration_days = var.artifact_store.noncurrent_version_expiration_days
  log_retention_days                 = var.artifact_store.log_retention_days
  promotion_reader_arns              = local.promotion_readers

  tags = local.tags
}

module "model_service" {
  source = "../../modules/model_service"
  count  = local.create_service && var.compute == "apprunner" ? 1 : 0

  name                     = local.name
  permissions_boundary_arn = local.workload_boundary_arn
  image                    = local.image
  image_repository_arn     = module.container_registry.repository_arn

  port                  = var.service.port
  cpu                   = var.service.cpu
  memory                = var.service.memory
  environment_variables = local.service_environment
  secrets               = var.service.secrets
  instance_policies     = { artifacts-read-only = module.artifact_store.read_only_policy_json }

  health_check_path                = var.service.health_check_path
  health_check_interval_seconds    = var.service.health_check_interval_seconds
  health_check_unhealthy_threshold = var.service.health_check_unhealthy_threshold

  autoscaling_min_size        = var.service.min_instances
  autoscaling_max_size        = var.service.max_instances
  autoscaling_max_concurrency = var.apprunner.max_concurrency

  tracing_enabled = var.apprunner.tracing_enabled

  tags = local.tags
}

module "network" {
  source = "../../modules/network"
  count  = local.create_network ? 1 : 0

  name       = local.name
  cidr_block = var.network.cidr_block

  tags = local.tags
}

module "ecs_service" {
  source = "../../modules/ecs_service"
  count  = local.create_service && var.compute == "ecs_fargate" ? 1 : 0

  name                     = local.name
  permissions_boundary_arn = local.workload_boundary_arn
  image                    = local.image
  image_repository_arn     = module.container_registry.repository_arn

  port                  = var.service.port
  cpu                   = var.service.cpu
  memory                = var.service.memory
  environment_variables = local.service_environment
  secrets               = var.service.secrets
  instance_policies     = { artifacts-read-only = module.artifact_store.read_only_policy_json }

  health_check_path                 = var.service.health_check_path
  health_check_interval_seconds     = var.service.health_check_interval_seconds
  health_check_unhealthy_threshold  = var.service.health_check_unhealthy_threshold
  health_check_grace_period_seconds = var.ecs_fargate.health_check_grace_period_seconds
  wait_for_steady_state             = var.ecs_fargate.wait_for_steady_state
  deployment_alarm_names            = module.monitoring.deployment_alarm_names

  autoscaling_min_size            = var.service.min_instances
  autoscaling_max_size            = var.service.max_instances
  autoscaling_cpu_target_percent  = var.ecs_fargate.cpu_target_percent
  autoscaling_requests_per_target = var.ecs_fargate.requests_per_target

  vpc_id           = local.vpc_id
  alb_subnet_ids   = local.public_subnets
  task_subnet_ids  = local.task_subnets
  assign_public_ip = var.ecs_fargate.assign_public_ip

  certificate_arn               = var.ecs_fargate.certificate_arn
  alb_deletion_protection       = var.ecs_fargate.alb_deletion_protection
  alb_access_log_retention_days = var.ecs_fargate.alb_access_log_retention_days
  force_destroy                 = var.ecs_fargate.alb_access_log_force_destroy
  log_retention_days            = var.ecs_fargate.log_retention_days
  kms_key_deletion_window_days  = var.kms_key_deletion_window_days

  tags = local.tags
}

module "monitoring" {
  source = "../../modules/monitoring"

  name                         = local.name
  alert_emails                 = var.alarms.emails
  kms_key_deletion_window_days = var.kms_key_deletion_window_days

  compute                 = var.compute
  create_service_alarms   = local.create_service
  service_name            = local.name
  service_id              = one(module.model_service[*].service_id)
  ecs_cluster_name        = one(module.ecs_service[*].cluster_name)
  alb_arn_suffix          = one(module.ecs_service[*].alb_arn_suffix)
  target_group_arn_suffix = one(module.ecs_service[*].target_group_arn_suffix)

  alarm_evaluation_periods         = var.alarms.evaluation_periods
  alarm_5xx_threshold              = var.alarms.http_5xx_threshold
  alarm_latency_p99_ms             = var.alarms.latency_p99_ms
  alarm_cpu_percent                = var.alarms.cpu_percent
  alarm_memory_percent             = var.alarms.memory_percent
  alarm_active_instances_threshold = var.service.max_instances

  model_alarms = local.create_service ? local.model_alarms : null

  tags = local.tags
}
