output "service_url" {
  description = "HTTPS URL of the service (https://DOMAIN)."
  value       = "https://${aws_apprunner_service.this.service_url}"
}

output "service_arn" {
  description = "ARN of the service."
  value       = aws_apprunner_service.this.arn
}

output "service_id" {
  description = "ID of the service (the ServiceID dimension of its metrics)."
  value       = aws_apprunner_service.this.service_id
}

output "service_name" {
  description = "Name of the service (the ServiceName dimension of its metrics)."
  value       = aws_apprunner_service.this.service_name
}

output "service_status" {
  description = "Status of the service as last read, e.g. RUNNING."
  value       = aws_apprunner_service.this.status
}

output "image" {
  description = "Image identifier the service runs."
  value       = var.image
}

output "health_check_path" {
  description = "Path of the HTTP health check (null for TCP checks)."
  value       = var.health_check_protocol == "HTTP" ? var.health_check_path : null
}

output "access_role_arn" {
  description = "ARN of the role the platform uses to pull the image; grant it pull access on the repository."
  value       = aws_iam_role.access.arn
}

output "instance_role_arn" {
  description = "ARN of the role the running workload assumes."
  value       = aws_iam_role.instance.arn
}
