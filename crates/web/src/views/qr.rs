//! QR codes drawn on the server as SVG (`qrcodegen`, pure Rust), for adding an account to an
//! authenticator app. No image crate, no client-side script, nothing external: the page draws
//! one `<path>` whose data is built only from numbers, so the template needs no `|safe`.

use qrcodegen::{QrCode, QrCodeEcc};

/// White modules around the code, as the QR specification asks (4 modules).
const QUIET_ZONE: i32 = 4;

/// A QR code ready to draw: the side of the square in modules (quiet zone included) and the SVG
/// path of its dark modules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QrSvg {
    pub size: i32,
    pub path: String,
}

impl QrSvg {
    /// The code for `text` (medium error correction), or `None` when it is too long for a QR
    /// code (not for an `otpauth://` URL).
    pub fn encode(text: &str) -> Option<Self> {
        let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
        let inner = code.size();
        let mut path = String::new();
        for y in 0..inner {
            for x in 0..inner {
                if code.get_module(x, y) {
                    path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE));
                }
            }
        }
        Some(Self {
            size: inner + 2 * QUIET_ZONE,
            path,
        })
    }

    /// A standalone SVG document (for the JSON API).
    pub fn to_svg(&self) -> String {
        let size = self.size;
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">\
             <path fill=\"#fff\" d=\"M0,0h{size}v{size}H0z\"/>\
             <path fill=\"#000\" d=\"{}\"/></svg>",
            self.path
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otpauth_url_becomes_a_square_of_dark_modules() {
        let url = "otpauth://totp/BillTracker:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=BillTracker";
        let qr = QrSvg::encode(url).expect("fits");
        assert!(qr.size >= 21 + 8, "at least version 1 plus the quiet zone");
        assert!(qr.path.starts_with('M'));
        assert!(
            qr.path
                .bytes()
                .all(|b| b.is_ascii_digit() || b"Mhvz,-1".contains(&b)),
            "only numbers and path commands"
        );
        let svg = qr.to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!svg.contains("style"), "no inline styles under the CSP");
        assert!(QrSvg::encode(&"x".repeat(5000)).is_none());
    }
}
