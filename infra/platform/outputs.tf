################################################################################
# Service (null until service_image is set)
################################################################################

output "service_url" {
  description = "HTTPS URL of the model service, or null while no image is deployed."
  value       = local.create_service ? module.model_service[0].service_url : null
}

output "service_arn" {
  description = "ARN of the App Runner service, or null while no image is deployed."
  value       = local.create_service ? module.model_service[0].service_arn : null
}

output "service_id" {
  description = "ID of the App Runner service, or null while no image is deployed."
  value       = local.create_service ? module.model_service[0].service_id : null
}

output "service_status" {
  description = "Status of the App Runner service at the last apply (e.g. RUNNING), or null while no image is deployed."
  value       = local.create_service ? module.model_service[0].service_status : null
}

output "service_image" {
  description = "Full image identifier the service runs (REGISTRY_URL@sha256:... or REGISTRY_URL:TAG), or null while no image is deployed."
  value       = local.image
}

output "health_check_path" {
  description = "Path of the service's HTTP health check."
  value       = var.service_health_check_path
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

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = module.monitoring.dashboard_url
}
