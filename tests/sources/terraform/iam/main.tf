# IAM users, groups, roles and policies in every form the AWS provider offers: group membership both ways,
# inline policies (resources and role inline_policy blocks), managed policies attached by each attachment
# resource and by managed_policy_arns, a permissions boundary, policy documents from
# data.aws_iam_policy_document and from jsonencode. Carol's inline policy names her own ARN, so a plan made
# before anything exists does not know it.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAEDGEWARDFIXTURES"
  secret_key                  = "not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

data "aws_iam_policy_document" "cf_editors" {
  statement {
    actions   = ["cloudfront:UpdateDistribution", "cloudfront:GetDistributionConfig"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}

resource "aws_iam_policy" "cf_editors" {
  name   = "CloudFrontEditors"
  policy = data.aws_iam_policy_document.cf_editors.json
}

resource "aws_iam_policy" "boundary" {
  name = "WebBoundary"
  path = "/boundaries/"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "cloudfront:Get*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "legacy" {
  name = "Legacy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "cloudfront:UpdateDistribution", Resource = "*" }]
  })
}

resource "aws_iam_group" "web" {
  name = "web"
}

resource "aws_iam_group_policy_attachment" "web_editors" {
  group      = aws_iam_group.web.name
  policy_arn = aws_iam_policy.cf_editors.arn
}

resource "aws_iam_group" "ops" {
  name = "ops"
  path = "/ops/"
}

resource "aws_iam_group_policy" "ops_read" {
  name  = "read"
  group = aws_iam_group.ops.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "cloudfront:GetDistribution", Resource = "*" }]
  })
}

resource "aws_iam_user" "alice" {
  name = "alice"
  tags = { team = "web" }
}

resource "aws_iam_user_group_membership" "alice" {
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.web.name]
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_group_membership" "ops" {
  name  = "ops-members"
  group = aws_iam_group.ops.name
  users = [aws_iam_user.bob.name]
}

resource "aws_iam_user" "carol" {
  name                 = "carol"
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_user_policy" "carol" {
  name = "everything"
  user = aws_iam_user.carol.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "cloudfront:*", Resource = "*" },
      { Effect = "Allow", Action = "iam:ChangePassword", Resource = aws_iam_user.carol.arn },
    ]
  })
}

resource "aws_iam_user" "dave" {
  name = "dave"
}

resource "aws_iam_user_policy_attachment" "dave" {
  user       = aws_iam_user.dave.name
  policy_arn = aws_iam_policy.cf_editors.arn
}

resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
  inline_policy {
    name = "no-delete"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Deny", Action = "cloudfront:DeleteDistribution", Resource = "*" }]
    })
  }
  managed_policy_arns = [aws_iam_policy.cf_editors.arn]
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "reader" {
  name = "read-config"
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "cloudfront:GetDistributionConfig", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "reader_get" {
  role       = aws_iam_role.reader.name
  policy_arn = aws_iam_policy.boundary.arn
}

resource "aws_iam_role" "ops" {
  name               = "ops-role"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_policy_attachment" "legacy" {
  name       = "legacy"
  policy_arn = aws_iam_policy.legacy.arn
  roles      = [aws_iam_role.ops.name]
  users      = [aws_iam_user.bob.name]
}
