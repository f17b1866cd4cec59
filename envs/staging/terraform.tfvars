# Inputs of infra/platform for staging. service_image stays unset: CI passes -var service_image=sha256:...

environment = "staging"
region      = "eu-west-1"

# Service: one small instance, room to scale for load tests.
service = {
  cpu           = 1024
  memory        = 2048
  min_instances = 1
  max_instances = 3
}

# Staging is disposable: it may be torn down with its images and artifacts, keys go quickly.
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

# Alarms: looser than prod so staging experiments do not page anyone.
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
