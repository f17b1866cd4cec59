################################################################################
# Service (null until service_image is set); the same names whichever compute runs it
################################################################################

output "compute" {
  description = "What runs the model service: apprunner or ecs_fargate."
  value       = var.compute
}

output "service_url" {
  description = "URL of the model service (https://..., or http://ALB_DNS_NAME for ecs_fargate without a certificate), or null while no image is deployed."
  value       = local.service.service_url
}

output "service_arn" {
  description = "ARN of the App Runner or ECS service, or null while no image is deployed."
  value       = local.service.service_arn
}

output "service_id" {
  description = "ID of the service (App Runner ServiceID, or CLUSTER/SERVICE for ecs_fargate), or null while no image is deployed."
  value       = local.service.service_id
}

output "service_name" {
  description = "Name of the App Runner or ECS service, or null while no image is deployed."
  value       = local.service.service_name
}

output "service_status" {
  description = "Status of the service at the last apply (App Runner: e.g. RUNNING; ECS: ACTIVE), or null while no image is deployed."
  value       = local.service.service_status
}

output "service_image" {
  description = "Full image identifier the service runs (REGISTRY_URL@sha256:... or REGISTRY_URL:TAG), or null while no image is deployed."
  value       = local.image
}

output "model_artifact" {
  description = "The model release the service runs (key, version_id, sha256 in the artifact store), or null."
  value       = var.model_artifact
}

output "model_baseline" {
  description = "The baseline of that model the model alarms derive from, or null: a plan that keeps the model reads it here, so planning needs no access to the artifact store's key."
  value       = var.model_baseline
}

output "health_check_path" {
  description = "Path of the service's HTTP health check."
  value       = var.service.health_check_path
}

################################################################################
# ECS Fargate (null for apprunner or while no image is deployed)
################################################################################

output "cluster_name" {
  description = "Name of the ECS cluster (ecs_fargate), else null."
  value       = one(module.ecs_service[*].cluster_name)
}

output "task_definition_arn" {
  description = "The task definition revision this apply gave the ECS service (ecs_fargate; null for apprunner): platformctl compares it with what the service runs to notice an ECS rollback."
  value       = one(module.ecs_service[*].task_definition_arn)
}

output "log_group_name" {
  description = "CloudWatch log group with the container logs (ecs_fargate), else null."
  value       = one(module.ecs_service[*].log_group_name)
}

output "alb_arn" {
  description = "ARN of the application load balancer (ecs_fargate), else null."
  value       = one(module.ecs_service[*].alb_arn)
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer, the LoadBalancer metric dimension (ecs_fargate), else null."
  value       = one(module.ecs_service[*].alb_arn_suffix)
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (ecs_fargate), else null."
  value       = one(module.ecs_service[*].alb_dns_name)
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group, the TargetGroup metric dimension (ecs_fargate), else null."
  value       = one(module.ecs_service[*].target_group_arn_suffix)
}

output "vpc_id" {
  description = "VPC the ecs_fargate service runs in (given or created), else null."
  value       = local.fargate ? local.vpc_id : null
}

################################################################################
# Registry
################################################################################

output "registry_url" {
  description = "URL of the ECR repository CI pushes the model-serving image to."
  value       = module.container_registry.repository_url
}

output "repository_name" {
  description = "Name of the ECR repository."
  value       = module.container_registry.repository_name
}

output "repository_arn" {
  description = "ARN of the ECR repository."
  value       = module.container_registry.repository_arn
}

################################################################################
# Artifact store
################################################################################

output "artifact_bucket_name" {
  description = "Name of the S3 bucket holding model artifacts."
  value       = module.artifact_store.bucket_name
}

output "artifact_bucket_arn" {
  description = "ARN of the S3 bucket holding model artifacts."
  value       = module.artifact_store.bucket_arn
}

output "artifact_kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting the artifacts."
  value       = module.artifact_store.kms_key_arn
}

################################################################################
# Monitoring
################################################################################

output "alert_topic_arn" {
  description = "ARN of the SNS topic that receives alarm and OK notifications."
  value       = module.monitoring.topic_arn
}

output "alarm_names" {
  description = "Names of the service's CloudWatch alarms (empty while no image is deployed)."
  value       = module.monitoring.alarm_names
}

output "model_alarm_names" {
  description = "The model alarms among alarm_names (empty without model_guardrails and a model baseline)."
  value       = module.monitoring.model_alarm_names
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = module.monitoring.dashboard_url
}
