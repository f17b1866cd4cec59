################################################################################
# Bucket
################################################################################

variable "bucket_name" {
  description = "Globally unique name of the artifact bucket, e.g. \"mlplatform-staging-artifacts\". 3-58 lowercase letters, digits, dots or hyphens (the log bucket appends \"-logs\")."
  type        = string

  validation {
    condition     = length(var.bucket_name) <= 58 && can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^xn--|-s3alias$|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name of 3-58 characters (room for the \"-logs\" suffix), lowercase letters, digits, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete the buckets while they still hold objects. Keep false where artifacts must survive (prod)."
  type        = bool
  default     = false
}

################################################################################
# Encryption
################################################################################

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before the customer-managed KMS key is deleted after a destroy."
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
  description = "Days after which noncurrent (overwritten or deleted) object versions expire. 1-3650."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted. 1-365."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && var.abort_incomplete_multipart_upload_days <= 365 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number from 1 to 365."
  }
}

################################################################################
# Access logging
################################################################################

variable "log_retention_days" {
  description = "Days the server access logs are kept in the log bucket. 1-3650."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 3650 && floor(var.log_retention_days) == var.log_retention_days
    error_message = "log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "promotion_reader_arns" {
  description = "IAM role ARNs of other accounts' promote roles that may read model objects (any version) to copy a release into their own artifact store: a bucket policy statement and a key policy statement (kms:Decrypt through S3 only). Empty adds neither."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.promotion_reader_arns : can(regex("^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/", arn))])
    error_message = "promotion_reader_arns must hold IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}
