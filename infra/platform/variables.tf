################################################################################
# Environment
################################################################################

variable "environment" {
  description = "Name of the environment this stack instance serves, e.g. staging or prod. Lowercase letters, digits and hyphens, 2-16 characters, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "region" {
  description = "AWS region the environment lives in, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "project" {
  description = "Project name; resources are named \"<project>-<environment>\". Lowercase letters, digits and hyphens, 2-15 characters."
  type        = string
  default     = "mlplatform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,13}[a-z0-9]$", var.project))
    error_message = "project must be 2-15 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  description = "Extra tags for every resource (environment, project and managed-by are always set)."
  type        = map(string)
  default     = {}
}

################################################################################
# Container registry
################################################################################

variable "registry_force_delete" {
  description = "Whether destroying the environment may delete the registry while it still holds images. false protects released images."
  type        = bool
  default     = false
}

variable "registry_keep_release_images" {
  description = "Newest tagged images the registry keeps. 1-1000."
  type        = number
  default     = 30

  validation {
    condition     = var.registry_keep_release_images >= 1 && var.registry_keep_release_images <= 1000
    error_message = "registry_keep_release_images must be from 1 to 1000."
  }
}

variable "registry_untagged_expire_days" {
  description = "Days after which untagged images expire. 1-3650."
  type        = number
  default     = 7

  validation {
    condition     = var.registry_untagged_expire_days >= 1 && var.registry_untagged_expire_days <= 3650
    error_message = "registry_untagged_expire_days must be from 1 to 3650."
  }
}

################################################################################
# Model service
################################################################################

variable "service_image" {
  description = "Image to run, from this environment's registry: a digest \"sha256:<64 hex>\" (preferred) or a tag. null creates everything but the service and its alarms (first apply, before any image is pushed). CI passes it with -var."
  type        = string
  default     = null
  nullable    = true

  validation {
    condition     = var.service_image == null || can(regex("^sha256:[0-9a-f]{64}$", var.service_image)) || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.service_image))
    error_message = "service_image must be null, a digest sha256:<64 lowercase hex>, or a tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "service_port" {
  description = "Port the model server listens on. 1-65535."
  type        = number
  default     = 8080

  validation {
    condition     = var.service_port >= 1 && var.service_port <= 65535
    error_message = "service_port must be from 1 to 65535."
  }
}

variable "service_cpu" {
  description = "CPU units per instance (1024 = 1 vCPU): 256, 512, 1024, 2048 or 4096."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.service_cpu)
    error_message = "service_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "service_memory" {
  description = "Memory per instance in MiB, matching service_cpu: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288."
  type        = number
  default     = 2048

  validation {
    condition = contains(lookup({
      "256"  = [512, 1024]
      "512"  = [1024]
      "1024" = [2048, 3072, 4096]
      "2048" = [4096, 6144]
      "4096" = [8192, 10240, 12288]
    }, tostring(var.service_cpu), []), var.service_memory)
    error_message = "service_memory must match service_cpu: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288."
  }
}

variable "service_environment_variables" {
  description = "Plain environment variables for the model server (no secrets)."
  type        = map(string)
  default     = {}
}

variable "service_secrets" {
  description = "Environment variables read from SSM Parameter Store or Secrets Manager: map of name to parameter or secret ARN."
  type        = map(string)
  default     = {}
}

variable "service_health_check_path" {
  description = "Path of the HTTP health check."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.service_health_check_path, "/")
    error_message = "service_health_check_path must start with '/'."
  }
}

variable "service_health_check_interval_seconds" {
  description = "Seconds between health checks. 1-20."
  type        = number
  default     = 10

  validation {
    condition     = var.service_health_check_interval_seconds >= 1 && var.service_health_check_interval_seconds <= 20
    error_message = "service_health_check_interval_seconds must be from 1 to 20."
  }
}

variable "service_health_check_unhealthy_threshold" {
  description = "Consecutive failed checks before an instance is replaced. 1-20."
  type        = number
  default     = 3

  validation {
    condition     = var.service_health_check_unhealthy_threshold >= 1 && var.service_health_check_unhealthy_threshold <= 20
    error_message = "service_health_check_unhealthy_threshold must be from 1 to 20."
  }
}

variable "service_min_instances" {
  description = "Instances always running. 1-25."
  type        = number
  default     = 1

  validation {
    condition     = var.service_min_instances >= 1 && var.service_min_instances <= 25
    error_message = "service_min_instances must be from 1 to 25."
  }
}

variable "service_max_instances" {
  description = "Upper bound of auto scaling. 1-25, at least service_min_instances."
  type        = number
  default     = 3

  validation {
    condition     = var.service_max_instances >= 1 && var.service_max_instances <= 25 && var.service_max_instances >= var.service_min_instances
    error_message = "service_max_instances must be from 1 to 25 and at least service_min_instances."
  }
}

variable "service_max_concurrency" {
  description = "Concurrent requests per instance before App Runner scales out. 1-200."
  type        = number
  default     = 100

  validation {
    condition     = var.service_max_concurrency >= 1 && var.service_max_concurrency <= 200
    error_message = "service_max_concurrency must be from 1 to 200."
  }
}

variable "service_tracing_enabled" {
  description = "Whether requests are traced with AWS X-Ray."
  type        = bool
  default     = true
}

################################################################################
# Artifact store
################################################################################

variable "artifact_force_destroy" {
  description = "Whether destroying the environment may delete artifact buckets that still hold objects. false protects model artifacts."
  type        = bool
  default     = false
}

variable "artifact_noncurrent_version_expiration_days" {
  description = "Days old artifact versions are kept. 1-3650."
  type        = number
  default     = 90

  validation {
    condition     = var.artifact_noncurrent_version_expiration_days >= 1 && var.artifact_noncurrent_version_expiration_days <= 3650
    error_message = "artifact_noncurrent_version_expiration_days must be from 1 to 3650."
  }
}

variable "artifact_log_retention_days" {
  description = "Days the artifact bucket's access logs are kept. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.artifact_log_retention_days >= 1 && var.artifact_log_retention_days <= 3650
    error_message = "artifact_log_retention_days must be from 1 to 3650."
  }
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before a destroyed KMS key is really deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30
    error_message = "kms_key_deletion_window_days must be from 7 to 30."
  }
}

################################################################################
# Monitoring
################################################################################

variable "alert_emails" {
  description = "E-mail addresses that receive alarm notifications."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must hold valid e-mail addresses."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive breaching minutes before an alarm fires. 1-60."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60
    error_message = "alarm_evaluation_periods must be from 1 to 60."
  }
}

variable "alarm_5xx_threshold" {
  description = "5xx responses per minute above which the error alarm fires. >= 0."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_5xx_threshold >= 0
    error_message = "alarm_5xx_threshold must be zero or more."
  }
}

variable "alarm_latency_p99_ms" {
  description = "p99 latency in milliseconds above which the latency alarm fires. 1-300000."
  type        = number
  default     = 2000

  validation {
    condition     = var.alarm_latency_p99_ms > 0 && var.alarm_latency_p99_ms <= 300000
    error_message = "alarm_latency_p99_ms must be between 1 and 300000."
  }
}

variable "alarm_cpu_percent" {
  description = "Average CPU utilisation (percent) above which the CPU alarm fires. 1-100."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_cpu_percent > 0 && var.alarm_cpu_percent <= 100
    error_message = "alarm_cpu_percent must be between 1 and 100."
  }
}

variable "alarm_memory_percent" {
  description = "Average memory utilisation (percent) above which the memory alarm fires. 1-100."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_memory_percent > 0 && var.alarm_memory_percent <= 100
    error_message = "alarm_memory_percent must be between 1 and 100."
  }
}
