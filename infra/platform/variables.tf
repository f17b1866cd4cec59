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

variable "workload_permissions_boundary" {
  description = "Give every IAM role the stack creates (the service's access/instance or execution/task roles) the permissions boundary infra/bootstrap makes for this environment, <project>-<environment>-workload-boundary. Required where bootstrap's apply roles apply (they create roles only with it); false for the local sandbox and accounts without bootstrap."
  type        = bool
  default     = false
  nullable    = false
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
# Release (what the service runs; platformctl passes both: plan --image / --model, promote, rollback)
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

################################################################################
# Model service, on either compute target
################################################################################

variable "service" {
  description = <<-EOT
    The model service, whichever compute runs it. Each limit is the chosen target's own: port (1-65535);
    cpu (1024 = 1 vCPU: 256-4096 on App Runner, also 8192 and 16384 on ECS Fargate) and memory in MiB (a pair
    with cpu: App Runner 256 -> 512|1024 ... 4096 -> 8192|10240|12288; Fargate up to 16384 -> 122880);
    environment_variables (plain, no secrets; on App Runner none may start with AWSAPPRUNNER); secrets (name ->
    SSM parameter or Secrets Manager secret ARN; only these become readable); health_check_path (starts with '/'),
    health_check_interval_seconds (1-20 on App Runner, 5-300 on Fargate's load balancer) and
    health_check_unhealthy_threshold (1-20 / 2-10); min_instances and max_instances (1-25 on App Runner, 1-100
    tasks on Fargate, min <= max; on App Runner max is also the capacity alarm's threshold).
  EOT
  type = object({
    port                             = optional(number, 8080)
    cpu                              = optional(number, 1024)
    memory                           = optional(number, 2048)
    environment_variables            = optional(map(string), {})
    secrets                          = optional(map(string), {})
    health_check_path                = optional(string, "/health")
    health_check_interval_seconds    = optional(number, 10)
    health_check_unhealthy_threshold = optional(number, 3)
    min_instances                    = optional(number, 1)
    max_instances                    = optional(number, 3)
  })
  default  = {}
  nullable = false

  # Checks both compute modules share apply to every environment; a check of one module applies only to the
  # environments that run it (`var.compute != "..." ||`), in that target's words (tests/fast/test_stack_variables.py).
  validation {
    condition     = var.service.port >= 1 && var.service.port <= 65535 && floor(var.service.port) == var.service.port
    error_message = "service.port must be a whole number from 1 to 65535."
  }

  validation {
    condition     = var.compute != "apprunner" || contains([256, 512, 1024, 2048, 4096], var.service.cpu)
    error_message = "On App Runner, service.cpu must be one of 256, 512, 1024, 2048, 4096."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.service.cpu)
    error_message = "On ECS Fargate, service.cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384."
  }

  validation {
    condition = var.compute != "apprunner" || contains(lookup({
      "256"  = [512, 1024]
      "512"  = [1024]
      "1024" = [2048, 3072, 4096]
      "2048" = [4096, 6144]
      "4096" = [8192, 10240, 12288]
    }, tostring(var.service.cpu), []), var.service.memory)
    error_message = "On App Runner, service.memory must match service.cpu: 256 -> 512|1024; 512 -> 1024; 1024 -> 2048|3072|4096; 2048 -> 4096|6144; 4096 -> 8192|10240|12288."
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
    }, tostring(var.service.cpu), []), var.service.memory)
    error_message = "On ECS Fargate, service.memory must be a Fargate pair with service.cpu: 256 -> 512|1024|2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (1024 steps); 8192 -> 16384-61440 (4096 steps); 16384 -> 32768-122880 (8192 steps)."
  }

  # The compute modules get these merged with the model settings (local.service_environment), so the test above
  # does not see them: the same split by hand. AWSAPPRUNNER is App Runner's reserved prefix, not Fargate's.
  validation {
    condition     = var.compute != "apprunner" || alltrue([for k in keys(var.service.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "AWSAPPRUNNER")])
    error_message = "On App Runner, service.environment_variables keys must be valid variable names and must not start with the reserved AWSAPPRUNNER prefix."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || alltrue([for k in keys(var.service.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "On ECS Fargate, service.environment_variables keys must be valid variable names (letters, digits and '_', not starting with a digit)."
  }

  validation {
    condition = alltrue([
      for k, v in var.service.secrets :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) &&
      can(regex("^arn:aws[a-zA-Z-]*:(ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+|secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+)$", v))
    ])
    error_message = "service.secrets must map variable names to SSM parameter ARNs (arn:aws:ssm:...:parameter/...) or Secrets Manager secret ARNs (arn:aws:secretsmanager:...:secret:...)."
  }

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*$", var.service.health_check_path))
    error_message = "service.health_check_path must start with '/' and contain only URL path characters."
  }

  validation {
    condition     = var.compute != "apprunner" || var.service.health_check_interval_seconds >= 1 && var.service.health_check_interval_seconds <= 20 && floor(var.service.health_check_interval_seconds) == var.service.health_check_interval_seconds
    error_message = "On App Runner, service.health_check_interval_seconds must be a whole number from 1 to 20."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service.health_check_interval_seconds >= 5 && var.service.health_check_interval_seconds <= 300 && floor(var.service.health_check_interval_seconds) == var.service.health_check_interval_seconds
    error_message = "On ECS Fargate, service.health_check_interval_seconds must be a whole number from 5 to 300."
  }

  validation {
    condition     = var.compute != "apprunner" || var.service.health_check_unhealthy_threshold >= 1 && var.service.health_check_unhealthy_threshold <= 20 && floor(var.service.health_check_unhealthy_threshold) == var.service.health_check_unhealthy_threshold
    error_message = "On App Runner, service.health_check_unhealthy_threshold must be a whole number from 1 to 20."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service.health_check_unhealthy_threshold >= 2 && var.service.health_check_unhealthy_threshold <= 10 && floor(var.service.health_check_unhealthy_threshold) == var.service.health_check_unhealthy_threshold
    error_message = "On ECS Fargate, service.health_check_unhealthy_threshold must be a whole number from 2 to 10."
  }

  validation {
    condition     = var.compute != "apprunner" || var.service.min_instances >= 1 && var.service.min_instances <= 25 && floor(var.service.min_instances) == var.service.min_instances
    error_message = "On App Runner, service.min_instances must be a whole number from 1 to 25."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service.min_instances >= 1 && var.service.min_instances <= 100 && floor(var.service.min_instances) == var.service.min_instances
    error_message = "On ECS Fargate, service.min_instances must be a whole number from 1 to 100."
  }

  validation {
    condition     = var.compute != "apprunner" || var.service.max_instances >= 1 && var.service.max_instances <= 25 && floor(var.service.max_instances) == var.service.max_instances && var.service.max_instances >= var.service.min_instances
    error_message = "On App Runner, service.max_instances must be a whole number from 1 to 25 and at least service.min_instances."
  }

  # The App Runner capacity alarm's threshold (module.monitoring.alarm_active_instances_threshold): App Runner's too.
  validation {
    condition     = var.compute != "apprunner" || var.service.max_instances >= 1 && var.service.max_instances <= 25 && floor(var.service.max_instances) == var.service.max_instances
    error_message = "On App Runner, service.max_instances must be a whole number from 1 to 25."
  }

  validation {
    condition     = var.compute != "ecs_fargate" || var.service.max_instances >= 1 && var.service.max_instances <= 100 && floor(var.service.max_instances) == var.service.max_instances && var.service.max_instances >= var.service.min_instances
    error_message = "On ECS Fargate, service.max_instances must be a whole number from 1 to 100 and at least service.min_instances."
  }
}

################################################################################
# App Runner only (compute = "apprunner")
################################################################################

variable "apprunner" {
  description = "Settings only App Runner has; ignored for ecs_fargate. max_concurrency: concurrent requests per instance before App Runner scales out (1-200). tracing_enabled: whether requests are traced with AWS X-Ray."
  type = object({
    max_concurrency = optional(number, 100)
    tracing_enabled = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.apprunner.max_concurrency >= 1 && var.apprunner.max_concurrency <= 200 && floor(var.apprunner.max_concurrency) == var.apprunner.max_concurrency
    error_message = "apprunner.max_concurrency must be a whole number from 1 to 200."
  }
}

################################################################################
# ECS Fargate only (compute = "ecs_fargate")
################################################################################

variable "ecs_fargate" {
  description = <<-EOT
    Settings only ECS Fargate has; ignored for apprunner. health_check_grace_period_seconds: seconds after a task
    starts during which failed load balancer health checks do not stop it (model loading time; 0-3600).
    wait_for_steady_state: whether an apply waits until the new tasks run healthy (a failed deployment then fails
    the apply after the circuit breaker rolled it back). cpu_target_percent (10-90) and requests_per_target (load
    balancer requests per task per minute, 1-100000): what auto scaling keeps the service at. assign_public_ip:
    tasks run in the public subnets with a public IP (accounts with neither NAT nor VPC endpoints; inbound still
    only from the load balancer). certificate_arn: ACM certificate for HTTPS on 443 with 80 redirecting; null
    serves plain HTTP on 80 (sandboxes only). log_retention_days: container logs, one of CloudWatch Logs' values
    from 365 up. alb_deletion_protection: the load balancer refuses deletion (keep true for prod).
    alb_access_log_retention_days (1-3650) and alb_access_log_force_destroy (whether a destroy may delete the
    access-log bucket while it holds logs).
  EOT
  type = object({
    health_check_grace_period_seconds = optional(number, 60)
    wait_for_steady_state             = optional(bool, true)
    cpu_target_percent                = optional(number, 70)
    requests_per_target               = optional(number, 1000)
    assign_public_ip                  = optional(bool, false)
    certificate_arn                   = optional(string)
    log_retention_days                = optional(number, 365)
    alb_deletion_protection           = optional(bool, true)
    alb_access_log_retention_days     = optional(number, 365)
    alb_access_log_force_destroy      = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.ecs_fargate.health_check_grace_period_seconds >= 0 && var.ecs_fargate.health_check_grace_period_seconds <= 3600 && floor(var.ecs_fargate.health_check_grace_period_seconds) == var.ecs_fargate.health_check_grace_period_seconds
    error_message = "ecs_fargate.health_check_grace_period_seconds must be a whole number from 0 to 3600."
  }

  validation {
    condition     = var.ecs_fargate.cpu_target_percent >= 10 && var.ecs_fargate.cpu_target_percent <= 90
    error_message = "ecs_fargate.cpu_target_percent must be from 10 to 90."
  }

  validation {
    condition     = var.ecs_fargate.requests_per_target >= 1 && var.ecs_fargate.requests_per_target <= 100000 && floor(var.ecs_fargate.requests_per_target) == var.ecs_fargate.requests_per_target
    error_message = "ecs_fargate.requests_per_target must be a whole number from 1 to 100000."
  }

  validation {
    condition     = var.ecs_fargate.certificate_arn == null || can(regex("^arn:aws[a-zA-Z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.ecs_fargate.certificate_arn))
    error_message = "ecs_fargate.certificate_arn must be null or an ACM certificate ARN."
  }

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.ecs_fargate.log_retention_days)
    error_message = "ecs_fargate.log_retention_days must be one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }

  validation {
    condition     = var.ecs_fargate.alb_access_log_retention_days >= 1 && var.ecs_fargate.alb_access_log_retention_days <= 3650 && floor(var.ecs_fargate.alb_access_log_retention_days) == var.ecs_fargate.alb_access_log_retention_days
    error_message = "ecs_fargate.alb_access_log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "network" {
  description = "Where an ecs_fargate service runs; ignored for apprunner. vpc_id null (the default) creates a small VPC from cidr_block (/16 to /24; modules/network: two public and two private subnets, VPC endpoints instead of NAT). An existing vpc_id needs public_subnet_ids (load balancer, and tasks with ecs_fargate.assign_public_ip: at least two, in different zones) and private_subnet_ids (the tasks; they need a NAT gateway or VPC endpoints for ECR, S3 and CloudWatch Logs)."
  type = object({
    vpc_id             = optional(string)
    public_subnet_ids  = optional(list(string), [])
    private_subnet_ids = optional(list(string), [])
    cidr_block         = optional(string, "10.0.0.0/16")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.network.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.network.vpc_id))
    error_message = "network.vpc_id must be null or a VPC ID (vpc-...)."
  }

  validation {
    condition     = alltrue([for s in var.network.public_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]) && (var.network.vpc_id == null || length(var.network.public_subnet_ids) >= 2)
    error_message = "network.public_subnet_ids must hold subnet IDs (subnet-...), at least two when network.vpc_id is set."
  }

  validation {
    condition     = alltrue([for s in var.network.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))]) && (var.network.vpc_id == null || var.ecs_fargate.assign_public_ip || length(var.network.private_subnet_ids) >= 1)
    error_message = "network.private_subnet_ids must hold subnet IDs (subnet-...), at least one when network.vpc_id is set and ecs_fargate.assign_public_ip is false."
  }

  validation {
    condition     = can(cidrhost(var.network.cidr_block, 0)) && try(tonumber(split("/", var.network.cidr_block)[1]) >= 16 && tonumber(split("/", var.network.cidr_block)[1]) <= 24, false)
    error_message = "network.cidr_block must be an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16."
  }
}

################################################################################
# Container registry
################################################################################

variable "registry" {
  description = "The environment's ECR repository. force_delete: whether a destroy may delete it while it holds images (false protects released images). keep_release_images: newest tagged images kept (1-1000). untagged_expire_days: days after which untagged images expire (1-3650)."
  type = object({
    force_delete         = optional(bool, false)
    keep_release_images  = optional(number, 30)
    untagged_expire_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.registry.keep_release_images >= 1 && var.registry.keep_release_images <= 1000 && floor(var.registry.keep_release_images) == var.registry.keep_release_images
    error_message = "registry.keep_release_images must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.registry.untagged_expire_days >= 1 && var.registry.untagged_expire_days <= 3650 && floor(var.registry.untagged_expire_days) == var.registry.untagged_expire_days
    error_message = "registry.untagged_expire_days must be a whole number from 1 to 3650."
  }
}

################################################################################
# Artifact store
################################################################################

variable "artifact_store" {
  description = "The S3 store of model artifacts. force_destroy: whether a destroy may delete the artifact bucket and its access-log bucket while they hold objects (false protects model artifacts). noncurrent_version_expiration_days: days old artifact versions are kept (1-3650). log_retention_days: days its access logs are kept (1-3650)."
  type = object({
    force_destroy                      = optional(bool, false)
    noncurrent_version_expiration_days = optional(number, 90)
    log_retention_days                 = optional(number, 365)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.artifact_store.noncurrent_version_expiration_days >= 1 && var.artifact_store.noncurrent_version_expiration_days <= 3650 && floor(var.artifact_store.noncurrent_version_expiration_days) == var.artifact_store.noncurrent_version_expiration_days
    error_message = "artifact_store.noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }

  validation {
    condition     = var.artifact_store.log_retention_days >= 1 && var.artifact_store.log_retention_days <= 3650 && floor(var.artifact_store.log_retention_days) == var.artifact_store.log_retention_days
    error_message = "artifact_store.log_retention_days must be a whole number from 1 to 3650."
  }
}

################################################################################
# Encryption keys
################################################################################

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before a destroyed KMS key is really deleted: every key the stack creates (artifacts, alert topic, Fargate logs)."
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

variable "alarms" {
  description = "Alerts and the service's alarms. emails: addresses that receive alarm notifications (each confirms its subscription). evaluation_periods: consecutive breaching minutes before an alarm fires (1-60). http_5xx_threshold: 5xx responses per minute above which the error alarm fires (>= 0). latency_p99_ms: p99 latency above which the latency alarm fires (1-300000). cpu_percent and memory_percent: average utilisation above which those alarms fire (1-100)."
  type = object({
    emails             = optional(list(string), [])
    evaluation_periods = optional(number, 5)
    http_5xx_threshold = optional(number, 10)
    latency_p99_ms     = optional(number, 2000)
    cpu_percent        = optional(number, 80)
    memory_percent     = optional(number, 80)
  })
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for e in var.alarms.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarms.emails must hold valid e-mail addresses."
  }

  validation {
    condition     = var.alarms.evaluation_periods >= 1 && var.alarms.evaluation_periods <= 60 && floor(var.alarms.evaluation_periods) == var.alarms.evaluation_periods
    error_message = "alarms.evaluation_periods must be a whole number from 1 to 60."
  }

  validation {
    condition     = var.alarms.http_5xx_threshold >= 0
    error_message = "alarms.http_5xx_threshold must be zero or more."
  }

  validation {
    condition     = var.alarms.latency_p99_ms > 0 && var.alarms.latency_p99_ms <= 300000
    error_message = "alarms.latency_p99_ms must be between 1 and 300000."
  }

  validation {
    condition     = var.alarms.cpu_percent > 0 && var.alarms.cpu_percent <= 100
    error_message = "alarms.cpu_percent must be between 1 and 100."
  }

  validation {
    condition     = var.alarms.memory_percent > 0 && var.alarms.memory_percent <= 100
    error_message = "alarms.memory_percent must be between 1 and 100."
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
