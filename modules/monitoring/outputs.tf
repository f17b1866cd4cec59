output "topic_arn" {
  description = "ARN of the KMS-encrypted SNS alert topic that every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the alert topic."
  value       = local.kms_key_arn
}

output "alarm_names" {
  description = "Names of the service alarms (empty while create_service_alarms is false)."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}

output "alarm_arns" {
  description = "ARNs of the service alarms, keyed by alarm short name (5xx, latency-p99, cpu, memory, active-instances)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}
