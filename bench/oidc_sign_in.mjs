// OIDC sign-in timing: the real OpenID provider of the tests (tests/browser/oidc-op.mjs) and a
// BillTracker binary, both on loopback; N complete sign-ins, each in a fresh "browser"
// (cookie jar). Prints p50/p95 of BillTracker's two steps — the redirect to the provider
// (GET /api/auth/oidc/login: discovery) and the callback (discovery, token exchange, JWKS,
// ID-token validation, account lookup, session) — and of the whole round trip.
//
//   cargo build --release && node bench/oidc_sign_in.mjs [runs]
//   (BT_BIN picks another binary; needs `npm ci` in tests/browser once.)
//
// Figures only: nothing here passes or fails on time.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const BIN = process.env.BT_BIN || join(root, "target/release/billtracker");
const RUNS = Number(process.argv[2] || 50);
const PASSWORD = "bench passphrase for the oidc run 42";

function firstLine(child) {
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", done);
    child.once("exit", (code) => fail(new Error(`exited ${code}`)));
  });
}

/** A tiny cookie jar for one origin. */
class Jar {
  constructor() { this.cookies = new Map(); }
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "); }
}

async function get(url, jar) {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.take(response);
  return response;
}

const op = spawn("node", [join(root, "tests/browser/oidc-op.mjs")], { stdio: ["pipe", "pipe", "ignore"] });
const { issuer } = JSON.parse(await firstLine(op));
const port = 20000 + Math.floor(Math.random() * 20000);
const base = `http://localhost:${port}`;
const data = mkdtempSync(join(tmpdir(), "bt-oidc-bench-"));
const app = spawn(BIN, ["serve"], {
  stdio: ["ignore", "ignore", "ignore"],
  env: {
    ...process.env,
    DATA_DIR: data, LISTEN: `127.0.0.1:${port}`, LOG_FORMAT: "json", LOG_LEVEL: "warn",
    BOOTSTRAP_ADMIN_USERNAME: "root", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
    OUTBOUND_ALLOW_HOSTS: "127.0.0.1", OUTBOUND_ALLOW_HTTP_HOSTS: "127.0.0.1",
  },
});
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 200) throw new Error("the app did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  // A client at the provider, and the provider saved as the administrator would.
  const reg = await fetch(`${issuer}/reg`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [`${base}/api/auth/oidc/callback`], token_endpoint_auth_method: "client_secret_basic" }),
  }).then((r) => r.json());
  const admin = new Jar();
  let csrf = (await get(`${base}/api/auth/csrf-token`, admin).then((r) => r.json())).csrf_token;
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: admin.header() },
    body: JSON.stringify({ username: "root", password: PASSWORD }),
  });
  admin.take(login);
  csrf = (await login.json()).csrf_token;
  const saved = await fetch(`${base}/api/admin/sign-in-methods`, {
    method: "PUT", headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: admin.header() },
    body: JSON.stringify({
      local_enabled: true,
      oidc: { enabled: true, provider_name: "Bench OP", issuer_url: issuer, client_id: reg.client_id,
              client_secret: reg.client_secret, scopes: "openid email profile groups", auto_provision: true },
      github: {},
    }),
  });
  if (!saved.ok) throw new Error(`saving the provider: ${saved.status} ${await saved.text()}`);

  const start = [], callback = [], total = [];
  for (let run = 0; run < RUNS; run++) {
    const browser = new Jar();
    const provider = new Jar();
    const t0 = performance.now();
    const begun = await get(`${base}/api/auth/oidc/login`, browser);
    const t1 = performance.now();
    let url = new URL(begun.headers.get("location"));
    await fetch(`${issuer}/test/accounts`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: url.searchParams.get("state"), sub: `bench-${run % 5}`, email: `bench${run % 5}@example.test`, email_verified: true, name: "Bench", preferred_username: `bench${run % 5}`, groups: [] }),
    });
    while (!url.href.startsWith(base)) {
      const hop = await get(url, provider);
      url = new URL(hop.headers.get("location"), url);
    }
    const t2 = performance.now();
    const done = await get(url, browser);
    const t3 = performance.now();
    if (done.status !== 200 || !browser.cookies.get("bt_session")) throw new Error(`sign-in ${run}: ${done.status}`);
    start.push(t1 - t0); callback.push(t3 - t2); total.push(t3 - t0);
  }
  const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1); };
  console.log(`OIDC sign-in, ${RUNS} runs (ms)      p50     p95`);
  for (const [name, xs] of [["redirect to the provider", start], ["callback (token, keys, session)", callback], ["whole round trip", total]]) {
    console.log(`  ${name.padEnd(32)} ${pct(xs, 0.5).padStart(6)}  ${pct(xs, 0.95).padStart(6)}`);
  }
} finally {
  app.kill("SIGTERM");
  op.stdin.end();
  rmSync(data, { recursive: true, force: true });
}
