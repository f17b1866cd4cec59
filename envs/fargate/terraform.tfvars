# Inputs of infra/platform for fargate. service_image stays unset: CI passes -var service_image=sha256:...
# (ECS task definitions take a digest, never a tag).

environment = "fargate"
region      = "eu-west-1"
compute     = "ecs_fargate"

# No network: the stack creates a VPC with two public and two private subnets and VPC endpoints (no NAT).

# Service: one small task, room to scale for load tests.
service = {
  cpu           = 1024
  memory        = 2048
  min_instances = 1
  max_instances = 3
}

# No certificate_arn yet: the load balancer serves plain HTTP until a certificate is issued.
# Disposable like staging: the load balancer and its access logs may go with a destroy.
ecs_fargate = {
  alb_deletion_protection       = false
  alb_access_log_retention_days = 90
  alb_access_log_force_destroy  = true
}

# Torn down with its images, artifacts and logs; keys go quickly.
registry = {
  force_delete         = true
  keep_release_images  = 20
  untagged_expire_days = 3
}

artifact_store = {
  force_destroy                      = true
  noncurrent_version_expiration_days = 30
  log_retention_days                 = 90
}

kms_key_deletion_window_days = 7

# Alarms: looser than prod so experiments do not page anyone.
alarms = {
  evaluation_periods = 5
  http_5xx_threshold = 20
  latency_p99_ms     = 3000
  cpu_percent        = 90
  memory_percent     = 90
}

# Where infra/bootstrap's apply role applies this environment, every role the stack creates must carry the
# boundary bootstrap made for it (the role may create roles only with it). Off for the local sandbox.
# workload_permissions_boundary = true
