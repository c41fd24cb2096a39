//! Static files: the embedded table, ETags, gzip, caching headers.

use super::*;

async fn get(path: &str, if_none_match: Option<&str>) -> Response {
    let mut headers = HeaderMap::new();
    if let Some(tag) = if_none_match {
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tag).unwrap());
    }
    serve(Path(path.to_owned()), headers).await
}

fn header_of(response: &Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn body_of(response: Response) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn the_stylesheet_is_served_with_its_type_etag_and_cache_policy() {
    let response = get("app.css", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/css; charset=utf-8"
    );
    let etag = header_of(&response, header::ETAG);
    assert!(
        etag.len() == 18 && etag.starts_with('"') && etag.ends_with('"'),
        "{etag}"
    );
    assert_eq!(
        header_of(&response, header::CACHE_CONTROL),
        "public, max-age=3600"
    );
    let body = body_of(response).await;
    assert!(body.starts_with(include_bytes!("../../static/app.css")));
    assert!(body.ends_with(include_bytes!("../../static/tracker.css")));
}

#[tokio::test]
async fn every_listed_asset_is_served_with_a_content_type() {
    for path in asset_paths() {
        let response = get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(!header_of(&response, header::CONTENT_TYPE).is_empty());
        assert!(!body_of(response).await.is_empty(), "{path}");
    }
    let script = get("app.js", None).await;
    assert_eq!(
        header_of(&script, header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    let sprite = get("icons.svg", None).await;
    assert_eq!(
        header_of(&sprite, header::CONTENT_TYPE),
        "image/svg+xml; charset=utf-8"
    );
}

#[test]
fn different_files_have_different_etags() {
    let tags: std::collections::HashSet<String> = ETAGS.iter().cloned().collect();
    assert_eq!(tags.len(), ASSETS.len());
}

async fn get_gzip(path: &str, if_none_match: Option<&str>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("br;q=1.0, gzip;q=0.8, deflate"),
    );
    if let Some(tag) = if_none_match {
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tag).unwrap());
    }
    serve(Path(path.to_owned()), headers).await
}

#[tokio::test]
async fn text_files_go_gzipped_to_clients_that_accept_it() {
    use std::io::Read;
    let plain = get("htmx-2.0.11.min.js", None).await;
    let zipped = get_gzip("htmx-2.0.11.min.js", None).await;

    assert_eq!(header_of(&zipped, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header_of(&zipped, header::VARY), "accept-encoding");
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert_ne!(
        header_of(&plain, header::ETAG),
        header_of(&zipped, header::ETAG)
    );
    let etag = header_of(&zipped, header::ETAG);
    let original = body_of(plain).await;
    let compressed = body_of(zipped).await;
    assert!(
        compressed.len() * 2 < original.len(),
        "{} of {}",
        compressed.len(),
        original.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, original);
    assert_eq!(
        get_gzip("htmx-2.0.11.min.js", Some(&etag)).await.status(),
        StatusCode::NOT_MODIFIED
    );
    let png = get_gzip("icon-192.png", None).await;
    assert_eq!(
        header_of(&png, header::CONTENT_ENCODING),
        "",
        "images are not recompressed"
    );
    let mut refused = HeaderMap::new();
    refused.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("gzip;q=0, identity"),
    );
    let identity = serve(Path("app.css".to_owned()), refused).await;
    assert_eq!(header_of(&identity, header::CONTENT_ENCODING), "");
}

#[tokio::test]
async fn a_current_copy_gets_not_modified_without_a_body() {
    let etag = header_of(&get("app.js", None).await, header::ETAG);

    let response = get("app.js", Some(&etag)).await;

    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&response, header::ETAG), etag);
    assert!(body_of(response).await.is_empty());
}

#[tokio::test]
async fn if_none_match_lists_weak_tags_and_wildcards_match() {
    let etag = header_of(&get("app.css", None).await, header::ETAG);

    let listed = get("app.css", Some(&format!("\"other\", W/{etag}"))).await;
    let wildcard = get("app.css", Some("*")).await;

    assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(wildcard.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_stale_copy_gets_the_file_again() {
    let response = get("app.css", Some("\"0000000000000000\"")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(!body_of(response).await.is_empty());
}

#[tokio::test]
async fn traversal_and_unknown_names_are_not_found() {
    for path in [
        "",
        "..",
        "../Cargo.toml",
        "../src/lib.rs",
        "%2e%2e/Cargo.toml",
        "..%2fCargo.toml",
        "./app.css",
        "/app.css",
        "app.css/",
        "APP.CSS",
        "app.css\0",
        "static/app.css",
        "data.db",
        "billtracker.db",
        "billtracker.db-wal",
        ".env",
        ".git/HEAD",
        "backups/latest.tar",
        "missing.js",
    ] {
        let response = get(path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path:?}");
        assert!(body_of(response).await.is_empty(), "{path:?}");
    }
}

/// The custom properties set in the CSS block opened by `selector`.
fn palette(css: &str, selector: &str) -> Vec<String> {
    let start = css.find(selector).unwrap() + selector.len();
    css[start..]
        .lines()
        .map(str::trim)
        .take_while(|line| *line != "}")
        .flat_map(|line| line.split(';'))
        .map(str::trim)
        .filter(|decl| !decl.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_system_and_chosen_dark_palettes_are_identical() {
    let css = std::str::from_utf8(include_bytes!("../../static/app.css")).unwrap();

    let system = palette(css, ":root:not([data-theme=\"light\"]) {");
    let chosen = palette(css, ":root[data-theme=\"dark\"] {");

    assert!(system.len() > 20, "{system:?}");
    assert_eq!(system, chosen);
}

#[test]
fn fnv1a_matches_the_reference_vectors() {
    assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
}
