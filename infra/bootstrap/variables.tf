variable "region" {
  description = "AWS region of the state bucket, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "project" {
  description = "Project name; must match infra/platform's project so deploy roles can manage \"<project>-<environment>\" resources."
  type        = string
  default     = "mlplatform"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,13}[a-z0-9]$", var.project))
    error_message = "project must be 2-15 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket. null uses \"<project>-tfstate-<account id>\", which envs/*/backend.hcl expect."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be null or a valid S3 bucket name."
  }
}

variable "state_force_destroy" {
  description = "Whether destroying the bootstrap stack may delete the state bucket with state in it. Only for throwaway accounts."
  type        = bool
  default     = false
}

variable "github_repository" {
  description = "GitHub repository (OWNER/NAME) whose workflows may assume the CI roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/NAME."
  }
}

variable "github_owner_id" {
  description = "Numeric ID of the repository owner, e.g. \"1234\". With github_repository_id the CI roles trust the immutable OIDC subject repo:OWNER@OWNER_ID/NAME@REPO_ID:... that repositories created from 2026-07-15 (or opted in) send; null trusts the classic repo:OWNER/NAME:... subject. `gh api repos/OWNER/NAME --jq .owner.id` prints it."
  type        = string
  default     = null

  validation {
    condition     = var.github_owner_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_owner_id))
    error_message = "github_owner_id must be null or a numeric GitHub ID as a string of digits."
  }
}

variable "github_repository_id" {
  description = "Numeric ID of github_repository, e.g. \"5678\" (`gh api repos/OWNER/NAME --jq .id`); set together with github_owner_id."
  type        = string
  default     = null

  validation {
    condition     = var.github_repository_id == null || can(regex("^[1-9][0-9]{0,19}$", var.github_repository_id))
    error_message = "github_repository_id must be null or a numeric GitHub ID as a string of digits."
  }

  validation {
    condition     = (var.github_owner_id == null) == (var.github_repository_id == null)
    error_message = "Set github_owner_id and github_repository_id together (immutable subjects) or neither (classic subjects)."
  }
}

variable "trust_classic_subject" {
  description = "Migration only: with both IDs set, also trust the classic name-based subject while the repository is switched to immutable subjects; set false again afterwards (see modules/github_oidc/README.md)."
  type        = bool
  default     = false
}

variable "plan_role_branches" {
  description = "Branches whose plain workflow runs may assume the read-only plan role besides pull requests: the default branch, where the scheduled drift check (.github/workflows/drift.yml) runs."
  type        = list(string)
  default     = ["main"]

  validation {
    condition     = alltrue([for b in var.plan_role_branches : can(regex("^[A-Za-z0-9._/-]+$", b)) && !startswith(b, "refs/")])
    error_message = "plan_role_branches must hold plain branch names such as main (no refs/heads/ prefix, no wildcards)."
  }
}

variable "create_oidc_provider" {
  description = "Whether to create the account's GitHub OIDC provider (false if the account already has one)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of the existing GitHub OIDC provider when create_oidc_provider is false."
  type        = string
  default     = null
}

variable "environments" {
  description = "Environments deployed into this account, mapped to the GitHub environment whose jobs may apply them, e.g. { staging = \"staging\" } or { prod = \"production\" }."
  type        = map(string)

  validation {
    condition     = length(var.environments) > 0 && alltrue([for env, gh in var.environments : can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", env)) && length(trimspace(gh)) > 0 && !strcontains(gh, "*")])
    error_message = "environments must map lowercase environment names to non-empty GitHub environment names without wildcards."
  }

  validation {
    condition     = lookup(var.environments, "prod", "production") == "production"
    error_message = "prod may only be applied from the protected GitHub environment \"production\"."
  }
}

variable "state_key_prefix" {
  description = "Where envs/*/backend.hcl keep each environment's state in the state bucket: <prefix><environment>.tfstate (the kit's backend.hcl files use platform/). A promote role reading another account's environment is granted that key and its records."
  type        = string
  default     = "platform/"

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+/)*$", var.state_key_prefix))
    error_message = "state_key_prefix must be empty or folder names each ending in /, such as platform/."
  }
}

variable "promotions" {
  description = "Promotions between environments, keyed by the target environment: the environment promoted from, the GitHub environment whose jobs run `platformctl promote`, and where the two live when that is not this account, e.g. { prod = { from = \"staging\", github_environment = \"prod-promote\", from_account_id = \"111111111111\", account_id = \"222222222222\" } } (what .github/workflows/deploy.yml expects). Give every account's bootstrap the same map. In the target's account it makes a role that copies the source's verified image and model into the target, plans the target and records the request, and cannot apply; in the source's account (when that is another one) it grants that role the reads and nothing more: the source's repository and artifact store (through the parameter infra/platform reads, on the source's next apply) and the source's state and records."
  type = map(object({
    from               = string
    github_environment = string
    from_account_id    = optional(string)
    account_id         = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for env, p in var.promotions : (contains(keys(var.environments), env) || contains(keys(var.environments), p.from)) && p.from != env && can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", p.from)) && can(regex("^[a-z][a-z0-9-]{0,14}[a-z0-9]$", env))])
    error_message = "promotions must be keyed by an environment name, each promoting from another one, and name an environment of var.environments as its target or its source (e.g. { prod = { from = \"staging\", github_environment = \"prod-promote\" } })."
  }

  validation {
    condition     = alltrue([for env, p in var.promotions : length(trimspace(p.github_environment)) > 0 && !strcontains(p.github_environment, "*") && p.github_environment != lookup(var.environments, env, "")])
    error_message = "Each promotion's github_environment must be a non-empty name without wildcards, and not the environment's apply environment (promoting must not need the approval that applying does)."
  }

  validation {
    condition     = alltrue([for env, p in var.promotions : contains(keys(var.environments), env) || p.account_id != null])
    error_message = "A promotion into an environment this account does not hold must name the account it lives in (account_id): the source's account grants that account's promote role."
  }

  validation {
    condition     = alltrue([for env, p in var.promotions : alltrue([for id in [p.from_account_id, p.account_id] : id == null || can(regex("^[0-9]{12}$", id))])])
    error_message = "A promotion's from_account_id and account_id must be 12-digit AWS account ids (or left out for this account)."
  }
}
