//! Static files (stylesheet, scripts, icons, web-app manifest, offline page) embedded in the
//! binary and served at `/static/{*path}`, plus the service worker at `/sw.js` (a worker's scope
//! is its own directory, so it must live at the root to cover the app).
//!
//! `app.css` is one stylesheet made of the design system and every area's rules, concatenated
//! at compile time: pages swapped in by htmx keep the `<head>` of the first page, so no page
//! may depend on a stylesheet of its own. htmx is vendored (`htmx-<version>.min.js`, 0BSD
//! licence) and served from the binary, never from a CDN.
//!
//! Invariants:
//! - Only the files in [`ASSETS`] can be served. The lookup is an exact match on the request
//!   path against that fixed table and there is no filesystem access at all, so traversal
//!   (`..`, `%2e%2e`), the database (`data.db`), secrets (`.env`) or `.git/HEAD` can never be
//!   reached: anything else is a bare 404, which `observe` dresses as problem+json.
//! - Every file has a strong ETag computed once from its bytes; a matching `If-None-Match`
//!   gets `304 Not Modified`.
//! - Text files (stylesheet, scripts, SVG, manifest, offline page) are gzipped once, at first
//!   use, and sent gzipped to clients that accept it (`Vary: Accept-Encoding`; the gzipped
//!   variant has its own ETag). Only these fixed public files are compressed, never pages,
//!   which carry secrets next to reflected input (BREACH).
//! - Assets are not versioned in their URLs yet, so they are cached for an hour
//!   (`public, max-age=3600`) rather than marked immutable.
//!
//! The ETag is the 64-bit FNV-1a hash of the bytes in hex: the web crate does not depend on a
//! SHA-2 implementation, and an ETag only has to change when the content does (it is not a
//! security boundary).

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    /// The path under `/static/`, without a leading slash.
    path: &'static str,
    /// The `Content-Type`, with a charset for text.
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every file that can be served. Adding a file means adding a line here.
const ASSETS: &[Asset] = &[
    Asset {
        path: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: STYLESHEET.as_bytes(),
    },
    Asset {
        path: "htmx-2.0.11.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/htmx-2.0.11.min.js"),
    },
    Asset {
        path: "manifest.webmanifest",
        content_type: "application/manifest+json",
        bytes: include_bytes!("../static/manifest.webmanifest"),
    },
    Asset {
        path: "offline.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../static/offline.html"),
    },
    Asset {
        path: "icon-192.png",
        content_type: "image/png",
        bytes: include_bytes!("../static/icon-192.png"),
    },
    Asset {
        path: "icon-512.png",
        content_type: "image/png",
        bytes: include_bytes!("../static/icon-512.png"),
    },
    Asset {
        path: "icon-maskable-512.png",
        content_type: "image/png",
        bytes: include_bytes!("../static/icon-maskable-512.png"),
    },
    Asset {
        path: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/app.js"),
    },
    Asset {
        path: "webauthn.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/webauthn.js"),
    },
    Asset {
        path: "icons.svg",
        content_type: "image/svg+xml; charset=utf-8",
        bytes: include_bytes!("../static/icons.svg"),
    },
    Asset {
        path: "favicon.svg",
        content_type: "image/svg+xml; charset=utf-8",
        bytes: include_bytes!("../static/favicon.svg"),
    },
];

/// The one stylesheet: the design system, then each area's rules.
const STYLESHEET: &str = concat!(
    include_str!("../static/app.css"),
    include_str!("../static/bills.css"),
    include_str!("../static/money.css"),
    include_str!("../static/analytics.css"),
    include_str!("../static/admin.css"),
    include_str!("../static/tracker.css"),
);

/// The service worker's source (served at `/sw.js`).
const SERVICE_WORKER: &[u8] = include_bytes!("../static/sw.js");

/// Cache lifetime for assets; short because their URLs do not carry a version yet.
const CACHE_CONTROL: &str = "public, max-age=3600";

/// The quoted strong ETag of each entry of [`ASSETS`], in the same order.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| format!("\"{:016x}\"", fnv1a_64(asset.bytes)))
        .collect()
});

/// The gzipped bytes of each entry of [`ASSETS`] (same order), for text files that shrink.
static GZIPPED: LazyLock<Vec<Option<Vec<u8>>>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let text = asset.content_type.starts_with("text/")
                || asset.content_type.contains("svg")
                || asset.content_type.contains("manifest");
            text.then(|| gzip(asset.bytes))
                .flatten()
                .filter(|gz| gz.len() < asset.bytes.len())
        })
        .collect()
});

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// Whether the client accepts gzip (`Accept-Encoding: gzip`, not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused =
                parts.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// The paths under `/static/` that are served (for tests and link checks).
pub fn asset_paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|asset| asset.path)
}

/// `GET /static/{*path}`: the embedded file, `304` when the client's copy is current, or `404`.
pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|asset| asset.path == path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let asset = &ASSETS[index];
    let gzipped = GZIPPED[index].as_deref().filter(|_| accepts_gzip(&headers));
    let etag = match gzipped {
        Some(_) => format!("{}-gz\"", ETAGS[index].trim_end_matches('"')),
        None => ETAGS[index].clone(),
    };
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = HeaderValue::from_static(CACHE_CONTROL);
    let vary = HeaderValue::from_static("accept-encoding");

    if none_match(&headers, &etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let h = response.headers_mut();
        h.insert(header::ETAG, etag_value);
        h.insert(header::CACHE_CONTROL, cache);
        h.insert(header::VARY, vary);
        return response;
    }

    let mut response = match gzipped {
        Some(bytes) => Response::new(Body::from(bytes.to_vec())),
        None => Response::new(Body::from(asset.bytes)),
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    if gzipped.is_some() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::ETAG, etag_value);
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(header::VARY, vary);
    response
}

/// `GET /sw.js`: the service worker, revalidated on every check so an update takes effect at
/// once (browsers also bypass the HTTP cache for worker scripts after 24 hours).
pub async fn service_worker() -> Response {
    let mut response = Response::new(Body::from(SERVICE_WORKER));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Whether `If-None-Match` names `etag` (or `*`). RFC 9110 §13.1.2 uses the weak comparison
/// here, so a `W/` prefix is ignored.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| {
            candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
        })
}

/// 64-bit FNV-1a: a fast, stable content hash for ETags.
fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests;
