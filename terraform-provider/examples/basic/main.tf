# A project with an SSH key, a data drive, a public IP address and an
# instance that uses them. The provider reads OVERCAST_ENDPOINT and
# OVERCAST_TOKEN (or a profile saved by `overcast login`).

terraform {
  required_providers {
    overcast = {
      source = "registry.terraform.io/overcast/overcast"
    }
  }
}

variable "public_key" {
  type        = string
  description = "The SSH public key installed on the instance."
}

variable "description" {
  type    = string
  default = "The web tier"
}

provider "overcast" {}

resource "overcast_project" "web" {
  name        = "web"
  description = var.description
}

resource "overcast_ssh_key" "laptop" {
  name       = "laptop"
  public_key = var.public_key
}

resource "overcast_drive" "data" {
  project    = overcast_project.web.name
  name       = "data"
  size_bytes = 64 * 1024 * 1024
}

resource "overcast_ip_address" "public" {
  project = overcast_project.web.name
  name    = "web-1-public"
  pool    = "public"
}

resource "overcast_instance" "web" {
  project      = overcast_project.web.name
  name         = "web-1"
  image        = "tiny"
  vcpus        = 1
  memory_mib   = 256
  drives       = [overcast_drive.data.name]
  ip_addresses = [overcast_ip_address.public.name]
  ssh_keys     = [overcast_ssh_key.laptop.name]
}

output "instance_id" {
  value = overcast_instance.web.id
}
