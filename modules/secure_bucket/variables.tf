################################################################################
# Bucket
################################################################################

variable "bucket_name" {
  description = "Globally unique name of the bucket. 3-63 lowercase letters, digits, dots or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^xn--|-s3alias$|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters, lowercase letters, digits, '.' and '-', starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete the bucket while it still holds objects."
  type        = bool
  default     = false
}

################################################################################
# Encryption
################################################################################

variable "sse_algorithm" {
  description = "Default encryption: \"aws:kms\" creates a rotating customer-managed KMS key (alias `alias/<bucket_name>`) and uses it with an S3 bucket key; \"AES256\" (SSE-S3) is only for buckets that must be, such as server access-log targets."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm must be \"aws:kms\" or \"AES256\"."
  }
}

variable "kms_key_description" {
  description = "Description of the customer-managed KMS key (SSE-KMS only). null means \"Encrypts objects in s3://<bucket_name>\"."
  type        = string
  default     = null
}

variable "kms_key_deletion_window_days" {
  description = "Waiting period, in days (7-30), before the customer-managed KMS key is deleted after a destroy (SSE-KMS only)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_days >= 7 && var.kms_key_deletion_window_days <= 30 && floor(var.kms_key_deletion_window_days) == var.kms_key_deletion_window_days
    error_message = "kms_key_deletion_window_days must be a whole number from 7 to 30."
  }
}

variable "deny_non_kms_uploads" {
  description = "Whether the bucket policy also denies PutObject requests that do not ask for SSE-KMS (missing or different x-amz-server-side-encryption header). Requires sse_algorithm = \"aws:kms\"."
  type        = bool
  default     = false

  validation {
    condition     = !var.deny_non_kms_uploads || var.sse_algorithm == "aws:kms"
    error_message = "deny_non_kms_uploads requires sse_algorithm = \"aws:kms\"."
  }
}

################################################################################
# Lifecycle
################################################################################

variable "lifecycle_rule_id" {
  description = "ID of the bucket's lifecycle rule."
  type        = string
  default     = "expire-noncurrent-versions"

  validation {
    condition     = length(var.lifecycle_rule_id) >= 1 && length(var.lifecycle_rule_id) <= 255
    error_message = "lifecycle_rule_id must be 1-255 characters."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent (overwritten or deleted) object versions expire. 1-3650."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 3650 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number from 1 to 3650."
  }
}

variable "expiration_days" {
  description = "Days after which current objects expire (become noncurrent). null keeps them until deleted. 1-3650."
  type        = number
  default     = null

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1 && var.expiration_days <= 3650 && floor(var.expiration_days) == var.expiration_days, false)
    error_message = "expiration_days must be null or a whole number from 1 to 3650."
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

variable "access_logging" {
  description = "Where this bucket's server access logs go: target_bucket (an existing bucket that admits the logging service, e.g. another secure_bucket's `bucket_name`) and target_prefix. null turns access logging off."
  type = object({
    target_bucket = string
    target_prefix = optional(string, "")
  })
  default = null
}

variable "access_log_source_arns" {
  description = "ARNs of buckets allowed to deliver server access logs into this bucket (adds an Allow for logging.s3.amazonaws.com limited to these sources and this account). Empty makes this bucket no log target."
  type        = list(string)
  default     = []
}

variable "policy_documents" {
  description = "Further IAM policy documents (JSON) merged into the bucket's one policy, for grants only the caller knows, such as a load balancer's log delivery. Their statements need their own Sid values."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for doc in var.policy_documents : can(jsondecode(doc))])
    error_message = "policy_documents must hold JSON policy documents."
  }
}

variable "kms_key_policy_documents" {
  description = "Further key policy documents (JSON) merged into the customer-managed key's policy (SSE-KMS only), for grants to principals of other accounts, such as a promote role that reads this bucket's objects. Their statements need their own Sid values."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for doc in var.kms_key_policy_documents : can(jsondecode(doc))])
    error_message = "kms_key_policy_documents must hold JSON policy documents."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}
