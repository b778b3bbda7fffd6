# The cross-format estate (tests/sources/test_cross_format.py): a VPC with public and private
# subnets, an internet gateway and a NAT gateway, a NACL with a deny, IPv6, and a web tier
# whose security groups chain by group reference (proxy -> app -> db). Network in a child module.
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

module "network" {
  source = "./modules/network"
  name   = "edge"
  cidr   = "10.20.0.0/16"
}

resource "aws_security_group" "lb" {
  name        = "lb"
  description = "proxy tier"
  vpc_id      = module.network.vpc_id
  tags        = { Name = "lb" }

  ingress {
    description      = "https from anywhere"
    from_port        = 443
    to_port          = 443
    protocol         = "tcp"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "app tier"
  vpc_id      = module.network.vpc_id
  tags        = { Name = "web" }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "web_from_lb" {
  security_group_id            = aws_security_group.web.id
  referenced_security_group_id = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
}

resource "aws_security_group" "db" {
  name        = "db"
  description = "database tier"
  vpc_id      = module.network.vpc_id
  tags        = { Name = "db" }
}

resource "aws_security_group_rule" "db_from_web" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = aws_security_group.web.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
}

resource "aws_security_group_rule" "db_egress_vpc" {
  type              = "egress"
  security_group_id = aws_security_group.db.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["10.20.0.0/16"]
}

resource "aws_instance" "proxy" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = module.network.public_subnet_id
  private_ip             = "10.20.1.10"
  ipv6_addresses         = ["2600:1f18:abcd:1201::10"]
  vpc_security_group_ids = [aws_security_group.lb.id]
  tags                   = { Name = "proxy" }
}

resource "aws_eip" "proxy" {
  domain   = "vpc"
  address  = "198.51.100.10"
  instance = aws_instance.proxy.id
  tags     = { Name = "proxy-eip" }
}

resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = module.network.private_subnet_id
  private_ip             = "10.20.2.20"
  vpc_security_group_ids = [aws_security_group.web.id]
  tags                   = { Name = "app" }
}

resource "aws_instance" "db" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = module.network.private_subnet_id
  private_ip             = "10.20.2.30"
  vpc_security_group_ids = [aws_security_group.db.id]
  tags                   = { Name = "db" }
}
