output "topic_arn" {
  description = "ARN of the KMS-encrypted SNS alert topic that every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the alert topic."
  value       = local.kms_key_arn
}

output "alarm_names" {
  description = "Names of the service alarms (empty while create_service_alarms is false) and of the model alarms (model-mean-low, model-mean-high, model-out-of-range, model-invalid-input when model_alarms is set): everything `apply --watch` watches."
  value       = concat([for a in aws_cloudwatch_metric_alarm.this : a.alarm_name], aws_cloudwatch_metric_alarm.running_tasks[*].alarm_name, [for a in aws_cloudwatch_metric_alarm.model : a.alarm_name])
}

output "model_alarm_names" {
  description = "Names of the model alarms alone (empty without model_alarms): `promote` refuses a release that fired one while it was watched."
  value       = [for a in aws_cloudwatch_metric_alarm.model : a.alarm_name]
}

output "deployment_alarm_names" {
  description = "The alarms that say a release is bad rather than the load high: the 5xx alarms and the model alarms. ecs_fargate hands them to the service's deployment alarms. Built from names alone (not the alarm resources), so the service may depend on it while the alarms depend on the service."
  value       = [for key in concat(var.create_service_alarms ? (local.apprunner ? ["5xx"] : ["5xx", "alb-5xx"]) : [], keys(local.model_alarms)) : "${var.name}-${key}"]
}

output "alarm_arns" {
  description = "ARNs of the service alarms, keyed by alarm short name: 5xx, latency-p99, cpu, memory, active-instances (apprunner); 5xx, alb-5xx, latency-p99, unhealthy-hosts, cpu, memory, running-tasks (ecs_fargate)."
  value       = merge({ for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }, { for a in aws_cloudwatch_metric_alarm.running_tasks : "running-tasks" => a.arn })
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "compute" {
  description = "Which compute the alarms and dashboard watch: apprunner or ecs_fargate."
  value       = var.compute
}

output "model_alarm_thresholds" {
  description = "The model alarms' thresholds derived from the baseline: band_low and band_high of the mean prediction, out_of_range and invalid_input as fractions (null without model_alarms)."
  value = local.model == null ? null : {
    band_low      = local.band_low
    band_high     = local.band_high
    out_of_range  = local.model.out_of_range_percent / 100
    invalid_input = local.model.invalid_input_percent / 100
  }
}
