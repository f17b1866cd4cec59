variable "name_prefix" {
  description = "Prefix of the role names, e.g. \"mlplatform\" gives mlplatform-github-plan and mlplatform-github-apply-<env>. Lowercase letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "github_repository" {
  description = "GitHub repository allowed to assume the roles, as OWNER/NAME."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/NAME."
  }
}

################################################################################
# Immutable subject claims
################################################################################

variable "github_owner_id" {
  description = "Numeric ID of the repository owner (user or organization), e.g. \"1234\". Set it together with github_repository_id when the repository sends immutable OIDC subjects (repo:OWNER@OWNER_ID/NAME@REPO_ID:...): repositories created, renamed or transferred after GitHub's cut-over, or opted in. null keeps the classic repo:OWNER/NAME:... subject."
  type        = string
  default     = null

  validation {
    condition     = var.github_owner_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_owner_id))
    error_message = "github_owner_id must be null or a numeric GitHub ID as a string of digits, e.g. \"1234\"."
  }
}

variable "github_repository_id" {
  description = "Numeric ID of github_repository, e.g. \"5678\" (GET /repos/OWNER/NAME returns it as id). Set it together with github_owner_id to trust the immutable subject form; null keeps the classic form."
  type        = string
  default     = null

  validation {
    condition     = var.github_repository_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_repository_id))
    error_message = "github_repository_id must be null or a numeric GitHub ID as a string of digits, e.g. \"5678\"."
  }

  validation {
    condition     = (var.github_owner_id == null) == (var.github_repository_id == null)
    error_message = "Set github_owner_id and github_repository_id together (immutable subjects) or neither (classic subjects); GitHub's immutable subject always carries both IDs."
  }
}

variable "trust_classic_subject" {
  description = "Migration only: with both IDs set, also trust the classic repo:OWNER/NAME:... subject next to the immutable one, so an existing repository can opt in to immutable subjects without a window in which CI cannot assume its roles. The classic subject is name-based (a recycled owner or repository name matches it): set false again once the repository sends immutable subjects."
  type        = bool
  default     = false

  validation {
    condition     = !var.trust_classic_subject || (var.github_owner_id != null && var.github_repository_id != null)
    error_message = "trust_classic_subject only applies while migrating to immutable subjects: set github_owner_id and github_repository_id too, or leave it false."
  }
}

################################################################################
# OIDC provider
################################################################################

variable "create_oidc_provider" {
  description = "Whether to create the account's GitHub Actions OIDC provider. An account holds one provider per URL: set false and pass oidc_provider_arn if it already exists."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing GitHub Actions OIDC provider; used when create_oidc_provider is false."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com OIDC provider."
  }

  validation {
    condition     = var.create_oidc_provider || var.oidc_provider_arn != null
    error_message = "oidc_provider_arn is required when create_oidc_provider is false."
  }
}

################################################################################
# Terraform state access
################################################################################

variable "state_bucket_arn" {
  description = "ARN of the Terraform state bucket: the plan role may read it and take locks, apply roles may also write state."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_arn))
    error_message = "state_bucket_arn must be an S3 bucket ARN."
  }
}

variable "state_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn must be a KMS key ARN."
  }
}

################################################################################
# Roles
################################################################################

variable "plan_role_policy_arns" {
  description = "Managed policies attached to the pull-request plan role, as a map of a static label to policy ARN (labels keep for_each keys known before apply). Keep them read-only, e.g. { read_only = \"arn:aws:iam::aws:policy/ReadOnlyAccess\" }."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.plan_role_policy_arns) : can(regex("^arn:aws[a-zA-Z-]*:iam::(aws|[0-9]{12}):policy/.+$", arn))])
    error_message = "plan_role_policy_arns must hold IAM policy ARNs."
  }
}

variable "plan_role_branches" {
  description = "Branches whose workflow runs (not in a GitHub environment) may also assume the read-only plan role, e.g. [\"main\"] for the scheduled drift check, which runs on the default branch. Exact names, no wildcards; [] admits pull requests only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for b in var.plan_role_branches : can(regex("^[A-Za-z0-9._/-]+$", b)) && !startswith(b, "refs/")])
    error_message = "plan_role_branches must hold plain branch names such as main (no refs/heads/ prefix, no wildcards)."
  }
}

variable "apply_roles" {
  description = <<-EOT
    One apply role per environment, keyed by environment name (e.g. staging, prod). Each role trusts only
    workflow jobs of github_repository that run in the GitHub environment `github_environment` (use a
    protected environment such as `production` for prod). policies are inline policy documents (static label =>
    JSON) with what that environment's deploys may change; policy_arns are managed policies (static label => ARN).
    Static labels keep the plan's shape known while documents or ARNs are still unknown.
  EOT
  type = map(object({
    github_environment = string
    policies           = optional(map(string), {})
    policy_arns        = optional(map(string), {})
  }))
  default = {}

  validation {
    condition     = alltrue([for env, r in var.apply_roles : can(regex("^[a-z][a-z0-9-]{1,20}$", env)) && length(trimspace(r.github_environment)) > 0 && !strcontains(r.github_environment, "*")])
    error_message = "apply_roles keys must be lowercase environment names (2-21 characters) and each github_environment a non-empty name without wildcards."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.apply_roles) : [for doc in values(r.policies) : can(jsondecode(doc))]]))
    error_message = "apply_roles[*].policies must hold JSON policy documents."
  }
}

variable "max_session_duration_seconds" {
  description = "Maximum session length of the roles, in seconds (3600-43200)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration_seconds >= 3600 && var.max_session_duration_seconds <= 43200
    error_message = "max_session_duration_seconds must be between 3600 and 43200."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}

variable "promote_roles" {
  description = <<-EOT
    One promote role per target environment, keyed by environment name (e.g. prod). Each role trusts only workflow
    jobs of github_repository that run in the GitHub environment `github_environment` (e.g. `prod-promote`), reads
    state and writes only platformctl's records beside it (<state key>.platformctl/*: audit log, approved plans,
    lock), never state itself. policies/policy_arns as in apply_roles: what copying a release into the environment
    needs (its registry and artifact store) and, to plan it, read access. records_key: the target's state key
    (e.g. platform/prod.tfstate), so the role writes requests in that environment's log only; null allows any.
  EOT
  type = map(object({
    github_environment = string
    policies           = optional(map(string), {})
    policy_arns        = optional(map(string), {})
    records_key        = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for env, r in var.promote_roles : can(regex("^[a-z][a-z0-9-]{1,20}$", env)) && length(trimspace(r.github_environment)) > 0 && !strcontains(r.github_environment, "*")])
    error_message = "promote_roles keys must be lowercase environment names (2-21 characters) and each github_environment a non-empty name without wildcards."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.promote_roles) : [for doc in values(r.policies) : can(jsondecode(doc))]]))
    error_message = "promote_roles[*].policies must hold JSON policy documents."
  }
}
