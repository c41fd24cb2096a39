//! What the HTML page tests (`pages_*.rs`) share: reading a page as a browser would, posting a
//! no-JavaScript form with its CSRF token without following the redirect, and matching text
//! the way askama escapes it.

use reqwest::StatusCode;

use crate::support::Browser;

/// A page's status and HTML.
pub async fn fetch(browser: &Browser, path: &str) -> (StatusCode, String) {
    let response = browser.get(path).await;
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// The page's HTML, which must answer 200.
pub async fn page(browser: &Browser, path: &str) -> String {
    let (status, body) = fetch(browser, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// POSTs a form with the CSRF token, without following the redirect.
pub async fn post_form(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf_token", browser.csrf.as_str()));
    browser
        .client
        .post(browser.url(path))
        .form(&form)
        .send()
        .await
        .expect("post")
}

/// A response header as text (empty when absent).
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// POSTs a form with the CSRF token; returns the status, the `Location` and the body.
pub async fn submit(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = post_form(browser, path, fields).await;
    let (status, location) = (response.status(), header(&response, "location"));
    (status, location, response.text().await.expect("body"))
}

/// Text as askama writes it into HTML.
pub fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// `&` as the browser reads it in an attribute.
pub fn unescape_amp(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}
