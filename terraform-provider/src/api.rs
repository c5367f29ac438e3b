//! The provider's HTTP client of the Overcast API: JSON in and out, the
//! bearer token, an `Idempotency-Key` on every request that creates, a
//! `User-Agent` naming the provider and Terraform, retries of requests
//! that never reached the server, and the API's one error shape.

use std::time::Duration;

use serde_json::Value as Json;

/// An error the API returned, or a failure to reach it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: u16,
    pub error_code: String,
    pub message: String,
    pub request_id: String,
    /// The offending input field, where the API names one.
    pub field: Option<String>,
}

impl ApiError {
    fn transport(e: &reqwest::Error, endpoint: &str) -> ApiError {
        ApiError {
            status: 0,
            error_code: "unreachable".into(),
            message: format!("could not reach the Overcast API at {endpoint}: {e}"),
            request_id: String::new(),
            field: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    /// The detail line of a diagnostic.
    pub fn detail(&self) -> String {
        let mut d = format!(
            "{} (HTTP {}, error_code {}",
            self.message, self.status, self.error_code
        );
        if !self.request_id.is_empty() {
            d.push_str(&format!(", request_id {}", self.request_id));
        }
        d.push(')');
        if self.status == 507 {
            d.push_str(". The cloud ran out of capacity for this request; the message says which resource.");
        }
        d
    }
}

#[derive(Clone, Debug)]
pub struct Api {
    http: reqwest::Client,
    endpoint: String,
    token: String,
}

impl Api {
    pub fn new(endpoint: &str, token: &str, terraform_version: &str) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .user_agent(format!(
                "terraform-provider-overcast/{} terraform/{terraform_version}",
                env!("CARGO_PKG_VERSION")
            ))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Api {
            http,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Json, ApiError> {
        self.send(reqwest::Method::GET, path, query, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: &Json,
    ) -> Result<Json, ApiError> {
        self.send(reqwest::Method::POST, path, query, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Json) -> Result<Json, ApiError> {
        self.send(reqwest::Method::PUT, path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Json, ApiError> {
        self.send(reqwest::Method::DELETE, path, &[], None).await
    }

    /// Every item of a list operation, following `next_page`.
    pub async fn list_all(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<Json>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.push(("limit", "200"));
            if let Some(t) = &token {
                q.push(("page_token", t));
            }
            let page = self.get(path, &q).await?;
            if let Some(list) = page.get("items").and_then(Json::as_array) {
                items.extend(list.iter().cloned());
            }
            match page.get("next_page").and_then(Json::as_str) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(items),
            }
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Json>,
    ) -> Result<Json, ApiError> {
        // One key for every attempt of this request: a retry after a lost
        // response replays the first answer instead of creating twice.
        let key = uuid::Uuid::new_v4().to_string();
        let url = format!("{}{path}", self.endpoint);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .query(query)
                .bearer_auth(&self.token);
            if method == reqwest::Method::POST {
                req = req.header("Idempotency-Key", &key);
            }
            if let Some(body) = body.filter(|b| !b.is_null()) {
                req = req.json(body);
            }
            tracing::debug!(%method, %url, attempt, "request");
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if attempt < 4 && (e.is_connect() || e.is_timeout() || e.is_request()) => {
                    tracing::warn!("{method} {url}: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(250 * attempt)).await;
                    continue;
                }
                Err(e) => return Err(ApiError::transport(&e, &self.endpoint)),
            };
            let status = resp.status();
            let text = resp
                .text()
                .await
                .map_err(|e| ApiError::transport(&e, &self.endpoint))?;
            if status.is_success() {
                return Ok(if text.is_empty() {
                    Json::Null
                } else {
                    serde_json::from_str(&text).unwrap_or(Json::String(text))
                });
            }
            // 503 while the server is busy is retried like a lost request.
            if status.as_u16() == 503 && attempt < 4 {
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
                continue;
            }
            let body: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            let s = |k: &str| body.get(k).and_then(Json::as_str).map(str::to_string);
            return Err(ApiError {
                status: status.as_u16(),
                error_code: s("error_code").unwrap_or_else(|| "http_error".into()),
                message: s("message")
                    .unwrap_or_else(|| format!("{method} {path}: HTTP {status}: {text}")),
                request_id: s("request_id").unwrap_or_default(),
                field: s("field"),
            });
        }
    }
}
