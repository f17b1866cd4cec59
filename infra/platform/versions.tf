terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: each environment supplies bucket, key, region, encrypt and use_lockfile
  # through `terraform init -backend-config=../../envs/<env>/backend.hcl`.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      environment = var.environment
      project     = var.project
      managed-by  = "platformctl"
    }
  }
}
