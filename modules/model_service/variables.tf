# The inputs describe the workload (image, port, size, configuration, health, scaling), not the
# compute service that runs it, so another target (e.g. ECS Fargate) can implement the same
# interface later without changing callers.

variable "name" {
  description = "Name of the service, e.g. \"mlplatform-staging\". 4-32 characters: letters, digits, '-' or '_', starting with a letter or digit (the auto-scaling and observability configurations share the name, which caps it at 32)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{3,31}$", var.name))
    error_message = "name must be 4-32 letters, digits, '-' or '_', starting with a letter or digit."
  }
}

################################################################################
# Image
################################################################################

variable "image" {
  description = "Full image identifier in a private ECR repository: REPOSITORY_URL@sha256:DIGEST (preferred: immutable) or REPOSITORY_URL:TAG."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(@sha256:[0-9a-f]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", var.image))
    error_message = "image must be ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY followed by @sha256:<64 hex> or :TAG."
  }
}

variable "image_repository_arn" {
  description = "ARN of the ECR repository that holds the image; the access role may pull from this repository only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.image_repository_arn))
    error_message = "image_repository_arn must be an ECR repository ARN."
  }
}

################################################################################
# Container
################################################################################

variable "port" {
  description = "TCP port the container listens on. 1-65535."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1 to 65535."
  }
}

variable "cpu" {
  description = "CPU units per instance (1024 = 1 vCPU): 256, 512, 1024, 2048 or 4096."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "memory" {
  description = "Memory per instance in MiB. Allowed with cpu: 256 -> 512 or 1024; 512 -> 1024; 1024 -> 2048, 3072 or 4096; 2048 -> 4096 or 6144; 4096 -> 8192, 10240 or 12288."
  type        = number
  default     = 2048

  validation {
    condition = contains(lookup({
      "256"  = [512, 1024]
      "512"  = [1024]
      "1024" = [2048, 3072, 4096]
      "2048" = [4096, 6144]
      "4096" = [8192, 10240, 12288]
    }, tostring(var.cpu), []), var.memory)
    error_message = "memory must match cpu: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288."
  }
}

variable "environment_variables" {
  description = "Plain environment variables for the container. Do not put secrets here; use secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "AWSAPPRUNNER")])
    error_message = "environment_variables keys must be valid variable names and must not start with the reserved AWSAPPRUNNER prefix."
  }
}

variable "secrets" {
  description = "Environment variables whose values come from SSM Parameter Store or Secrets Manager: map of variable name to parameter or secret ARN. Only these ARNs become readable by the service."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k, v in var.secrets :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) &&
      can(regex("^arn:aws[a-zA-Z-]*:(ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+|secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+)$", v))
    ])
    error_message = "secrets must map variable names to SSM parameter ARNs (arn:aws:ssm:...:parameter/...) or Secrets Manager secret ARNs (arn:aws:secretsmanager:...:secret:...)."
  }
}

variable "instance_policies" {
  description = "IAM policy documents (JSON) with everything the running workload may do, keyed by a static label, e.g. { artifacts = module.artifact_store.read_only_policy_json }. Labels keep the plan's shape known while the documents are still unknown. Empty grants nothing beyond reading the declared secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for label, doc in var.instance_policies : can(regex("^[A-Za-z0-9_+=,.@-]{1,100}$", label)) && can(jsondecode(doc))])
    error_message = "instance_policies must map IAM policy names (letters, digits, _+=,.@-) to JSON policy documents."
  }
}

################################################################################
# Health check
################################################################################

variable "health_check_protocol" {
  description = "Health check protocol: HTTP (requests health_check_path) or TCP."
  type        = string
  default     = "HTTP"

  validation {
    condition     = contains(["HTTP", "TCP"], var.health_check_protocol)
    error_message = "health_check_protocol must be HTTP or TCP."
  }
}

variable "health_check_path" {
  description = "Path requested by the HTTP health check; must start with '/'."
  type        = string
  default     = "/health"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.health_check_path))
    error_message = "health_check_path must start with '/' and contain only URL path characters."
  }
}

variable "health_check_interval_seconds" {
  description = "Seconds between health checks. 1-20."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_interval_seconds >= 1 && var.health_check_interval_seconds <= 20 && floor(var.health_check_interval_seconds) == var.health_check_interval_seconds
    error_message = "health_check_interval_seconds must be a whole number from 1 to 20."
  }
}

variable "health_check_timeout_seconds" {
  description = "Seconds to wait for a health check response. 1-20."
  type        = number
  default     = 5

  validation {
    condition     = var.health_check_timeout_seconds >= 1 && var.health_check_timeout_seconds <= 20 && floor(var.health_check_timeout_seconds) == var.health_check_timeout_seconds
    error_message = "health_check_timeout_seconds must be a whole number from 1 to 20."
  }
}

variable "health_check_healthy_threshold" {
  description = "Consecutive successes before an instance counts as healthy. 1-20."
  type        = number
  default     = 1

  validation {
    condition     = var.health_check_healthy_threshold >= 1 && var.health_check_healthy_threshold <= 20 && floor(var.health_check_healthy_threshold) == var.health_check_healthy_threshold
    error_message = "health_check_healthy_threshold must be a whole number from 1 to 20."
  }
}

variable "health_check_unhealthy_threshold" {
  description = "Consecutive failures before an instance counts as unhealthy. 1-20."
  type        = number
  default     = 3

  validation {
    condition     = var.health_check_unhealthy_threshold >= 1 && var.health_check_unhealthy_threshold <= 20 && floor(var.health_check_unhealthy_threshold) == var.health_check_unhealthy_threshold
    error_message = "health_check_unhealthy_threshold must be a whole number from 1 to 20."
  }
}

################################################################################
# Auto scaling
################################################################################

variable "autoscaling_min_size" {
  description = "Minimum number of instances kept running. 1-25."
  type        = number
  default     = 1

  validation {
    condition     = var.autoscaling_min_size >= 1 && var.autoscaling_min_size <= 25 && floor(var.autoscaling_min_size) == var.autoscaling_min_size
    error_message = "autoscaling_min_size must be a whole number from 1 to 25."
  }
}

variable "autoscaling_max_size" {
  description = "Maximum number of instances. 1-25 and at least autoscaling_min_size."
  type        = number
  default     = 3

  validation {
    condition     = var.autoscaling_max_size >= 1 && var.autoscaling_max_size <= 25 && floor(var.autoscaling_max_size) == var.autoscaling_max_size && var.autoscaling_max_size >= var.autoscaling_min_size
    error_message = "autoscaling_max_size must be a whole number from 1 to 25 and at least autoscaling_min_size."
  }
}

variable "autoscaling_max_concurrency" {
  description = "Concurrent requests per instance before scaling out. 1-200."
  type        = number
  default     = 100

  validation {
    condition     = var.autoscaling_max_concurrency >= 1 && var.autoscaling_max_concurrency <= 200 && floor(var.autoscaling_max_concurrency) == var.autoscaling_max_concurrency
    error_message = "autoscaling_max_concurrency must be a whole number from 1 to 200."
  }
}

################################################################################
# Observability and network
################################################################################

variable "tracing_enabled" {
  description = "Whether requests are traced with AWS X-Ray."
  type        = bool
  default     = true
}

variable "publicly_accessible" {
  description = "Whether the service URL is reachable from the internet (false: only from VPC endpoints)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "ARN of the IAM policy every role this module creates carries as its permissions boundary (infra/bootstrap's <project>-<environment>-workload-boundary: its apply roles create roles only with it). null: no boundary."
  type        = string
  default     = null
}
