# One environment of the model platform. Every environment runs this same code; envs/<env>/ holds
# only its inputs (terraform.tfvars) and its state location (backend.hcl).

data "aws_caller_identity" "current" {}

locals {
  name = "${var.project}-${var.environment}"

  # The first apply runs without an image: the registry has to exist before CI can push one.
  create_service = var.service_image != null
  image = local.create_service ? (
    startswith(var.service_image, "sha256:")
    ? "${module.container_registry.repository_url}@${var.service_image}"
    : "${module.container_registry.repository_url}:${var.service_image}"
  ) : null

  tags = var.tags
}

module "container_registry" {
  source = "../../modules/container_registry"

  name                           = local.name
  force_delete                   = var.registry_force_delete
  lifecycle_keep_release_images  = var.registry_keep_release_images
  lifecycle_untagged_expire_days = var.registry_untagged_expire_days
  pull_principal_arns            = local.create_service ? [module.model_service[0].access_role_arn] : []

  tags = local.tags
}

module "artifact_store" {
  source = "../../modules/artifact_store"

  # Account ID keeps the globally unique bucket name from colliding across accounts.
  bucket_name                        = "${local.name}-artifacts-${data.aws_caller_identity.current.account_id}"
  force_destroy                      = var.artifact_force_destroy
  kms_key_deletion_window_days       = var.kms_key_deletion_window_days
  noncurrent_version_expiration_days = var.artifact_noncurrent_version_expiration_days
  log_retention_days                 = var.artifact_log_retention_days

  tags = local.tags
}

module "model_service" {
  source = "../../modules/model_service"
  count  = local.create_service ? 1 : 0

  name                 = local.name
  image                = local.image
  image_repository_arn = module.container_registry.repository_arn

  port                  = var.service_port
  cpu                   = var.service_cpu
  memory                = var.service_memory
  environment_variables = var.service_environment_variables
  secrets               = var.service_secrets
  instance_policies     = { artifacts-read-only = module.artifact_store.read_only_policy_json }

  health_check_path                = var.service_health_check_path
  health_check_interval_seconds    = var.service_health_check_interval_seconds
  health_check_unhealthy_threshold = var.service_health_check_unhealthy_threshold

  autoscaling_min_size        = var.service_min_instances
  autoscaling_max_size        = var.service_max_instances
  autoscaling_max_concurrency = var.service_max_concurrency

  tracing_enabled = var.service_tracing_enabled

  tags = local.tags
}

module "monitoring" {
  source = "../../modules/monitoring"

  name                         = local.name
  alert_emails                 = var.alert_emails
  kms_key_deletion_window_days = var.kms_key_deletion_window_days

  create_service_alarms = local.create_service
  service_name          = local.name
  service_id            = local.create_service ? module.model_service[0].service_id : null

  alarm_evaluation_periods         = var.alarm_evaluation_periods
  alarm_5xx_threshold              = var.alarm_5xx_threshold
  alarm_latency_p99_ms             = var.alarm_latency_p99_ms
  alarm_cpu_percent                = var.alarm_cpu_percent
  alarm_memory_percent             = var.alarm_memory_percent
  alarm_active_instances_threshold = var.service_max_instances

  tags = local.tags
}
