//! Brands: what a partner's (or the operator's) console looks like, the
//! host names a partner's customers use, and which brand a host shows.

use std::sync::LazyLock;

use diesel::prelude::*;
use overcast_db::DbConn;
use overcast_db::models::PartnerRow;
use overcast_db::schema::{operator_brand, partner_host_names, partners};
use overcast_types::ids::PartnerId;
use overcast_types::params::Brand;
use overcast_types::views::{BrandInfo, Partner};
use overcast_types::{ApiError, ApiResult};
use regex::Regex;

use super::Ctx;
use super::tenancy::{validate_email, validate_url};

static COLOR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#[0-9a-fA-F]{6}$").expect("valid regex"));
static PHONE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\+?[0-9 ()\-.]{3,32}$").expect("valid regex"));
/// A DNS name: dot-separated labels of lowercase letters, digits and
/// inner hyphens.
static HOST_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
        .expect("valid regex")
});

const MAX_FOOTER_LINKS: usize = 10;
const MAX_HOST_NAMES: usize = 20;

pub fn validate_brand(brand: &Brand) -> ApiResult<()> {
    if brand.display_name.trim().is_empty() || brand.display_name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "brand.display_name",
            "must be 1 to 100 characters",
        ));
    }
    for (field, color) in [
        ("brand.primary_color", &brand.primary_color),
        ("brand.accent_color", &brand.accent_color),
    ] {
        if !COLOR_RE.is_match(color) {
            return Err(ApiError::invalid(field, "must be a colour as #rrggbb"));
        }
    }
    for (field, url) in [
        ("brand.logo_url", &brand.logo_url),
        ("brand.favicon_url", &brand.favicon_url),
        ("brand.support_url", &brand.support_url),
    ] {
        if let Some(url) = url {
            validate_url(field, url)?;
        }
    }
    if let Some(email) = &brand.support_email {
        validate_email("brand.support_email", email)?;
    }
    if let Some(phone) = &brand.support_phone
        && !PHONE_RE.is_match(phone)
    {
        return Err(ApiError::invalid(
            "brand.support_phone",
            "must be a phone number: digits, spaces and +()-. (3 to 32 characters)",
        ));
    }
    let links = brand.footer_links.as_deref().unwrap_or_default();
    if links.len() > MAX_FOOTER_LINKS {
        return Err(ApiError::invalid(
            "brand.footer_links",
            format!("at most {MAX_FOOTER_LINKS} links"),
        ));
    }
    for (i, link) in links.iter().enumerate() {
        let n = link.label.trim().chars().count();
        if n == 0 || link.label.chars().count() > 60 {
            return Err(ApiError::invalid(
                format!("brand.footer_links[{i}].label"),
                "must be 1 to 60 characters",
            ));
        }
        validate_url(&format!("brand.footer_links[{i}].url"), &link.url)?;
    }
    Ok(())
}

/// Store `brand` in the partner's row.
pub fn set_brand(row: &mut PartnerRow, brand: Brand) {
    row.display_name = brand.display_name;
    row.logo_url = brand.logo_url;
    row.primary_color = brand.primary_color;
    row.accent_color = brand.accent_color;
    row.support_url = brand.support_url;
    row.support_email = brand.support_email;
    row.favicon_url = brand.favicon_url;
    row.support_phone = brand.support_phone;
    // Absent stays absent (JSON `null`, an empty navigation), so a
    // configuration that leaves them out reads back as it was written.
    row.footer_links = json_or_null(&brand.footer_links);
    row.navigation = brand
        .navigation
        .map(|n| n.as_str().into())
        .unwrap_or_default();
    row.hidden_sections = json_or_null(&brand.hidden_sections);
}

fn json_or_null<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Check host names (DNS names, no port), lowercased and without repeats.
pub fn validate_host_names(names: Vec<String>) -> ApiResult<Vec<String>> {
    if names.len() > MAX_HOST_NAMES {
        return Err(ApiError::invalid(
            "host_names",
            format!("at most {MAX_HOST_NAMES} host names"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let name = name.trim().to_lowercase();
        if name.len() > 253 || !HOST_RE.is_match(&name) {
            return Err(ApiError::invalid(
                format!("host_names[{i}]"),
                "must be a DNS name such as cloud.example.com (no scheme, port or path)",
            ));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

pub fn host_names_json(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".into())
}

/// Make `names` the partner's host names: release the others, claim
/// these. A name another partner holds is a 409.
pub fn claim_host_names(conn: &mut DbConn, partner: &PartnerId, names: &[String]) -> ApiResult<()> {
    let taken: Vec<String> = partner_host_names::table
        .filter(partner_host_names::host_name.eq_any(names))
        .filter(partner_host_names::partner_id.ne(partner))
        .select(partner_host_names::host_name)
        .load(conn)?;
    if let Some(name) = taken.first() {
        return Err(ApiError::conflict(
            "host_name_taken",
            format!("another partner already uses the host name {name}"),
        )
        .with_field("host_names"));
    }
    diesel::delete(partner_host_names::table.filter(partner_host_names::partner_id.eq(partner)))
        .execute(conn)?;
    for name in names {
        diesel::insert_into(partner_host_names::table)
            .values((
                partner_host_names::host_name.eq(name),
                partner_host_names::partner_id.eq(partner),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Overcast's own brand: what a fresh install shows until the operator
/// sets one.
fn default_brand() -> Brand {
    Brand {
        display_name: "Overcast".into(),
        logo_url: None,
        primary_color: "#1d4ed8".into(),
        accent_color: "#0f766e".into(),
        support_url: None,
        support_email: None,
        favicon_url: None,
        support_phone: None,
        footer_links: None,
        navigation: None,
        hidden_sections: None,
    }
}

/// The operator's brand and its generation (0 before it was ever set).
pub fn operator_brand(conn: &mut DbConn) -> ApiResult<(Brand, i64)> {
    let row: Option<(String, i64)> = operator_brand::table
        .find(1)
        .select((operator_brand::brand, operator_brand::generation))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((json, generation)) => (
            serde_json::from_str(&json).map_err(ApiError::internal)?,
            generation,
        ),
        None => (default_brand(), 0),
    })
}

/// Set the operator's brand (operators only).
pub fn operator_brand_update(
    conn: &mut DbConn,
    ctx: &Ctx,
    brand: Brand,
    if_match: Option<i64>,
) -> ApiResult<(Brand, i64)> {
    ctx.actor.require_operator()?;
    validate_brand(&brand)?;
    let (_, generation) = operator_brand(conn)?;
    super::check_generation(if_match, generation)?;
    let json = serde_json::to_string(&brand).map_err(ApiError::internal)?;
    if generation == 0 {
        diesel::insert_into(operator_brand::table)
            .values((
                operator_brand::id.eq(1),
                operator_brand::brand.eq(&json),
                operator_brand::generation.eq(1),
            ))
            .execute(conn)?;
    } else {
        diesel::update(operator_brand::table.find(1))
            .set((
                operator_brand::brand.eq(&json),
                operator_brand::generation.eq(generation + 1),
            ))
            .execute(conn)?;
    }
    Ok((brand, generation + 1))
}

/// The brand for a request's `Host` header: the partner that holds the
/// host name, or else the operator's.
pub fn brand_for_host(conn: &mut DbConn, host: &str) -> ApiResult<BrandInfo> {
    // `Host` may carry a port; IPv6 literals (`[::1]:8080`) match no name.
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
        .trim_end_matches('.')
        .to_lowercase();
    let partner: Option<PartnerRow> = partner_host_names::table
        .inner_join(partners::table.on(partners::id.eq(partner_host_names::partner_id)))
        .filter(partner_host_names::host_name.eq(&name))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match partner {
        Some(row) => {
            let partner = Partner::from(row);
            BrandInfo {
                partner_id: Some(partner.identity.id),
                warnings: partner.brand_warnings,
                brand: partner.brand,
            }
        }
        None => {
            let (brand, _) = operator_brand(conn)?;
            BrandInfo {
                partner_id: None,
                warnings: brand.contrast_warnings(),
                brand,
            }
        }
    })
}
