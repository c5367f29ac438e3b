# An operator onboards a reseller (partner) and its first customer: the
# partner, the customer's account and an API token, and then, through a
# second provider configured with that token, the customer's own project.
# Data sources read what the operator and the customer can see.

terraform {
  required_providers {
    overcast = {
      source = "registry.terraform.io/overcast/overcast"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "The Overcast API, for the customer's provider."
}

variable "brand_name" {
  type    = string
  default = "CloudCo"
}

# The operator: OVERCAST_ENDPOINT and OVERCAST_TOKEN.
provider "overcast" {}

resource "overcast_partner" "cloudco" {
  name        = "cloudco"
  description = "A reseller"
  brand = {
    display_name  = var.brand_name
    primary_color = "#1a73e8"
    accent_color  = "#fbbc04"
    support_email = "support@cloudco.example"
  }
}

resource "overcast_account" "acme" {
  name    = "acme"
  partner = overcast_partner.cloudco.name
}

resource "overcast_token" "acme" {
  scope       = "account_read_write"
  account     = overcast_account.acme.id
  description = "Terraform"
}

# The customer, with the token made above.
provider "overcast" {
  alias    = "acme"
  endpoint = var.endpoint
  token    = overcast_token.acme.secret
}

resource "overcast_project" "shop" {
  provider    = overcast.acme
  name        = "shop"
  description = "The web shop"
}

data "overcast_hosts" "all" {}

# Read with the customer's token, once it exists (depends_on defers the
# read to apply while the token is still to be made).
data "overcast_image" "tiny" {
  provider   = overcast.acme
  name       = "tiny"
  depends_on = [overcast_token.acme]
}

data "overcast_images" "visible" {
  provider   = overcast.acme
  depends_on = [overcast_token.acme]
}

output "hosts" {
  value = [for h in data.overcast_hosts.all.items : h.name]
}

output "tiny_min_size_bytes" {
  value = data.overcast_image.tiny.min_size_bytes
}

output "images" {
  value = [for i in data.overcast_images.visible.items : i.name]
}

output "project_account" {
  value = overcast_project.shop.account
}
