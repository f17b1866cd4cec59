output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the two public subnets (one per zone), for the load balancer."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the two private subnets (one per zone), for the tasks; they reach AWS through the VPC endpoints."
  value       = aws_subnet.private[*].id
}

output "availability_zones" {
  description = "The two availability zones of the subnets."
  value       = local.azs
}

output "endpoint_security_group_id" {
  description = "ID of the security group of the interface endpoints (HTTPS from the VPC)."
  value       = aws_security_group.endpoints.id
}

output "vpc_endpoint_ids" {
  description = "IDs of the VPC endpoints, keyed by service short name (s3 plus interface_endpoint_services)."
  value       = merge({ s3 = aws_vpc_endpoint.s3.id }, { for k, e in aws_vpc_endpoint.interface : k => e.id })
}
