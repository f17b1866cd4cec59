################################################################################
# Bucket
################################################################################

variable "bucket_name" {
  description = "Globally unique name of the Terraform state bucket, e.g. \"mlplatform-tfstate-111111111111\". 3-63 lowercase letters, digits, dots or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^xn--|-s3alias$|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters, lowercase letters, digits, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete the bucket while it still holds state. Leave false outside throwaway accounts."
  type        = bool
  default     = false
}

variable "access_log_bucket" {
  description = "Name of an existing bucket that receives this bucket's server access logs. null turns access logging off (CloudTrail data events are the alternative)."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be null or a valid S3 bucket name."
  }
}

################################################################################
# Encryption
################################################################################

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before the state KMS key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days
    error_message = "kms_key_deletion_window_days must be a whole number from 7 to 30."
  }
}

################################################################################
# Lifecycle
################################################################################

variable "noncurrent_version_expiration_days" {
  description = "Days after which old state versions expire. Old versions are how a bad apply is rolled back, so keep this generous. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "record_readers" {
  description = "State keys whose state and platformctl records (<key> and <key>.platformctl/*) other accounts' roles may read, e.g. { \"platform/staging.tfstate\" = [\"arn:aws:iam::222222222222:role/mlplatform-github-promote-prod\"] }: a promote role checking the verify record of the release it copies. Adds bucket and key policy statements (kms:Decrypt through S3 only)."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for key, arns in var.record_readers : length(trimspace(key)) > 0 && !strcontains(key, "*") && length(arns) > 0 && alltrue([for arn in arns : can(regex("^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/", arn))])])
    error_message = "record_readers must map state keys (no wildcards) to non-empty lists of IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}
