variable "name" {
  description = "Name prefix for the topic, alarms and dashboard, e.g. \"mlplatform-staging\". Lowercase letters, digits and hyphens, 3-40 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

################################################################################
# Alert topic
################################################################################

variable "kms_key_arn" {
  description = "ARN of a KMS key that encrypts the alert topic. null creates a dedicated customer-managed key that CloudWatch may use (the AWS-managed SNS key does not let CloudWatch publish)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before the created topic key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days
    error_message = "kms_key_deletion_window_days must be a whole number from 7 to 30."
  }
}

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails must hold valid e-mail addresses."
  }
}

################################################################################
# Service alarms
################################################################################

variable "compute" {
  description = "What runs the service, and so which alarms and dashboard widgets exist: \"apprunner\" (AWS/AppRunner metrics) or \"ecs_fargate\" (load balancer, ECS and Container Insights metrics)."
  type        = string
  default     = "apprunner"

  validation {
    condition     = contains(["apprunner", "ecs_fargate"], var.compute)
    error_message = "compute must be \"apprunner\" or \"ecs_fargate\"."
  }
}

variable "create_service_alarms" {
  description = "Whether to create the service alarms. Set false until the service exists (first apply creates the registry before any image is pushed)."
  type        = bool
  default     = true
}

variable "service_name" {
  description = "Name of the service to watch (the ServiceName dimension of App Runner and ECS metrics). Also scopes the dashboard."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$", var.service_name))
    error_message = "service_name must be a valid service name (4-40 letters, digits, '-' or '_')."
  }
}

variable "service_id" {
  description = "ID of the App Runner service (the ServiceID dimension). Required when create_service_alarms is true and compute is apprunner."
  type        = string
  default     = null

  validation {
    condition     = !var.create_service_alarms || var.compute != "apprunner" || var.service_id != null
    error_message = "service_id is required when create_service_alarms is true and compute is apprunner."
  }
}

variable "ecs_cluster_name" {
  description = "Name of the ECS cluster of the service (the ClusterName dimension). Required when create_service_alarms is true and compute is ecs_fargate."
  type        = string
  default     = null

  validation {
    condition     = !var.create_service_alarms || var.compute != "ecs_fargate" || var.ecs_cluster_name != null
    error_message = "ecs_cluster_name is required when create_service_alarms is true and compute is ecs_fargate."
  }
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the service's load balancer, app/NAME/ID (the LoadBalancer dimension). Required when create_service_alarms is true and compute is ecs_fargate."
  type        = string
  default     = null

  validation {
    condition     = var.alb_arn_suffix == null ? (!var.create_service_alarms || var.compute != "ecs_fargate") : can(regex("^app/[A-Za-z0-9-]+/[0-9a-f]+$", var.alb_arn_suffix))
    error_message = "alb_arn_suffix must be app/NAME/ID, and is required when create_service_alarms is true and compute is ecs_fargate."
  }
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the service's target group, targetgroup/NAME/ID (the TargetGroup dimension). Required when create_service_alarms is true and compute is ecs_fargate."
  type        = string
  default     = null

  validation {
    condition     = var.target_group_arn_suffix == null ? (!var.create_service_alarms || var.compute != "ecs_fargate") : can(regex("^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.target_group_arn_suffix))
    error_message = "target_group_arn_suffix must be targetgroup/NAME/ID, and is required when create_service_alarms is true and compute is ecs_fargate."
  }
}

variable "alarm_period_seconds" {
  description = "Evaluation period of every alarm, in seconds: 60 or a multiple of 60."
  type        = number
  default     = 60

  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0
    error_message = "alarm_period_seconds must be 60 or a multiple of 60."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive breaching periods before an alarm fires. 1-60."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number from 1 to 60."
  }
}

variable "alarm_5xx_threshold" {
  description = "5xx responses per period above which the error alarm fires (for ecs_fargate: each of the tasks' and the load balancer's own 5xx). >= 0."
  type        = number
  default     = 10

  validation {
    condition     = var.alarm_5xx_threshold >= 0
    error_message = "alarm_5xx_threshold must be zero or more."
  }
}

variable "alarm_latency_p99_ms" {
  description = "p99 request latency (App Runner) or target response time (load balancer), in milliseconds, above which the latency alarm fires. 1-300000."
  type        = number
  default     = 2000

  validation {
    condition     = var.alarm_latency_p99_ms > 0 && var.alarm_latency_p99_ms <= 300000
    error_message = "alarm_latency_p99_ms must be between 1 and 300000 milliseconds."
  }
}

variable "alarm_cpu_percent" {
  description = "Average CPU utilisation (percent, 1-100) above which the CPU alarm fires."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_cpu_percent > 0 && var.alarm_cpu_percent <= 100
    error_message = "alarm_cpu_percent must be a percentage between 1 and 100."
  }
}

variable "alarm_memory_percent" {
  description = "Average memory utilisation (percent, 1-100) above which the memory alarm fires."
  type        = number
  default     = 80

  validation {
    condition     = var.alarm_memory_percent > 0 && var.alarm_memory_percent <= 100
    error_message = "alarm_memory_percent must be a percentage between 1 and 100."
  }
}

variable "alarm_active_instances_threshold" {
  description = "App Runner only (ignored for ecs_fargate): active instance count at or above which the capacity alarm fires; usually the service's auto-scaling maximum (model_service's default is 3). 1-25, App Runner's own limit."
  type        = number
  default     = 3

  # App Runner's limit for App Runner only: an ecs_fargate service may scale to 100 tasks and has no such alarm.
  validation {
    condition     = var.compute != "apprunner" || var.alarm_active_instances_threshold >= 1 && var.alarm_active_instances_threshold <= 25 && floor(var.alarm_active_instances_threshold) == var.alarm_active_instances_threshold
    error_message = "On App Runner, alarm_active_instances_threshold must be a whole number from 1 to 25."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}

################################################################################
# Model alarms
################################################################################

variable "model_alarms" {
  description = "Alarms on what the model predicts (the EMF metrics Prediction, PredictionOutOfRange and InvalidInput in `namespace`, by Environment and ModelVersion), derived from the model's baseline: the mean prediction outside the band (band = \"stddev\": baseline mean +- band_stddevs standard deviations; \"quantiles\": baseline p01..p99), the share of predictions outside valid_min..valid_max above out_of_range_percent, the invalid-input rate above invalid_input_percent. Missing data never alarms. null: no model alarms."
  type = object({
    namespace     = string
    environment   = string
    model_version = string
    baseline = object({
      count  = number
      mean   = number
      stddev = number
      p01    = number
      p50    = number
      p99    = number
    })
    valid_min             = number
    valid_max             = number
    band                  = optional(string, "stddev")
    band_stddevs          = optional(number, 4)
    out_of_range_percent  = optional(number, 1)
    invalid_input_percent = optional(number, 5)
    period_seconds        = optional(number, 60)
    evaluation_periods    = optional(number, 3)
    datapoints_to_alarm   = optional(number, 2)
  })
  default  = null
  nullable = true

  validation {
    condition     = var.model_alarms == null ? true : var.model_alarms.valid_min < var.model_alarms.valid_max
    error_message = "model_alarms.valid_min must be below valid_max: the valid output range is empty."
  }
  validation {
    condition     = var.model_alarms == null ? true : contains(["stddev", "quantiles"], var.model_alarms.band)
    error_message = "model_alarms.band must be \"stddev\" (baseline mean +- band_stddevs standard deviations) or \"quantiles\" (baseline p01..p99)."
  }
  validation {
    condition     = var.model_alarms == null ? true : var.model_alarms.band_stddevs > 0 && var.model_alarms.band_stddevs <= 20
    error_message = "model_alarms.band_stddevs must be above 0 and at most 20: a band of no width alarms on every prediction, a wider one on none."
  }
  validation {
    condition = var.model_alarms == null ? true : (
      var.model_alarms.band == "quantiles" ? var.model_alarms.baseline.p01 < var.model_alarms.baseline.p99 : var.model_alarms.baseline.stddev > 0
    )
    error_message = "model_alarms.baseline has no spread (stddev 0, or p01 == p99): the band around it would be empty; publish a baseline on varied held-out data."
  }
  validation {
    condition = var.model_alarms == null ? true : (
      (var.model_alarms.band == "quantiles" ? var.model_alarms.baseline.p99 : var.model_alarms.baseline.mean + var.model_alarms.band_stddevs * var.model_alarms.baseline.stddev) > var.model_alarms.valid_min &&
      (var.model_alarms.band == "quantiles" ? var.model_alarms.baseline.p01 : var.model_alarms.baseline.mean - var.model_alarms.band_stddevs * var.model_alarms.baseline.stddev) < var.model_alarms.valid_max
    )
    error_message = "model_alarms: the baseline's band lies entirely outside valid_min..valid_max, so the model's normal output is invalid; fix the valid range or the model."
  }
  validation {
    condition = var.model_alarms == null ? true : (
      var.model_alarms.out_of_range_percent > 0 && var.model_alarms.out_of_range_percent <= 100 &&
      var.model_alarms.invalid_input_percent > 0 && var.model_alarms.invalid_input_percent <= 100
    )
    error_message = "model_alarms.out_of_range_percent and invalid_input_percent must be above 0 and at most 100."
  }
  validation {
    condition = var.model_alarms == null ? true : (
      contains([10, 30, 60, 120, 300, 900, 3600], var.model_alarms.period_seconds) &&
      var.model_alarms.evaluation_periods >= 1 && var.model_alarms.datapoints_to_alarm >= 1 &&
      var.model_alarms.datapoints_to_alarm <= var.model_alarms.evaluation_periods
    )
    error_message = "model_alarms: period_seconds must be 10, 30, 60 or a multiple of 60 listed (120, 300, 900, 3600), and 1 <= datapoints_to_alarm <= evaluation_periods."
  }
}
