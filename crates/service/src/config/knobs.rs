//! Every configuration knob, once: its environment name, default, whether it is a secret, and
//! what it does. The TOML key is the environment name in lower case. The configuration
//! reference (`docs/configuration.md`) is generated from this table and a test keeps the two
//! equal, so an undocumented knob cannot exist.

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Knob {
    /// Environment variable name; the TOML key is the same in lower case.
    pub env: &'static str,
    /// Default as it would be written in the environment; "" means unset.
    pub default: &'static str,
    /// Secrets are never printed, and may also be read from a file named by `<ENV>_FILE`.
    pub secret: bool,
    pub help: &'static str,
}

const fn knob(env: &'static str, default: &'static str, help: &'static str) -> Knob {
    Knob {
        env,
        default,
        secret: false,
        help,
    }
}

const fn secret(env: &'static str, help: &'static str) -> Knob {
    Knob {
        env,
        default: "",
        secret: true,
        help,
    }
}

pub const KNOBS: &[Knob] = &[
    knob(
        "LISTEN",
        "127.0.0.1:3030",
        "Address and port the HTTP server binds.",
    ),
    knob(
        "DATA_DIR",
        "./data",
        "Directory for the SQLite database, the generated key file and backups. Created with mode 0700; start-up refuses it if it is world-accessible.",
    ),
    secret(
        "DATABASE_URL",
        "Unset: embedded SQLite at `DATA_DIR/billtracker.db`. `postgres://user:pass@host/db` selects PostgreSQL (needed when several instances share one database).",
    ),
    knob(
        "DATABASE_MAX_CONNECTIONS",
        "4",
        "Connection pool size (1–500). Each SQLite connection has its own thread and page cache; on 2 cores 4 gave more throughput and less memory than 10 (bench/run.py). Raise it for PostgreSQL behind many concurrent clients.",
    ),
    knob(
        "DATABASE_BUSY_TIMEOUT_MS",
        "5000",
        "How long a request waits for a pooled connection or SQLite's write lock before answering 503.",
    ),
    knob(
        "SQLITE_SYNCHRONOUS",
        "full",
        "`full`: every commit is on disk before it is acknowledged. `normal`: faster, never corrupts, but a power cut may lose the last commits.",
    ),
    knob(
        "PUBLIC_URL",
        "",
        "The URL people use to reach BillTracker (e.g. `https://bills.example.org`). Used for links in emails, OIDC and WebAuthn: its host is the relying-party id of security keys and passkeys, and its origin the only one their answers are accepted from (changing the host later makes registered keys stop working). WebAuthn needs a domain name, not an IP address. Unset: derived from `LISTEN`, with `localhost` for a loopback or unspecified address (`http://localhost:3030`).",
    ),
    knob(
        "ALLOWED_HOSTS",
        "",
        "Comma-separated extra host names or IP addresses requests may be addressed to (the `Host` header), each as `host` (any port) or `host:port`, e.g. `bills.lan, 192.168.1.5:3030`. Requests for any other host are refused with 421, which defeats DNS-rebinding attacks; `/healthz` and `/readyz` answer to any host. Always allowed: the host of `PUBLIC_URL`; when `LISTEN` is a loopback address (or `0.0.0.0`/`::` with `PUBLIC_URL` unset) also `localhost`, `127.0.0.1` and `[::1]` at any port. No wildcards. Forms and API calls from a browser are accepted from these hosts' origins (with the scheme `HTTPS` implies), from `PUBLIC_URL` and from `CORS_ORIGIN`.",
    ),
    knob(
        "HTTPS",
        "false",
        "`true` when users reach the app over HTTPS (directly or through a proxy): Secure cookies, `__Host-` cookie names and HSTS. `false` is for plain-HTTP LAN or development use.",
    ),
    knob(
        "COOKIE_SECURE",
        "",
        "Force the Secure flag on the session cookie on or off. Unset: follows `HTTPS`.",
    ),
    knob(
        "CSRF_HTTP_ONLY",
        "true",
        "Whether the CSRF cookie is HttpOnly. Set `false` only for custom clients that read the cookie instead of calling `GET /api/auth/csrf-token`.",
    ),
    knob(
        "CSRF_SAME_SITE",
        "strict",
        "SameSite attribute of the CSRF cookie: `strict`, `lax` or `none` (`none` needs Secure).",
    ),
    knob(
        "CSRF_SECURE",
        "",
        "Force the Secure flag on the CSRF cookie. Unset: follows `COOKIE_SECURE`.",
    ),
    knob(
        "CSRF_COOKIE_NAME",
        "bt_csrf_token",
        "Name of the CSRF cookie (prefixed `__Host-` when HTTPS is on).",
    ),
    knob(
        "CORS_ORIGIN",
        "",
        "One origin (e.g. `https://app.example.org`) allowed to call the API from a browser with credentials. Unset: CORS is closed.",
    ),
    knob(
        "TRUSTED_PROXIES",
        "",
        "Comma-separated IPs or CIDR ranges of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed. Unset: the peer address is the client.",
    ),
    knob(
        "OUTBOUND_ALLOW_HOSTS",
        "",
        "Comma-separated host names, IPs or CIDR ranges that outbound requests (OIDC provider, later bank sync, webhooks, push) may reach although they are loopback, private, link-local, CGNAT or otherwise not public, e.g. an internal identity provider `idp.lan` or `10.0.0.0/8`. A name is matched exactly and may then resolve to any such address. Unset: only public addresses are reached; unspecified, multicast and broadcast addresses never are.",
    ),
    knob(
        "OUTBOUND_ALLOW_HTTP_HOSTS",
        "",
        "Comma-separated host names (or IPs / CIDR ranges, matching IP-literal URLs) that outbound requests may reach over plain `http://`. Unset: HTTPS only. A private host also needs `OUTBOUND_ALLOW_HOSTS`.",
    ),
    knob(
        "OUTBOUND_CA_FILE",
        "",
        "PEM file of CA certificates trusted for outbound HTTPS in addition to the bundled Mozilla roots, for a self-hosted provider with its own CA. Read at start-up. Unset: a server whose certificate does not chain to a public root is refused.",
    ),
    knob(
        "OIDC_PROVIDER_NAME",
        "",
        "Name on the \"Sign in with …\" button. Unset: `Single sign-on`. Like every `OIDC_*` and `GITHUB_*` knob, used only until an administrator saves the sign-in methods on the admin page (Admin → Sign-in methods); from then on the saved settings win, except that a client secret left empty there falls back to the environment's.",
    ),
    knob(
        "OIDC_ISSUER_URL",
        "",
        "Issuer URL of an OpenID Connect provider (e.g. `https://auth.example.org/application/o/billtracker/`). Discovery must report exactly this issuer. With `OIDC_CLIENT_ID` set it turns OIDC sign-in on. Reached through the outbound client: HTTPS and a public address unless allowed by `OUTBOUND_ALLOW_*`.",
    ),
    knob(
        "OIDC_CLIENT_ID",
        "",
        "Client id BillTracker is registered under at the provider.",
    ),
    secret(
        "OIDC_CLIENT_SECRET",
        "Client secret for the provider's token endpoint (also `OIDC_CLIENT_SECRET_FILE`). Secrets saved on the admin page are stored encrypted instead.",
    ),
    knob(
        "OIDC_TOKEN_AUTH_METHOD",
        "client_secret_basic",
        "How the client secret is sent to the token endpoint: `client_secret_basic` (HTTP Basic) or `client_secret_post` (form fields).",
    ),
    knob(
        "OIDC_REDIRECT_URI",
        "",
        "Callback URL registered at the provider. Unset: `PUBLIC_URL` + `/api/auth/oidc/callback`.",
    ),
    knob(
        "OIDC_SCOPES",
        "openid email profile",
        "Space-separated scopes to ask for; `openid` is always included. Add `groups` (or your provider's scope) for `OIDC_ADMIN_GROUP`.",
    ),
    knob(
        "OIDC_ADMIN_GROUP",
        "",
        "Group (from the `groups` claim) whose members are administrators; others signing in through OIDC are regular users. Unset: sign-in never changes roles.",
    ),
    knob(
        "OIDC_AUTO_PROVISION",
        "false",
        "`true`: someone the provider vouches for gets a new account at their first sign-in. `false`: only people whose identity is already linked to an account (or who may be linked by email) can sign in.",
    ),
    knob(
        "OIDC_LINK_VERIFIED_EMAIL",
        "false",
        "`true`: a first OIDC sign-in whose email the provider marks verified is linked to the existing account with that email (never to an account that already has another identity from the same provider). `false`: no linking by email.",
    ),
    knob(
        "GITHUB_CLIENT_ID",
        "",
        "Client id of a GitHub OAuth app; with `GITHUB_CLIENT_SECRET` it turns \"Sign in with GitHub\" on. The app's callback URL is `PUBLIC_URL` + `/api/auth/github/callback`.",
    ),
    secret(
        "GITHUB_CLIENT_SECRET",
        "Client secret of the GitHub OAuth app (also `GITHUB_CLIENT_SECRET_FILE`).",
    ),
    knob(
        "GITHUB_AUTO_PROVISION",
        "false",
        "`true`: a GitHub user with a verified primary email gets a new account at their first sign-in.",
    ),
    knob(
        "OUTBOUND_CONNECT_TIMEOUT_SECONDS",
        "5",
        "Time an outbound request may take to connect (1–300).",
    ),
    knob(
        "OUTBOUND_TIMEOUT_SECONDS",
        "15",
        "Time an outbound request may take in all, from name resolution to the last byte of the answer (1–600).",
    ),
    knob(
        "OUTBOUND_MAX_RESPONSE_BYTES",
        "1048576",
        "Largest answer body an outbound request reads (1024–1073741824); a larger one is an error.",
    ),
    secret(
        "TOKEN_ENCRYPTION_KEY",
        "Master key for field encryption: 64 hex characters (32 bytes), or any text of at least 32 bytes. Unset: a key is generated into `DATA_DIR/master.key` (mode 0600) on first start. Never stored in the database.",
    ),
    secret(
        "TOKEN_ENCRYPTION_KEY_PREVIOUS",
        "During a key rotation with `TOKEN_ENCRYPTION_KEY`: the old key, accepted for decryption only. Run `billtracker rotate-keys`, then remove it.",
    ),
    knob(
        "BANK_SYNC_ENABLED",
        "false",
        "Whether users may connect a SimpleFIN Bridge and have their bank transactions synced (`true`/`false`), until an administrator sets it on the Administration page (which then wins). Off: connecting and syncing are refused and the background sync does not run; stored connections stay.",
    ),
    knob(
        "BANK_SYNC_INTERVAL_HOURS",
        "4",
        "How often the background bank sync runs (1–24 hours), until an administrator sets it on the Administration page. A run skips connections synced within the last hour, and no connection is asked more than 24 times a day (the Bridge's quota).",
    ),
    knob(
        "SESSION_CLEANUP_INTERVAL_MS",
        "3600000",
        "How often expired sessions and rate-limit windows are deleted, in milliseconds (at least 1000).",
    ),
    knob(
        "SESSION_IDLE_TIMEOUT_MINUTES",
        "120",
        "A session unused for this long ends (1–10080).",
    ),
    knob(
        "SESSION_LIFETIME_DAYS",
        "7",
        "A session ends this long after sign-in, however active (1–90).",
    ),
    knob(
        "REQUEST_BODY_LIMIT_BYTES",
        "1048576",
        "Largest request body accepted (larger gets 413). Imports have their own limit.",
    ),
    knob(
        "REQUEST_TIMEOUT_SECONDS",
        "30",
        "A request taking longer is answered 408 and abandoned.",
    ),
    knob(
        "SHUTDOWN_GRACE_SECONDS",
        "10",
        "On SIGTERM/SIGINT, how long in-flight requests may finish before the process exits.",
    ),
    knob(
        "METRICS",
        "off",
        "Prometheus metrics at `/metrics`: `off` (404), `on` (open: only behind a private network), or `token` (needs `Authorization: Bearer <METRICS_TOKEN>`).",
    ),
    secret(
        "METRICS_TOKEN",
        "Bearer token for `/metrics` when `METRICS=token` (at least 16 characters).",
    ),
    knob(
        "LOG_FORMAT",
        "auto",
        "`json` (one JSON object per line), `pretty` (human), or `auto`: pretty on a terminal, JSON otherwise.",
    ),
    knob(
        "LOG_LEVEL",
        "info",
        "Log filter, e.g. `info`, `debug`, or `info,sqlx=warn`.",
    ),
    knob(
        "BOOTSTRAP_ADMIN_USERNAME",
        "",
        "Username of the administrator created at first start (with `BOOTSTRAP_ADMIN_PASSWORD`). Unset: a one-time setup link is written to the log instead.",
    ),
    secret(
        "BOOTSTRAP_ADMIN_PASSWORD",
        "Password of the bootstrap administrator (password policy applies).",
    ),
    knob(
        "SINGLE_USER_MODE",
        "false",
        "`true` attaches every request to `SINGLE_USER_USERNAME` without sign-in. Only for trusted private networks; never grants admin.",
    ),
    knob(
        "SINGLE_USER_USERNAME",
        "",
        "The regular user attached in single-user mode (created when missing).",
    ),
];

/// The knob named `env`, if any.
pub fn find(env: &str) -> Option<&'static Knob> {
    KNOBS.iter().find(|k| k.env == env)
}

/// The configuration reference in Markdown, as committed at `docs/configuration.md`.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Configuration reference\n\n\
         Generated from `crates/service/src/config/knobs.rs` by `billtracker config-reference`; \
         a test fails when this file and the code disagree.\n\n\
         Sources, later wins: built-in defaults → the TOML file named by `--config` or \
         `CONFIG_FILE` (keys are the names below in lower case, e.g. `listen = \"0.0.0.0:3030\"`) \
         → environment variables. Secrets can also come from a file: `<NAME>_FILE=/run/secrets/x` \
         (in TOML: `<name>_file`). An unknown key in the file, or any invalid value, stops \
         start-up with a message naming the key. Secret values are never printed.\n\n\
         | Name | Default | Secret | Meaning |\n|---|---|---|---|\n",
    );
    for knob in KNOBS {
        let default = if knob.default.is_empty() {
            "(unset)".to_owned()
        } else {
            format!("`{}`", knob.default)
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            knob.env,
            default,
            if knob.secret { "yes" } else { "" },
            knob.help
        ));
    }
    out
}
