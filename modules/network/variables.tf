variable "name" {
  description = "Name prefix of the VPC, subnets, route tables and endpoint security group, e.g. \"mlplatform-fargate\". 1-48 letters, digits or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,47}$", var.name))
    error_message = "name must be 1-48 letters, digits or hyphens, starting with a letter or digit."
  }
}

################################################################################
# Addresses
################################################################################

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC, /16 to /24. Split into four equal subnets: two public, two private."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && try(tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24, false)
    error_message = "cidr_block must be an IPv4 CIDR block from /16 to /24, e.g. 10.0.0.0/16."
  }
}

variable "availability_zones" {
  description = "The two availability zones of the subnets. null takes the region's first two available zones."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null || try(length(var.availability_zones) == 2 && length(distinct(var.availability_zones)) == 2, false)
    error_message = "availability_zones must be null or two different zone names."
  }
}

################################################################################
# VPC endpoints (instead of a NAT gateway)
################################################################################

variable "interface_endpoint_services" {
  description = "Services reached through interface endpoints in the private subnets (short names after com.amazonaws.REGION.). ECR (api, dkr) and CloudWatch Logs are what a Fargate task needs to start; add \"ssm\" or \"secretsmanager\" for secrets. S3 always gets a (free) gateway endpoint."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "logs"]

  validation {
    condition     = alltrue([for s in var.interface_endpoint_services : can(regex("^[a-z0-9][a-z0-9.-]*$", s)) && s != "s3"])
    error_message = "interface_endpoint_services must hold service short names such as ecr.api; S3 is a gateway endpoint already."
  }
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}
