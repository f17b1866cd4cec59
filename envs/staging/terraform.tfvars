# Inputs of infra/platform for staging. service_image stays unset: CI passes -var service_image=sha256:...

environment = "staging"
region      = "eu-west-1"

# Service: one small instance, room to scale for load tests.
service_cpu           = 1024
service_memory        = 2048
service_min_instances = 1
service_max_instances = 3

# Staging is disposable: it may be torn down with its images and artifacts, keys go quickly.
registry_force_delete                       = true
artifact_force_destroy                      = true
kms_key_deletion_window_days                = 7
registry_keep_release_images                = 20
registry_untagged_expire_days               = 3
artifact_noncurrent_version_expiration_days = 30
artifact_log_retention_days                 = 90

# Alarms: looser than prod so staging experiments do not page anyone.
alarm_evaluation_periods = 5
alarm_5xx_threshold      = 20
alarm_latency_p99_ms     = 3000
alarm_cpu_percent        = 90
alarm_memory_percent     = 90
