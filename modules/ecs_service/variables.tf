# The workload inputs (image, port, size, configuration, secrets, health, scaling) have the same names and
# meaning as model_service's, so a caller switches compute by switching the module; the rest is the network and
# load balancer that App Runner would otherwise provide.

variable "name" {
  description = "Name of the cluster, service, load balancer and target group, e.g. \"mlplatform-fargate\". 4-32 letters, digits or hyphens, starting and ending with a letter or digit (load balancer and target group names cap it at 32)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{2,30}[A-Za-z0-9]$", var.name)) && !startswith(lower(var.name), "internal-")
    error_message = "name must be 4-32 letters, digits or hyphens, start and end with a letter or digit, and not start with \"internal-\"."
  }
}

################################################################################
# Image
################################################################################

variable "image" {
  description = "Full image identifier in a private ECR repository, pinned by digest: REPOSITORY_URL@sha256:DIGEST. A digest keeps every task of a task definition revision on the same bytes."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must be ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY@sha256:<64 hex> (a digest, not a tag)."
  }
}

variable "image_repository_arn" {
  description = "ARN of the ECR repository that holds the image; the execution role may pull from this repository only."
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
  description = "CPU units per task (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "memory" {
  description = "Memory per task in MiB, one of Fargate's pairs with cpu: 256 -> 512, 1024, 2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (in 1024 steps); 8192 -> 16384-61440 (in 4096 steps); 16384 -> 32768-122880 (in 8192 steps)."
  type        = number
  default     = 2048

  validation {
    condition = contains(lookup({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }, tostring(var.cpu), []), var.memory)
    error_message = "memory must be a Fargate pair with cpu: 256 -> 512|1024|2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (1024 steps); 8192 -> 16384-61440 (4096 steps); 16384 -> 32768-122880 (8192 steps)."
  }
}

variable "environment_variables" {
  description = "Plain environment variables for the container. Do not put secrets here; use secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "environment_variables keys must be valid variable names (letters, digits and '_', not starting with a digit)."
  }
}

variable "secrets" {
  description = "Environment variables whose values come from SSM Parameter Store or Secrets Manager: map of variable name to parameter or secret ARN. ECS reads them with the execution role, which may read exactly these ARNs."
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
  description = "IAM policy documents (JSON) with everything the running workload (the task role) may do, keyed by a static label, e.g. { artifacts = module.artifact_store.read_only_policy_json }. Labels keep the plan's shape known while the documents are still unknown. Empty grants the task nothing."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for label, doc in var.instance_policies : can(regex("^[A-Za-z0-9_+=,.@-]{1,100}$", label)) && can(jsondecode(doc))])
    error_message = "instance_policies must map IAM policy names (letters, digits, _+=,.@-) to JSON policy documents."
  }
}

variable "readonly_root_filesystem" {
  description = "Whether the container's root filesystem is read-only. Keep true unless the image must write outside mounted volumes."
  type        = bool
  default     = true
}

################################################################################
# Health check (load balancer target group) and deployment
################################################################################

variable "health_check_path" {
  description = "Path requested by the load balancer's HTTP health check; must start with '/'."
  type        = string
  default     = "/health"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.health_check_path))
    error_message = "health_check_path must start with '/' and contain only URL path characters."
  }
}

variable "health_check_interval_seconds" {
  description = "Seconds between health checks. 5-300."
  type        = number
  default     = 10

  validation {
    condition     = var.health_check_interval_seconds >= 5 && var.health_check_interval_seconds <= 300 && floor(var.health_check_interval_seconds) == var.health_check_interval_seconds
    error_message = "health_check_interval_seconds must be a whole number from 5 to 300."
  }
}

variable "health_check_timeout_seconds" {
  description = "Seconds to wait for a health check response. 2-120 and less than health_check_interval_seconds."
  type        = number
  default     = 5

  validation {
    condition     = var.health_check_timeout_seconds >= 2 && var.health_check_timeout_seconds <= 120 && floor(var.health_check_timeout_seconds) == var.health_check_timeout_seconds && var.health_check_timeout_seconds < var.health_check_interval_seconds
    error_message = "health_check_timeout_seconds must be a whole number from 2 to 120 and less than health_check_interval_seconds."
  }
}

variable "health_check_healthy_threshold" {
  description = "Consecutive successes before a task counts as healthy. 2-10."
  type        = number
  default     = 2

  validation {
    condition     = var.health_check_healthy_threshold >= 2 && var.health_check_healthy_threshold <= 10 && floor(var.health_check_healthy_threshold) == var.health_check_healthy_threshold
    error_message = "health_check_healthy_threshold must be a whole number from 2 to 10."
  }
}

variable "health_check_unhealthy_threshold" {
  description = "Consecutive failures before a task counts as unhealthy (and is replaced). 2-10."
  type        = number
  default     = 3

  validation {
    condition     = var.health_check_unhealthy_threshold >= 2 && var.health_check_unhealthy_threshold <= 10 && floor(var.health_check_unhealthy_threshold) == var.health_check_unhealthy_threshold
    error_message = "health_check_unhealthy_threshold must be a whole number from 2 to 10."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds after a task starts during which failed load balancer health checks do not stop it (model loading time). 0-3600."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 3600 && floor(var.health_check_grace_period_seconds) == var.health_check_grace_period_seconds
    error_message = "health_check_grace_period_seconds must be a whole number from 0 to 3600."
  }
}

variable "deployment_alarm_names" {
  description = "CloudWatch alarms ECS watches during a deployment and its bake time (deploymentConfiguration.alarms): one going to ALARM fails the deployment and ECS rolls back to the last completed one. Empty: no deployment alarms (the circuit breaker still guards task starts)."
  type        = list(string)
  default     = []
}

variable "wait_for_steady_state" {
  description = "Whether an apply waits until the new tasks are running and healthy (a failed deployment then fails the apply after the circuit breaker rolls it back)."
  type        = bool
  default     = true
}

################################################################################
# Auto scaling
################################################################################

variable "autoscaling_min_size" {
  description = "Minimum number of tasks kept running (also the desired count at creation). 1-100."
  type        = number
  default     = 1

  validation {
    condition     = var.autoscaling_min_size >= 1 && var.autoscaling_min_size <= 100 && floor(var.autoscaling_min_size) == var.autoscaling_min_size
    error_message = "autoscaling_min_size must be a whole number from 1 to 100."
  }
}

variable "autoscaling_max_size" {
  description = "Maximum number of tasks. 1-100 and at least autoscaling_min_size."
  type        = number
  default     = 3

  validation {
    condition     = var.autoscaling_max_size >= 1 && var.autoscaling_max_size <= 100 && floor(var.autoscaling_max_size) == var.autoscaling_max_size && var.autoscaling_max_size >= var.autoscaling_min_size
    error_message = "autoscaling_max_size must be a whole number from 1 to 100 and at least autoscaling_min_size."
  }
}

variable "autoscaling_cpu_target_percent" {
  description = "Average service CPU utilisation (percent) that target tracking keeps the service at. 10-90."
  type        = number
  default     = 70

  validation {
    condition     = var.autoscaling_cpu_target_percent >= 10 && var.autoscaling_cpu_target_percent <= 90
    error_message = "autoscaling_cpu_target_percent must be from 10 to 90."
  }
}

variable "autoscaling_requests_per_target" {
  description = "Load balancer requests per task per minute that target tracking keeps the service at. 1-100000."
  type        = number
  default     = 1000

  validation {
    condition     = var.autoscaling_requests_per_target >= 1 && var.autoscaling_requests_per_target <= 100000 && floor(var.autoscaling_requests_per_target) == var.autoscaling_requests_per_target
    error_message = "autoscaling_requests_per_target must be a whole number from 1 to 100000."
  }
}

################################################################################
# Network
################################################################################

variable "vpc_id" {
  description = "ID of the VPC the load balancer, target group and security groups live in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "alb_subnet_ids" {
  description = "Public subnets of the load balancer: at least two, in different availability zones."
  type        = list(string)

  validation {
    condition     = length(var.alb_subnet_ids) >= 2 && alltrue([for s in var.alb_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "alb_subnet_ids must hold at least two subnet IDs (subnet-...) in different availability zones."
  }
}

variable "task_subnet_ids" {
  description = "Subnets the tasks run in: private subnets (with VPC endpoints or a NAT gateway), or public subnets with assign_public_ip = true."
  type        = list(string)

  validation {
    condition     = length(var.task_subnet_ids) >= 1 && alltrue([for s in var.task_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "task_subnet_ids must hold at least one subnet ID (subnet-...)."
  }
}

variable "assign_public_ip" {
  description = "Whether tasks get a public IP: only for tasks in public subnets of accounts with neither NAT nor VPC endpoints. Inbound traffic still reaches them only from the load balancer."
  type        = bool
  default     = false
}

variable "alb_ingress_cidr_blocks" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer's listeners."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.alb_ingress_cidr_blocks) >= 1 && alltrue([for c in var.alb_ingress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "alb_ingress_cidr_blocks must hold at least one IPv4 CIDR block."
  }
}

################################################################################
# Load balancer
################################################################################

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener. With one, port 443 serves HTTPS and port 80 redirects to it; null serves plain HTTP on port 80 (sandboxes and accounts without a domain only)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be null or an ACM certificate ARN."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener (TLS 1.2 or later)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-|TLS-1-2-)", var.ssl_policy))
    error_message = "ssl_policy must be an ELBSecurityPolicy that requires TLS 1.2 or later."
  }
}

variable "alb_deletion_protection" {
  description = "Whether the load balancer refuses deletion. Keep true where the endpoint must survive a mistaken destroy (prod)."
  type        = bool
  default     = true
}

variable "alb_access_log_retention_days" {
  description = "Days the load balancer's access logs are kept. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.alb_access_log_retention_days >= 1 && var.alb_access_log_retention_days <= 3650 && floor(var.alb_access_log_retention_days) == var.alb_access_log_retention_days
    error_message = "alb_access_log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete the access-log bucket while it still holds logs."
  type        = bool
  default     = false
}

################################################################################
# Logs
################################################################################

variable "log_retention_days" {
  description = "Days the container logs are kept: one of CloudWatch Logs' retention values from 365 up (1, 3, ... are refused: audit needs a year)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before the log group's KMS key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days
    error_message = "kms_key_deletion_window_days must be a whole number from 7 to 30."
  }
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
