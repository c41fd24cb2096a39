//! [`OutboundClient`]: the checked request path and the small [`Response`] it returns.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue, LOCATION};
use http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::error::{OutboundError, Refusal, from_reqwest};
use crate::policy::OutboundPolicy;
use crate::resolve::{GuardedResolver, Lookup, SystemLookup};
use crate::tls;

/// An answer, with its body read in full (up to the policy's size cap).
#[derive(Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    host: String,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The body as JSON; [`OutboundError::Decode`] when it is not that JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, OutboundError> {
        serde_json::from_slice(&self.body).map_err(|e| OutboundError::Decode {
            host: self.host.clone(),
            // serde_json names line and column and the kind of problem, never the text.
            reason: e.to_string(),
        })
    }

    /// The answer as an `http::Response` (for adapters such as openidconnect's).
    pub fn into_http(self) -> http::Response<Vec<u8>> {
        let mut out = http::Response::new(self.body.to_vec());
        *out.status_mut() = self.status;
        *out.headers_mut() = self.headers;
        out
    }
}

/// Status and sizes only: bodies and headers may hold tokens.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// The one HTTP client for requests that leave the machine. Cheap to clone (shares its
/// connection pool).
#[derive(Clone)]
pub struct OutboundClient {
    http: reqwest::Client,
    policy: Arc<OutboundPolicy>,
}

impl fmt::Debug for OutboundClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundClient")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl OutboundClient {
    /// A client enforcing `policy`, resolving names with the system resolver.
    pub fn new(policy: OutboundPolicy) -> Result<Self, OutboundError> {
        Self::with_lookup(policy, Arc::new(SystemLookup))
    }

    /// A client resolving names with `lookup` (tests: a fixed table). Every address it returns
    /// still goes through the policy.
    pub fn with_lookup(
        policy: OutboundPolicy,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Self, OutboundError> {
        let policy = Arc::new(policy);
        let resolver = GuardedResolver {
            policy: Arc::clone(&policy),
            lookup,
        };
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::client_config(&policy)?)
            .dns_resolver(resolver)
            // Redirects are followed (or not) by `send`, which checks every hop.
            .redirect(reqwest::redirect::Policy::none())
            // A retried POST could spend a single-use authorization code twice.
            .retry(reqwest::retry::never())
            // A proxy would connect on our behalf to addresses the resolver never saw.
            .no_proxy()
            .referer(false)
            .http1_only()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .user_agent(policy.user_agent.clone())
            .build()
            .map_err(|e| OutboundError::config(format!("HTTP client: {}", e.without_url())))?;
        Ok(Self { http, policy })
    }

    /// The policy this client enforces.
    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// `GET url`; any status is returned as a [`Response`].
    pub async fn get(&self, url: &str) -> Result<Response, OutboundError> {
        let url = parse(url)?;
        self.send(reqwest::Request::new(Method::GET, url)).await
    }

    /// `GET url` with `Accept: application/json`; a 2xx body parsed as `T`, other statuses
    /// are [`OutboundError::Status`].
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, OutboundError> {
        let url = parse(url)?;
        let mut request = reqwest::Request::new(Method::GET, url);
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        let response = self.send(request).await?;
        if !response.is_success() {
            return Err(OutboundError::Status {
                host: response.host,
                status: response.status,
            });
        }
        response.json()
    }

    /// `POST url` with an `application/x-www-form-urlencoded` body and, optionally, HTTP Basic
    /// credentials (sent as given: OAuth's form-encoding of client ids and secrets is the
    /// caller's business). Any status is returned as a [`Response`].
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic_auth: Option<(&str, &str)>,
    ) -> Result<Response, OutboundError> {
        let url = parse(url)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut builder = self.http.post(url).header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some((user, password)) = basic_auth {
            // reqwest marks the header sensitive.
            builder = builder.basic_auth(user, Some(password));
        }
        let request = builder
            .body(body)
            .build()
            .map_err(|_| OutboundError::InvalidUrl)?;
        self.send(request).await
    }

    /// Sends any request: the primitive for adapters (openidconnect's `AsyncHttpClient`, Web
    /// Push's prepared requests). Same checks, limits and redirect rules as the other methods.
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, OutboundError> {
        let request = reqwest::Request::try_from(request).map_err(|_| OutboundError::InvalidUrl)?;
        Ok(self.send(request).await?.into_http())
    }

    /// Checks, sends, follows redirects the policy allows, reads the body; all within the
    /// policy's total timeout.
    async fn send(&self, request: reqwest::Request) -> Result<Response, OutboundError> {
        let host = request.url().host_str().unwrap_or_default().to_owned();
        match tokio::time::timeout(self.policy.timeout, self.send_following(request)).await {
            Ok(result) => result,
            Err(_) => {
                tracing::info!(%host, "outbound request timed out");
                Err(OutboundError::Timeout { host })
            }
        }
    }

    async fn send_following(
        &self,
        mut request: reqwest::Request,
    ) -> Result<Response, OutboundError> {
        let mut hops = 0u8;
        loop {
            let follow = hops < self.policy.max_redirects
                && matches!(*request.method(), Method::GET | Method::HEAD);
            let retry = if follow { request.try_clone() } else { None };
            let from = request.url().clone();
            let response = self.send_once(request).await?;
            let (Some(mut next), true) = (retry, response.status.is_redirection()) else {
                return Ok(response);
            };
            let Some(target) = response
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| from.join(location).ok())
            else {
                return Ok(response);
            };
            if target.origin() != from.origin() {
                tracing::warn!(host = %response.host, "outbound redirect to another host refused");
                return Err(OutboundError::refused(Refusal::RedirectToOtherHost {
                    from: response.host,
                }));
            }
            *next.url_mut() = target;
            request = next;
            hops += 1;
        }
    }

    /// One request, no redirects: URL check, connection through the guarded resolver, peer
    /// check, body read under the cap.
    async fn send_once(&self, request: reqwest::Request) -> Result<Response, OutboundError> {
        let host = match self.policy.check_url(request.url()) {
            Ok(host) => host,
            Err(err) => {
                tracing::warn!(error = %err, "outbound request refused");
                return Err(err);
            }
        };
        // Method and host only: paths can be capabilities (push subscriptions, webhook
        // tokens), and the query string and headers can carry credentials.
        let span = tracing::info_span!(
            "outbound",
            method = %request.method(),
            host = %host,
        );
        async move {
            let started = Instant::now();
            let result = self.exchange(&host, request).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(response) => tracing::debug!(
                    status = response.status.as_u16(),
                    bytes = response.body.len(),
                    elapsed_ms,
                    "outbound request done"
                ),
                Err(err) if err.is_refused() => {
                    tracing::warn!(error = %err, elapsed_ms, "outbound request refused")
                }
                Err(err) => tracing::info!(error = %err, elapsed_ms, "outbound request failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn exchange(
        &self,
        host: &str,
        request: reqwest::Request,
    ) -> Result<Response, OutboundError> {
        let mut response = self
            .http
            .execute(request)
            .await
            .map_err(|e| from_reqwest(host, &e))?;
        // Belt and braces: the peer must be an address the policy allows.
        if let Some(peer) = response.remote_addr() {
            self.policy.check_ip(host, peer.ip())?;
        }
        let limit = self.policy.max_response_bytes;
        let too_large = || OutboundError::TooLarge {
            host: host.to_owned(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| from_reqwest(host, &e))? {
            if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: body.freeze(),
            host: host.to_owned(),
        })
    }
}

fn parse(url: &str) -> Result<Url, OutboundError> {
    Url::parse(url).map_err(|_| OutboundError::InvalidUrl)
}
