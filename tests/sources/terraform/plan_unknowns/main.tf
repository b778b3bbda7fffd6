# A plan with no state: every id is "known after apply". Exercises the links the loader follows
# through the configuration (module outputs, variables, count.index, inline blocks) and the values
# it must leave unknown (AWS-assigned addresses and IPv6 blocks).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIAEDGEWARDFIXTURES"
  secret_key                  = "not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

module "vpc" {
  source  = "./modules/vpc"
  cidr    = "10.50.0.0/16"
  subnets = ["10.50.1.0/24", "10.50.2.0/24"]
}

# read at apply time (it depends on a resource being created): only its name is known
data "aws_ec2_managed_prefix_list" "cloudfront" {
  name       = "com.amazonaws.global.cloudfront.origin-facing"
  depends_on = [module.vpc]
}

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5
  entry {
    cidr = "192.0.2.0/28"
  }
}

resource "aws_ec2_managed_prefix_list_entry" "vpn" {
  prefix_list_id = aws_ec2_managed_prefix_list.office.id
  cidr           = "192.0.2.64/28"
}

resource "aws_security_group" "origin" {
  name   = "origin"
  vpc_id = module.vpc.vpc_id

  # one inline block references a group: the link is certain
  ingress {
    from_port       = 80
    to_port         = 80
    protocol        = "tcp"
    security_groups = [aws_security_group.admin.id]
  }
  ingress {
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    prefix_list_ids = [aws_ec2_managed_prefix_list.office.id]
  }
  ingress {
    from_port = -1
    to_port   = -1
    protocol  = "icmp"
    self      = true
  }
  # no egress block: Terraform removes AWS's default allow-all egress
}

resource "aws_vpc_security_group_ingress_rule" "origin_from_cloudfront" {
  security_group_id = aws_security_group.origin.id
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "origin_all" {
  security_group_id = aws_security_group.origin.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_security_group" "admin" {
  name   = "admin"
  vpc_id = module.vpc.vpc_id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "origin" {
  count                       = 2
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.micro"
  subnet_id                   = module.vpc.subnet_ids[count.index]
  vpc_security_group_ids      = [aws_security_group.origin.id]
  associate_public_ip_address = true
  tags                        = { Name = "origin-${count.index}" }
}

resource "aws_network_interface" "admin" {
  subnet_id   = module.vpc.subnet_ids[0]
  private_ips = ["10.50.1.50"]
  description = "admin console"
}

resource "aws_network_interface_sg_attachment" "admin" {
  network_interface_id = aws_network_interface.admin.id
  security_group_id    = aws_security_group.admin.id
}

resource "aws_instance" "admin" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  network_interface {
    network_interface_id = aws_network_interface.admin.id
    device_index         = 0
  }
  tags = { Name = "admin" }
}

resource "aws_eip" "admin" {
  domain            = "vpc"
  network_interface = aws_network_interface.admin.id
}

resource "aws_vpc" "peer" {
  cidr_block = "10.60.0.0/16"
  tags       = { Name = "peer" }
}

resource "aws_vpc_peering_connection" "to_peer" {
  vpc_id      = module.vpc.vpc_id
  peer_vpc_id = aws_vpc.peer.id
  auto_accept = true
}

resource "aws_route" "to_peer" {
  for_each                  = { main = module.vpc.route_table_id }
  route_table_id            = each.value
  destination_cidr_block    = aws_vpc.peer.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection.to_peer.id
}
