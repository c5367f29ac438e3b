# One instance in an existing project, and what changing it means:
# - `vcpus`, `memory_mib`, drives and IP addresses change in place, with the
#   instance stopped around the change (the plan warns);
# - `power_state` starts or stops it;
# - `image` (and the other create-only inputs) replaces it.

terraform {
  required_providers {
    overcast = {
      source = "registry.terraform.io/overcast/overcast"
    }
  }
}

variable "image" {
  type    = string
  default = "tiny"
}

variable "vcpus" {
  type    = number
  default = 1
}

variable "power_state" {
  type    = string
  default = "running"
}

variable "attach_ip" {
  type    = bool
  default = false
}

provider "overcast" {
  project = "main"
}

resource "overcast_ip_address" "extra" {
  name = "app-extra"
  pool = "public"
}

resource "overcast_instance" "app" {
  name         = "app"
  description  = "An application server"
  image        = var.image
  vcpus        = var.vcpus
  memory_mib   = 256
  power_state  = var.power_state
  ip_addresses = var.attach_ip ? [overcast_ip_address.extra.name] : []
}
