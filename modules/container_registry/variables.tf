################################################################################
# Repository
################################################################################

variable "name" {
  description = "Name of the ECR repository, e.g. \"mlplatform-staging\". Lowercase letters, digits, and . _ - / separators (2-256 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) >= 2 && length(var.name) <= 256
    error_message = "name must be 2-256 characters of lowercase letters and digits, separated by single '.', '_', '-' or '/'."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key that encrypts images at rest. null uses the AWS-managed key for ECR (aws/ecr); encryption is KMS either way."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "force_delete" {
  description = "Whether `terraform destroy` may delete the repository while it still holds images. Keep false where images must survive (prod)."
  type        = bool
  default     = false
}

################################################################################
# Lifecycle policy
################################################################################

variable "lifecycle_keep_release_images" {
  description = "How many of the newest tagged (release) images to keep; older tagged images expire. 1-1000."
  type        = number
  default     = 30

  validation {
    condition     = var.lifecycle_keep_release_images >= 1 && var.lifecycle_keep_release_images <= 1000 && floor(var.lifecycle_keep_release_images) == var.lifecycle_keep_release_images
    error_message = "lifecycle_keep_release_images must be a whole number from 1 to 1000."
  }
}

variable "lifecycle_untagged_expire_days" {
  description = "Days after push at which untagged images expire. 1-3650."
  type        = number
  default     = 7

  validation {
    condition     = var.lifecycle_untagged_expire_days >= 1 && var.lifecycle_untagged_expire_days <= 3650 && floor(var.lifecycle_untagged_expire_days) == var.lifecycle_untagged_expire_days
    error_message = "lifecycle_untagged_expire_days must be a whole number from 1 to 3650."
  }
}

################################################################################
# Repository policy
################################################################################

variable "pull_principal_arns" {
  description = "IAM principal ARNs (e.g. the App Runner access role) allowed to pull images. Empty creates no repository policy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.pull_principal_arns : can(regex("^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:(role|user|root)", arn))])
    error_message = "pull_principal_arns must hold IAM role, user or account-root ARNs."
  }
}

variable "promotion_reader_arns" {
  description = "IAM role ARNs of other accounts' promote roles that may read this repository's images by digest (manifest and layers) to copy a release into their own registry. Empty adds no statement."
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
