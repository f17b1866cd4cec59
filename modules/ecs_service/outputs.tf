################################################################################
# Same names as model_service: callers do not care which compute runs the workload
################################################################################

output "service_url" {
  description = "URL of the service: https://ALB_DNS_NAME with a certificate, http://ALB_DNS_NAME without."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = aws_ecs_service.this.id
}

output "service_id" {
  description = "ID of the service within ECS: CLUSTER_NAME/SERVICE_NAME (the auto-scaling resource ID without its \"service/\" prefix)."
  value       = "${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
}

output "service_name" {
  description = "Name of the ECS service (the ServiceName dimension of its metrics)."
  value       = aws_ecs_service.this.name
}

output "service_status" {
  description = "ACTIVE once the service exists. Terraform does not read ECS's service status; with wait_for_steady_state (the default) an apply succeeds only after the tasks are running and healthy."
  value       = "ACTIVE"

  depends_on = [aws_ecs_service.this]
}

output "image" {
  description = "Image identifier the service runs."
  value       = var.image
}

output "health_check_path" {
  description = "Path of the load balancer's HTTP health check."
  value       = var.health_check_path
}

output "access_role_arn" {
  description = "ARN of the role ECS pulls the image with (the task execution role); grant it pull access on the repository."
  value       = aws_iam_role.execution.arn
}

output "instance_role_arn" {
  description = "ARN of the role the running workload assumes (the task role)."
  value       = aws_iam_role.task.arn
}

################################################################################
# ECS and load balancer specifics
################################################################################

output "cluster_name" {
  description = "Name of the ECS cluster (the ClusterName dimension of its metrics)."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "task_definition_arn" {
  description = "ARN of the task definition revision the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "log_group_name" {
  description = "Name of the KMS-encrypted CloudWatch log group with the container logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "alb_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (app/NAME/ID: the LoadBalancer dimension of its metrics)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point a CNAME or alias record here)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "target_group_arn" {
  description = "ARN of the target group the tasks register in."
  value       = aws_lb_target_group.this.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (targetgroup/NAME/ID: the TargetGroup dimension of its metrics)."
  value       = aws_lb_target_group.this.arn_suffix
}

output "alb_security_group_id" {
  description = "ID of the load balancer's security group."
  value       = aws_security_group.alb.id
}

output "task_security_group_id" {
  description = "ID of the tasks' security group (reachable only from the load balancer's)."
  value       = aws_security_group.tasks.id
}

output "alb_log_bucket_name" {
  description = "Name of the S3 bucket receiving the load balancer's access logs."
  value       = module.log_bucket.bucket_name
}

output "deployment_alarm_names" {
  description = "The alarms the service's deployments watch, with rollback (empty: none)."
  value       = try(tolist(one(aws_ecs_service.this.alarms).alarm_names), [])
}
