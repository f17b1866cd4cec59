terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Bootstrap creates the state bucket, so its own state starts local. After the first apply,
  # move it into the bucket: add `backend "s3" {}` here and run
  # `terraform init -migrate-state -backend-config="bucket=<state_bucket_name>" -backend-config="key=bootstrap.tfstate" ...`.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project    = var.project
      managed-by = "platformctl"
      stack      = "bootstrap"
    }
  }
}
