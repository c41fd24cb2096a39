//! Typed links ([`web::links`]): each link is a route of the table, each browser route is a
//! link, and no page, view or template writes a route's path by hand (so renaming a route in
//! `links.rs` moves every link to it, and removing one is a compile error where it was used).

use std::path::{Path, PathBuf};

use regex::Regex;

/// The browser routes of the table: pages, forms and the provider sign-in flow.
fn browser_routes() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = web::router::route_specs()
        .into_iter()
        .map(|spec| spec.path)
        .filter(|path| {
            let provider_flow = path.starts_with("/api/auth/{provider}/");
            provider_flow
                || !(path.starts_with("/api/")
                    || path.starts_with("/static/")
                    || matches!(*path, "/healthz" | "/readyz" | "/metrics" | "/sw.js"))
        })
        .collect();
    paths.dedup();
    paths
}

#[test]
fn every_link_is_a_route_and_every_browser_route_a_link() {
    let routes = browser_routes();
    for link in web::links::ALL {
        assert!(routes.contains(link), "{link} is a link but no route");
    }
    for route in routes {
        assert!(
            web::links::ALL.contains(&route),
            "{route} is a browser route but not in links.rs"
        );
    }
}

/// Files under `dir` (recursively) whose name ends with `ext`.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(files(&path, ext));
        } else if path.to_string_lossy().ends_with(ext) {
            found.push(path);
        }
    }
    found
}

/// Whether `text` (a literal or an attribute value) is a link written by hand: a link's path,
/// alone or followed by a query or fragment, or a one-parameter template with anything in
/// the parameter's place.
fn hand_written(text: &str) -> bool {
    let path = text.split(['?', '#']).next().unwrap_or_default();
    web::links::ALL
        .iter()
        .any(|link| match link.split_once('{') {
            None => path == *link,
            Some((before, rest)) => {
                let after = rest.split_once('}').map_or("", |(_, after)| after);
                path.len() > before.len() + after.len()
                    && path.starts_with(before)
                    && path.ends_with(after)
            }
        })
}

#[test]
fn no_page_writes_a_route_by_hand() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let attribute =
        Regex::new(r#"(?:href|action|formaction|hx-[a-z]+|value)="(/[^"]*)""#).expect("regex");
    for template in files(&root.join("templates"), ".html") {
        let html = std::fs::read_to_string(&template).expect("read");
        for value in attribute.captures_iter(&html).map(|c| c[1].to_owned()) {
            if hand_written(&value) {
                found.push(format!("{}: {value}", template.display()));
            }
        }
    }
    let literal = Regex::new(r#""(/[^"\s]*)""#).expect("regex");
    let sources = [
        files(&root.join("src/pages"), ".rs"),
        files(&root.join("src/views"), ".rs"),
    ]
    .concat();
    for source in sources {
        if source.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&source).expect("read");
        // Tests assert on the pages' output, so they write paths out on purpose.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for value in literal.captures_iter(code).map(|c| c[1].to_owned()) {
            if hand_written(&value) {
                found.push(format!("{}: {value}", source.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths written by hand instead of through web::links:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_guard_sees_a_hand_written_link() {
    for text in [
        "/bills",
        "/bills?q=x",
        "/bills/abc/edit",
        "/",
        "/?notice=paid",
        "/profile/security#totp",
    ] {
        assert!(hand_written(text), "{text}");
    }
    for text in ["/api/bills", "/static/app.css", "/bills/", "/nowhere"] {
        assert!(!hand_written(text), "{text}");
    }
}
