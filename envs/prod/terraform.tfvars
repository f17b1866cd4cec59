# Inputs of infra/platform for prod. service_image stays unset: CI promotes the digest verified in staging
# with -var service_image=sha256:...

environment = "prod"
region      = "eu-west-1"

# Service: bigger instances, two always running for availability, more headroom to scale.
service_cpu             = 2048
service_memory          = 4096
service_min_instances   = 2
service_max_instances   = 10
service_max_concurrency = 80

# Deletion protection: images and artifacts survive a destroy, keys wait the maximum 30 days.
registry_force_delete                       = false
artifact_force_destroy                      = false
kms_key_deletion_window_days                = 30
registry_keep_release_images                = 100
registry_untagged_expire_days               = 14
artifact_noncurrent_version_expiration_days = 365
artifact_log_retention_days                 = 730

# Alarms: stricter thresholds, faster to fire.
alarm_evaluation_periods = 3
alarm_5xx_threshold      = 5
alarm_latency_p99_ms     = 1000
alarm_cpu_percent        = 75
alarm_memory_percent     = 75
