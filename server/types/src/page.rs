//! Keyset pages: `limit` and an opaque `page_token` in, `{items, next_page}` out.

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// One page of a keyset-paginated list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page: Option<String>,
}

impl<T> Page<T> {
    /// Convert the items, keeping the continuation.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_page: self.next_page,
        }
    }
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// Where a list continues: the sort key of the last item of the previous
/// page and the query that started the listing, wrapped so clients treat it
/// as opaque. Carrying the query lets a client ask for the next page with
/// the token alone (as progenitor's page streams do).
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
    params: BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct PageToken {
    v: u8,
    after: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
}

impl PageRequest {
    /// `query`: the listing's selectors as given in this request.
    pub fn parse(
        limit: Option<u32>,
        page_token: Option<&str>,
        query: &[(&str, Option<&str>)],
    ) -> ApiResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let mut params: BTreeMap<String, String> = query
            .iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v.to_string())))
            .collect();
        let after = match page_token {
            None => None,
            Some(token) => {
                let bad = || ApiError::invalid("page_token", "the page token is not valid");
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(token)
                    .map_err(|_| bad())?;
                let parsed: PageToken = serde_json::from_slice(&bytes).map_err(|_| bad())?;
                if parsed.v != 1 {
                    return Err(bad());
                }
                for (key, value) in parsed.params {
                    match params.get(&key) {
                        Some(given) if *given != value => {
                            return Err(ApiError::invalid(
                                "page_token",
                                format!("the page token belongs to a listing with another {key}"),
                            ));
                        }
                        _ => {
                            params.insert(key, value);
                        }
                    }
                }
                Some(parsed.after)
            }
        };
        Ok(Self {
            limit,
            after,
            params,
        })
    }

    /// A selector of the listing, from the query or from the page token.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Rows to fetch: one more than the limit tells whether a next page exists.
    pub fn fetch(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cut the fetched rows to a page; `key` gives an item's sort key.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let next_page = if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(|last| {
                let token = PageToken {
                    v: 1,
                    after: key(last),
                    params: self.params.clone(),
                };
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(serde_json::to_vec(&token).expect("token serializes"))
            })
        } else {
            None
        };
        Page {
            items: rows,
            next_page,
        }
    }
}
