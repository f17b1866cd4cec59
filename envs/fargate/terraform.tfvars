# Inputs of infra/platform for fargate. service_image stays unset: CI passes -var service_image=sha256:...
# (ECS task definitions take a digest, never a tag).

environment = "fargate"
region      = "eu-west-1"
compute     = "ecs_fargate"

# No vpc_id: the stack creates a VPC with two public and two private subnets and VPC endpoints (no NAT).
# No service_certificate_arn yet: the load balancer serves plain HTTP until a certificate is issued.

# Service: one small task, room to scale for load tests.
service_cpu           = 1024
service_memory        = 2048
service_min_instances = 1
service_max_instances = 3

# Disposable like staging: torn down with its images, artifacts and logs; keys go quickly.
registry_force_delete                       = true
artifact_force_destroy                      = true
alb_deletion_protection                     = false
kms_key_deletion_window_days                = 7
registry_keep_release_images                = 20
registry_untagged_expire_days               = 3
artifact_noncurrent_version_expiration_days = 30
artifact_log_retention_days                 = 90
alb_access_log_retention_days               = 90

# Alarms: looser than prod so experiments do not page anyone.
alarm_evaluation_periods = 5
alarm_5xx_threshold      = 20
alarm_latency_p99_ms     = 3000
alarm_cpu_percent        = 90
alarm_memory_percent     = 90
