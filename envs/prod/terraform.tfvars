# Inputs of infra/platform for prod. service_image stays unset: CI promotes the digest verified in staging
# with -var service_image=sha256:...

environment = "prod"
region      = "eu-west-1"

# Service: bigger instances, two always running for availability, more headroom to scale.
service = {
  cpu           = 2048
  memory        = 4096
  min_instances = 2
  max_instances = 10
}

apprunner = {
  max_concurrency = 80
}

# Deletion protection: images and artifacts survive a destroy, keys wait the maximum 30 days.
registry = {
  force_delete         = false
  keep_release_images  = 100
  untagged_expire_days = 14
}

artifact_store = {
  force_destroy                      = false
  noncurrent_version_expiration_days = 365
  log_retention_days                 = 730
}

kms_key_deletion_window_days = 30

# Alarms: stricter thresholds, faster to fire.
alarms = {
  evaluation_periods = 3
  http_5xx_threshold = 5
  latency_p99_ms     = 1000
  cpu_percent        = 75
  memory_percent     = 75
}

# Where infra/bootstrap's apply role applies this environment, every role the stack creates must carry the
# boundary bootstrap made for it (the role may create roles only with it). Off for the local sandbox.
# workload_permissions_boundary = true
