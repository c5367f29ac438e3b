//! OS images: system-wide templates (the operator's) and an account's own.

use diesel::prelude::*;
use overcast_db::models::*;
use overcast_db::schema::*;
use overcast_db::{DbConn, now_micros, save_row};
use overcast_types::ids::ImageId;
use overcast_types::params::{Architecture, BootMode, ImageCreate};
use overcast_types::{ApiError, ApiResult, NameOrId, Page, PageRequest};

use super::{
    Actor, Ctx, MAX_BYTES, Subject, record_event, resolve_account, validate_description,
    validate_name,
};

pub use overcast_db::models::SYSTEM_SCOPE;

fn image_subject(row: &ImageRow) -> Subject<'_> {
    Subject {
        resource_type: "image",
        id: &row.id,
        name: &row.name,
        account_id: row.owner(),
        partner_id: None,
    }
}

pub fn image_create(
    conn: &mut DbConn,
    ctx: &Ctx,
    account: Option<&NameOrId>,
    p: ImageCreate,
) -> ApiResult<ImageRow> {
    validate_name("name", &p.name)?;
    validate_description(&p.description)?;
    if p.os_family.is_empty()
        || p.os_family.len() > 32
        || !p
            .os_family
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(ApiError::invalid(
            "os_family",
            "must be 1 to 32 lower-case letters and digits",
        ));
    }
    if p.min_size_bytes == 0 || p.min_size_bytes > MAX_BYTES {
        return Err(ApiError::invalid(
            "min_size_bytes",
            "must be between 1 byte and 64 TiB",
        ));
    }
    let source_ok = ["http://", "https://", "file:///"]
        .iter()
        .any(|s| p.source_url.starts_with(s))
        && p.source_url.len() <= 2048
        && !p.source_url.contains(char::is_whitespace);
    if !source_ok {
        return Err(ApiError::invalid(
            "source_url",
            "must be an http(s):// or file:/// URL of at most 2048 characters",
        ));
    }
    // A named account is resolved first, so naming one the caller cannot
    // see is a 404 whatever else is wrong.
    let owner = if account.is_some() || !p.system {
        Some(resolve_account(conn, &ctx.actor, account)?.id)
    } else {
        None
    };
    let scope = if p.system {
        ctx.actor.require_operator()?;
        SYSTEM_SCOPE.to_string()
    } else {
        owner.expect("resolved above").to_string()
    };
    let now = now_micros();
    let row = ImageRow {
        id: ImageId::new(),
        scope,
        name: p.name,
        description: p.description,
        os_family: p.os_family,
        architecture: p.architecture,
        boot_mode: p.boot_mode,
        min_size_bytes: p.min_size_bytes as i64,
        source_url: p.source_url,
        time_created: now,
        time_modified: now,
        generation: 1,
        snapshot_id: None,
    };
    diesel::insert_into(images::table)
        .values(&row)
        .execute(conn)?;
    record_event(conn, ctx, "create", image_subject(&row))?;
    Ok(row)
}

/// Whether the actor sees an image: system images are public.
fn sees_image(conn: &mut DbConn, actor: &Actor, row: &ImageRow) -> ApiResult<bool> {
    Ok(match row.owner() {
        None => true,
        Some(owner) => actor.sees_account_id(conn, &owner)?,
    })
}

/// An image by id, or by name: the account's own image of that name first,
/// then the system image.
pub fn image_get(
    conn: &mut DbConn,
    actor: &Actor,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<ImageRow> {
    let row = match sel {
        NameOrId::Id(id) => images::table
            .find(id)
            .select(ImageRow::as_select())
            .first(conn)
            .optional()?,
        NameOrId::Name(name) => {
            let own_scope = match (account, &actor.account_id) {
                (None, None) => None,
                _ => Some(resolve_account(conn, actor, account)?.id.to_string()),
            };
            let mut found: Vec<ImageRow> = images::table
                .filter(images::name.eq(name))
                .filter(
                    images::scope
                        .eq(SYSTEM_SCOPE)
                        .or(images::scope.eq(own_scope.clone().unwrap_or_default())),
                )
                .select(ImageRow::as_select())
                .load(conn)?;
            found.sort_by_key(|r| r.scope == SYSTEM_SCOPE);
            found.into_iter().next()
        }
    };
    match row {
        Some(r) if sees_image(conn, actor, &r)? => Ok(r),
        _ => Err(ApiError::not_found("image", sel)),
    }
}

/// System images plus the account's own, by name.
pub fn image_list(
    conn: &mut DbConn,
    actor: &Actor,
    account: Option<&NameOrId>,
    page: &PageRequest,
) -> ApiResult<Page<ImageRow>> {
    let own_scope = match (account, &actor.account_id) {
        (None, None) => String::new(),
        _ => resolve_account(conn, actor, account)?.id.to_string(),
    };
    // Sorted by (name, scope) so a system image and an account image of the
    // same name both appear, in a stable order.
    let mut query = images::table
        .filter(
            images::scope
                .eq(SYSTEM_SCOPE)
                .or(images::scope.eq(own_scope)),
        )
        .select(ImageRow::as_select())
        .order((images::name.asc(), images::scope.asc()))
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = &page.after {
        let (name, scope) = after.split_once('/').unwrap_or((after.as_str(), ""));
        query = query.filter(
            images::name.gt(name.to_string()).or(images::name
                .eq(name.to_string())
                .and(images::scope.gt(scope.to_string()))),
        );
    }
    Ok(page.finish(query.load(conn)?, |r| format!("{}/{}", r.name, r.scope)))
}

pub fn image_delete(
    conn: &mut DbConn,
    ctx: &Ctx,
    sel: &NameOrId,
    account: Option<&NameOrId>,
) -> ApiResult<()> {
    let row = image_get(conn, &ctx.actor, sel, account)?;
    if row.scope == SYSTEM_SCOPE {
        ctx.actor.require_operator()?;
    }
    let used: i64 = drives::table
        .filter(drives::image_id.eq(&row.id))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Err(ApiError::conflict(
            "in_use",
            format!("image \"{}\" is the source of {used} drive(s)", row.name),
        ));
    }
    diesel::delete(images::table.find(&row.id)).execute(conn)?;
    record_event(conn, ctx, "delete", image_subject(&row))?;
    Ok(())
}

/// Which of `listed` no longer have an image row (their bases are garbage).
pub fn deleted_of(conn: &mut DbConn, listed: &[ImageId]) -> ApiResult<Vec<ImageId>> {
    let kept: std::collections::HashSet<ImageId> = images::table
        .filter(images::id.eq_any(listed))
        .select(images::id)
        .load::<ImageId>(conn)?
        .into_iter()
        .collect();
    Ok(listed
        .iter()
        .filter(|id| !kept.contains(*id))
        .cloned()
        .collect())
}

/// Register (or point at a new build of) a system image bundle: the
/// all-in-one mode's built-in OS templates.
pub fn register_system_image(
    conn: &mut DbConn,
    name: &str,
    description: &str,
    source_url: &str,
    min_size_bytes: u64,
) -> ApiResult<()> {
    let now = now_micros();
    let existing: Option<ImageRow> = images::table
        .filter(images::scope.eq(SYSTEM_SCOPE))
        .filter(images::name.eq(name))
        .select(ImageRow::as_select())
        .first(conn)
        .optional()?;
    match existing {
        Some(mut row) => {
            if row.source_url != source_url || row.min_size_bytes != min_size_bytes as i64 {
                row.source_url = source_url.to_string();
                row.min_size_bytes = min_size_bytes as i64;
                save_row!(conn, images, row)?;
            }
        }
        None => {
            diesel::insert_into(images::table)
                .values(&ImageRow {
                    id: ImageId::new(),
                    scope: SYSTEM_SCOPE.into(),
                    name: name.to_string(),
                    description: description.to_string(),
                    os_family: "linux".into(),
                    architecture: Architecture::X86_64,
                    boot_mode: BootMode::DirectKernel,
                    min_size_bytes: min_size_bytes as i64,
                    source_url: source_url.to_string(),
                    time_created: now,
                    time_modified: now,
                    generation: 1,
                    snapshot_id: None,
                })
                .execute(conn)?;
        }
    }
    Ok(())
}
