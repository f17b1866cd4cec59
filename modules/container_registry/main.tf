locals {
  create_repository_policy = length(var.pull_principal_arns) + length(var.promotion_reader_arns) > 0
}

resource "aws_ecr_repository" "this" {
  name = var.name
  # Tags are never moved: a deployed digest or release tag always means the same image.
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images ${var.lifecycle_untagged_expire_days} days after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.lifecycle_untagged_expire_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest ${var.lifecycle_keep_release_images} release images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.lifecycle_keep_release_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

data "aws_iam_policy_document" "pull" {
  count = local.create_repository_policy ? 1 : 0

  dynamic "statement" {
    for_each = length(var.pull_principal_arns) > 0 ? [1] : []

    content {
      sid    = "AllowPull"
      effect = "Allow"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ]

      principals {
        type        = "AWS"
        identifiers = var.pull_principal_arns
      }
    }
  }

  # Promote roles of other accounts copy a release by digest: its manifest, then the layers they lack.
  dynamic "statement" {
    for_each = length(var.promotion_reader_arns) > 0 ? [1] : []

    content {
      sid     = "PromotionReadersPullByDigest"
      effect  = "Allow"
      actions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"]

      principals {
        type        = "AWS"
        identifiers = var.promotion_reader_arns
      }
    }
  }
}

resource "aws_ecr_repository_policy" "this" {
  count = local.create_repository_policy ? 1 : 0

  repository = aws_ecr_repository.this.name
  policy     = data.aws_iam_policy_document.pull[0].json
}
