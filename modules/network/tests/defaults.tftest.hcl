mock_provider "aws" {
  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
}

override_resource {
  target          = aws_vpc.this
  override_during = plan
  values = {
    id         = "vpc-0123456789abcdef0"
    cidr_block = "10.0.0.0/16"
  }
}

variables {
  name = "mlplatform-test"
}

run "two_zones_endpoints_no_nat" {
  command = plan

  assert {
    condition = (
      aws_subnet.public[0].cidr_block == "10.0.0.0/18" && aws_subnet.public[1].cidr_block == "10.0.64.0/18" &&
      aws_subnet.private[0].cidr_block == "10.0.128.0/18" && aws_subnet.private[1].cidr_block == "10.0.192.0/18"
    )
    error_message = "The VPC splits into two public and two private subnets."
  }

  assert {
    condition     = aws_subnet.public[0].availability_zone == "eu-west-1a" && aws_subnet.public[1].availability_zone == "eu-west-1b" && aws_subnet.private[1].availability_zone == "eu-west-1b"
    error_message = "Subnets span the region's first two zones."
  }

  assert {
    condition     = alltrue([for s in concat(aws_subnet.public, aws_subnet.private) : !s.map_public_ip_on_launch])
    error_message = "No subnet hands out public IPs on its own."
  }

  assert {
    condition = (
      aws_vpc_endpoint.s3.vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3.service_name == "com.amazonaws.eu-west-1.s3" &&
      keys(aws_vpc_endpoint.interface) == ["ecr.api", "ecr.dkr", "logs"] &&
      alltrue([for e in aws_vpc_endpoint.interface : e.private_dns_enabled && e.vpc_endpoint_type == "Interface"])
    )
    error_message = "S3 gateway plus ECR api/dkr and Logs interface endpoints with private DNS."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_https.cidr_ipv4 == "10.0.0.0/16" && aws_vpc_security_group_ingress_rule.endpoints_https.from_port == 443
    error_message = "Endpoints admit HTTPS from the VPC only."
  }

  assert {
    condition     = anytrue([for r in aws_route_table.public.route : r.cidr_block == "0.0.0.0/0"]) && aws_default_security_group.this.vpc_id == "vpc-0123456789abcdef0"
    error_message = "Public subnets route to the internet gateway; the default security group is taken over (emptied)."
  }
}

run "explicit_zones_and_cidr" {
  command = plan

  variables {
    cidr_block                  = "172.20.0.0/20"
    availability_zones          = ["eu-west-1b", "eu-west-1c"]
    interface_endpoint_services = ["ecr.api", "ecr.dkr", "logs", "ssm"]
  }

  assert {
    condition     = aws_subnet.private[0].cidr_block == "172.20.8.0/22" && aws_subnet.private[0].availability_zone == "eu-west-1b" && length(aws_vpc_endpoint.interface) == 4
    error_message = "CIDR, zones and endpoint list follow the inputs."
  }
}

run "rejects_bad_inputs" {
  command = plan

  variables {
    cidr_block                  = "10.0.0.0/8"
    availability_zones          = ["eu-west-1a"]
    interface_endpoint_services = ["s3"]
  }

  expect_failures = [var.cidr_block, var.availability_zones, var.interface_endpoint_services]
}
