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
# Compute
################################################################################

variable "compute" {
  description = "What runs the model service: \"apprunner\" (AWS App Runner, the default; closed to new AWS customers since 2026-04-30) or \"ecs_fargate\" (ECS Fargate behind an application load balancer). Switching is a reviewed plan that replaces the service and its alarms; registry, artifact store and alert topic stay."
  type        = string
  default     = "apprunner"

  validation {
    condition     = contains(["apprunner", "ecs_fargate"], var.compute)
    error_message = "compute must be \"apprunner\" or \"ecs_fargate\"."
  }
}

################################################################################
# Network (ecs_fargate only)
################################################################################

variable "vpc_id" {
  description = "Existing VPC for the ecs_fargate service. null creates a small VPC (modules/network: two public and two private subnets, VPC endpoints instead of NAT). Ignored for apprunner."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be null or a VPC ID (vpc-...)."
  }
}

variable "vpc_public_subnet_ids" {
  description = "Public subnets of vpc_id for the load balancer (and for the tasks when service_assign_public_ip is true): at least two, in different zones. Required with vpc_id."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.vpc_public_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]) && (var.vpc_id == null || length(var.vpc_public_subnet_ids) >= 2)
    error_message = "vpc_public_subnet_ids must hold subnet IDs (subnet-...), at least two when vpc_id is set."
  }
}

variable "vpc_private_subnet_ids" {
  description = "Private subnets of vpc_id the tasks run in (they need a NAT gateway or VPC endpoints for ECR, S3 and CloudWatch Logs). Required with vpc_id unless service_assign_public_ip is true."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.vpc_private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]) && (var.vpc_id == null || var.service_assign_public_ip || length(var.vpc_private_subnet_ids) >= 1)
    error_message = "vpc_private_subnet_ids must hold subnet IDs (subnet-...), at least one when vpc_id is set and service_assign_public_ip is false."
  }
}

variable "network_cidr_block" {
  description = "IPv4 CIDR block of the VPC the stack creates when compute is ecs_fargate and vpc_id is null, /16 to /24."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.network_cidr_block, 0)) && try(tonumber(split("/", var.network_cidr_block)[1]) >= 16 && tonumber(split("/", var.network_cidr_block)[1]) <= 24, false)
    error_message = "network_cidr_block must be an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16."
  }
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
    condition     = var.registry_keep_release_images >= 1 && var.registry_keep_release_images <= 1000 && floor(var.registry_keep_release_images) == var.registry_keep_release_images
    error_message = "registry_keep_release_images must be a whole number from 1 to 1000."
  }
}

variable "registry_untagged_expire_days" {
  description = "Days after which untagged images expire. 1-3650."
  type        = number
  default     = 7

  validation {
    condition     = var.registry_untagged_expire_days >= 1 && var.registry_untagged_expire_days <= 3650 && floor(var.registry_untagged_expire_days) == var.registry_untagged_expire_days
    error_message = "registry_untagged_expire_days must be a whole number from 1 to 3650."
  }
}

################################################################################
# Model service
################################################################################

variable "service_image" {
  description = "Image to run, from this environment's registry: a digest \"sha256:<64 hex>\" (preferred; the only form ecs_fargate takes) or a tag. null creates everything but the service and its alarms (first apply, before any image is pushed). CI passes it with -var."
  type        = string
  default     = null
  nullable    = true

  validation {
    condition     = var.service_image == null || can(regex("^sha256:[0-9a-f]{64}$", var.service_image)) || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.service_image))
    error_message = "service_image must be null, a digest sha256:<64 lowercase hex>, or a tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }

  validation {
    condition     = var.service_image == null || var.compute != "ecs_fargate" || can(regex("^sha256:[0-9a-f]{64}$", var.service_image))
    error_message = "service_image must be a digest sha256:<64 lowercase hex> when compute is ecs_fargate (its task definitions pin the image by digest); push the image and pass the digest CI printed."
  }
}

variable "service_port" {
  description = "Port the model server listens on. 1-65535."
  type        = number
  default     = 8080

  validation {
    condition     = var.service_port >= 1 && var.service_port <= 65535 && floor(var.service_port) == var.service_port
    error_message = "service_port must be a whole number from 1 to 65535."
  }
}

variable "service_cpu" {
  description = "CPU units per instance (1024 = 1 vCPU): 256, 512, 1024, 2048 or 4096 on App Runner; also 8192 or 16384 on ECS Fargate."
  type        = number
  default     = 1024

  # Each compute module's own check, for the environments that use it (tests/fast/test_stack_variables.py).
  validation {
    condition     = var.compute != "apprunner" || contains([256, 512, 1024, 2048, 4096], var.service_cpu)
    error_message = "On App Runner, service_cpu must be one of 256, 512, 1024, 2048, 4096."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.service_cpu)
    error_message = "On ECS Fargate, service_cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "service_memory" {
  description = "Memory per instance in MiB, matching service_cpu. App Runner: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288. ECS Fargate: its pairs, up to 16384 -> 122880."
  type        = number
  default     = 2048

  validation {
    condition = var.compute != "apprunner" || contains(lookup({
      "256"  = [512, 1024]
      "512"  = [1024]
      "1024" = [2048, 3072, 4096]
      "2048" = [4096, 6144]
      "4096" = [8192, 10240, 12288]
    }, tostring(var.service_cpu), []), var.service_memory)
    error_message = "On App Runner, service_memory must match service_cpu: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288."
  }

  validation {
    condition = var.compute != "ecs_fargate" || contains(lookup({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }, tostring(var.service_cpu), []), var.service_memory)
    error_message = "On ECS Fargate, service_memory must be a Fargate pair with service_cpu: 256 -> 512|1024|2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (1024 steps); 8192 -> 16384-61440 (4096 steps); 16384 -> 32768-122880 (8192 steps)."
  }
}

variable "service_environment_variables" {
  description = "Plain environment variables for the model server (no secrets): valid variable names, none starting with the reserved AWSAPPRUNNER prefix."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.service_environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "AWSAPPRUNNER")])
    error_message = "service_environment_variables keys must be valid variable names and must not start with the reserved AWSAPPRUNNER prefix."
  }

  # modules/ecs_service's check.
  validation {
    condition     = alltrue([for k in keys(var.service_environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "service_environment_variables keys must be valid variable names (letters, digits and '_', not starting with a digit)."
  }
}

variable "model_artifact" {
  description = "Model the service loads at start: an object in this environment's artifact store by its exact S3 version (key, version_id, sha256 of its bytes), handed to the service as MODEL_ARTIFACT_BUCKET/KEY/VERSION_ID/SHA256. null: the service gets no model settings. platformctl passes it (plan --model KEY@VERSION_ID; promote copies it)."
  type = object({
    key        = string
    version_id = string
    sha256     = string
  })
  default  = null
  nullable = true

  validation {
    # HCL evaluates both sides of ||: the conditional keeps a null object from being read.
    condition     = var.model_artifact == null ? true : (can(regex("^[0-9a-f]{64}$", var.model_artifact.sha256)) && length(var.model_artifact.key) > 0 && length(var.model_artifact.version_id) > 0)
    error_message = "model_artifact needs a non-empty key and version_id and a sha256 of 64 lowercase hex characters."
  }
}

variable "service_secrets" {
  description = "Environment variables read from SSM Parameter Store or Secrets Manager: map of name to parameter or secret ARN. Only these ARNs become readable by the service."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.service_secrets :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) &&
      can(regex("^arn:aws[a-zA-Z-]*:(ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+|secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+)$", v))
    ])
    error_message = "service_secrets must map variable names to SSM parameter ARNs (arn:aws:ssm:...:parameter/...) or Secrets Manager secret ARNs (arn:aws:secretsmanager:...:secret:...)."
  }
}

variable "service_health_check_path" {
  description = "Path requested by the HTTP health check; must start with '/'."
  type        = string
  default     = "/health"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.service_health_check_path))
    error_message = "service_health_check_path must start with '/' and contain only URL path characters."
  }
}

variable "service_health_check_interval_seconds" {
  description = "Seconds between health checks: 1-20 on App Runner, 5-300 on ECS Fargate (the load balancer's)."
  type        = number
  default     = 10

  validation {
    condition     = var.compute != "apprunner" || var.service_health_check_interval_seconds >= 1 && var.service_health_check_interval_seconds <= 20 && floor(var.service_health_check_interval_seconds) == var.service_health_check_interval_seconds
    error_message = "On App Runner, service_health_check_interval_seconds must be a whole number from 1 to 20."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service_health_check_interval_seconds >= 5 && var.service_health_check_interval_seconds <= 300 && floor(var.service_health_check_interval_seconds) == var.service_health_check_interval_seconds
    error_message = "On ECS Fargate, service_health_check_interval_seconds must be a whole number from 5 to 300."
  }
}

variable "service_health_check_unhealthy_threshold" {
  description = "Consecutive failed checks before an instance is replaced: 1-20 on App Runner, 2-10 on ECS Fargate (the load balancer's)."
  type        = number
  default     = 3

  validation {
    condition     = var.compute != "apprunner" || var.service_health_check_unhealthy_threshold >= 1 && var.service_health_check_unhealthy_threshold <= 20 && floor(var.service_health_check_unhealthy_threshold) == var.service_health_check_unhealthy_threshold
    error_message = "On App Runner, service_health_check_unhealthy_threshold must be a whole number from 1 to 20."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service_health_check_unhealthy_threshold >= 2 && var.service_health_check_unhealthy_threshold <= 10 && floor(var.service_health_check_unhealthy_threshold) == var.service_health_check_unhealthy_threshold
    error_message = "On ECS Fargate, service_health_check_unhealthy_threshold must be a whole number from 2 to 10."
  }
}

variable "service_min_instances" {
  description = "Instances always running. 1-25, at most service_max_instances."
  type        = number
  default     = 1

  validation {
    condition     = var.compute != "apprunner" || var.service_min_instances >= 1 && var.service_min_instances <= 25 && floor(var.service_min_instances) == var.service_min_instances
    error_message = "On App Runner, service_min_instances must be a whole number from 1 to 25."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service_min_instances >= 1 && var.service_min_instances <= 100 && floor(var.service_min_instances) == var.service_min_instances
    error_message = "On ECS Fargate, service_min_instances must be a whole number from 1 to 100."
  }
}

variable "service_max_instances" {
  description = "Upper bound of auto scaling. 1-25, at least service_min_instances."
  type        = number
  default     = 3

  validation {
    condition     = var.compute != "apprunner" || var.service_max_instances >= 1 && var.service_max_instances <= 25 && floor(var.service_max_instances) == var.service_max_instances && var.service_max_instances >= var.service_min_instances
    error_message = "On App Runner, service_max_instances must be a whole number from 1 to 25 and at least service_min_instances."
  }

  # Also the capacity alarm's threshold (module.monitoring.alarm_active_instances_threshold).
  validation {
    condition     = var.service_max_instances >= 1 && var.service_max_instances <= 25 && floor(var.service_max_instances) == var.service_max_instances
    error_message = "service_max_instances must be a whole number from 1 to 25."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service_max_instances >= 1 && var.service_max_instances <= 100 && floor(var.service_max_instances) == var.service_max_instances && var.service_max_instances >= var.service_min_instances
    error_message = "On ECS Fargate, service_max_instances must be a whole number from 1 to 100 and at least service_min_instances."
  }
}

variable "service_max_concurrency" {
  description = "Concurrent requests per instance before App Runner scales out. 1-200."
  type        = number
  default     = 100

  validation {
    condition     = var.service_max_concurrency >= 1 && var.service_max_concurrency <= 200 && floor(var.service_max_concurrency) == var.service_max_concurrency
    error_message = "service_max_concurrency must be a whole number from 1 to 200."
  }
}

variable "service_tracing_enabled" {
  description = "Whether requests are traced with AWS X-Ray."
  type        = bool
  default     = true
}

variable "service_health_check_grace_period_seconds" {
  description = "ecs_fargate: seconds after a task starts during which failed load balancer health checks do not stop it (model loading time). 0-3600."
  type        = number
  default     = 60

  validation {
    condition     = var.service_health_check_grace_period_seconds >= 0 && var.service_health_check_grace_period_seconds <= 3600 && floor(var.service_health_check_grace_period_seconds) == var.service_health_check_grace_period_seconds
    error_message = "service_health_check_grace_period_seconds must be a whole number from 0 to 3600."
  }
}

variable "service_wait_for_steady_state" {
  description = "ecs_fargate: whether an apply waits until the new tasks are running and healthy (a failed deployment then fails the apply after the circuit breaker rolls it back)."
  type        = bool
  default     = true
}

variable "service_cpu_target_percent" {
  description = "ecs_fargate: average CPU utilisation (percent) that auto scaling keeps the service at. 10-90."
  type        = number
  default     = 70

  validation {
    condition     = var.service_cpu_target_percent >= 10 && var.service_cpu_target_percent <= 90
    error_message = "service_cpu_target_percent must be from 10 to 90."
  }
}

variable "service_requests_per_target" {
  description = "ecs_fargate: load balancer requests per task per minute that auto scaling keeps the service at. 1-100000."
  type        = number
  default     = 1000

  validation {
    condition     = var.service_requests_per_target >= 1 && var.service_requests_per_target <= 100000 && floor(var.service_requests_per_target) == var.service_requests_per_target
    error_message = "service_requests_per_target must be a whole number from 1 to 100000."
  }
}

variable "service_assign_public_ip" {
  description = "ecs_fargate: whether tasks run in the public subnets with a public IP (accounts with neither NAT nor VPC endpoints). Inbound traffic still reaches them only from the load balancer."
  type        = bool
  default     = false
}

variable "service_certificate_arn" {
  description = "ecs_fargate: ACM certificate ARN for the load balancer. With one, port 443 serves HTTPS and port 80 redirects to it; null serves plain HTTP on port 80 (sandboxes and accounts without a domain only)."
  type        = string
  default     = null

  validation {
    condition     = var.service_certificate_arn == null || can(regex("^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.service_certificate_arn))
    error_message = "service_certificate_arn must be null or an ACM certificate ARN."
  }
}

variable "service_log_retention_days" {
  description = "ecs_fargate: days the container logs are kept: one of CloudWatch Logs' retention values from 365 up."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.service_log_retention_days)
    error_message = "service_log_retention_days must be one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "alb_deletion_protection" {
  description = "ecs_fargate: whether the load balancer refuses deletion. Keep true where the endpoint must survive a mistaken destroy (prod)."
  type        = bool
  default     = true
}

variable "alb_access_log_retention_days" {
  description = "ecs_fargate: days the load balancer's access logs are kept. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.alb_access_log_retention_days >= 1 && var.alb_access_log_retention_days <= 3650 && floor(var.alb_access_log_retention_days) == var.alb_access_log_retention_days
    error_message = "alb_access_log_retention_days must be a whole number from 1 to 3650."
  }
}

################################################################################
# Artifact store
################################################################################

variable "artifact_force_destroy" {
  description = "Whether destroying the environment may delete artifact buckets (and, for ecs_fargate, the load balancer access-log bucket) that still hold objects. false protects model artifacts."
  type        = bool
  default     = false
}

variable "artifact_noncurrent_version_expiration_days" {
  description = "Days old artifact versions are kept. 1-3650."
  type        = number
  default     = 90

  validation {
    condition     = var.artifact_noncurrent_version_expiration_days >= 1 && var.artifact_noncurrent_version_expiration_days <= 3650 && floor(var.artifact_noncurrent_version_expiration_days) == var.artifact_noncurrent_version_expiration_days
    error_message = "artifact_noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "artifact_log_retention_days" {
  description = "Days the artifact bucket's access logs are kept. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.artifact_log_retention_days >= 1 && var.artifact_log_retention_days <= 3650 && floor(var.artifact_log_retention_days) == var.artifact_log_retention_days
    error_message = "artifact_log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before a destroyed KMS key is really deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days
    error_message = "kms_key_deletion_window_days must be a whole number from 7 to 30."
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
    condition     = var.alarm_evaluation_periods >= 1 && var.alarm_evaluation_periods <= 60 && floor(var.alarm_evaluation_periods) == var.alarm_evaluation_periods
    error_message = "alarm_evaluation_periods must be a whole number from 1 to 60."
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

################################################################################
# Model guardrails
################################################################################

variable "model_baseline" {
  description = "The model's baseline: its predictions on held-out data when it was published (count, mean, stddev, p01, p50, p99). platformctl passes it at plan time from KEY.baselines/VERSION_ID.json beside the model version (publish.py baseline); the model alarms derive from it. null: no model alarms."
  type = object({
    count  = number
    mean   = number
    stddev = number
    p01    = number
    p50    = number
    p99    = number
  })
  default  = null
  nullable = true
}

variable "model_guardrails" {
  description = "This environment's business rules for the model's outputs and how far from its baseline they may drift; see modules/monitoring's model_alarms. null: no model alarms (and the service reports no valid range)."
  type = object({
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
}
