// OIDC sign-in timing: the real OpenID provider of the tests (tests/browser/oidc-op.mjs) and a
// BillTracker binary, both on loopback; N complete sign-ins, each in a fresh "browser"
// (cookie jar). Prints p50/p95 of BillTracker's two steps — the redirect to the provider
// (GET /api/auth/oidc/login: discovery) and the callback (discovery, token exchange, JWKS,
// ID-token validation, account lookup, session) — and of the whole round trip.
//
//   cargo build --release && node bench/oidc_sign_in.mjs [runs]
//   (BT_BIN picks another binary; needs `npm ci` in tests/browser once.)
//
// The OIDC rate limit (20 requests per 15 minutes per address, two per sign-in) allows 10
// sign-ins per app instance, so the runs go in batches of 10, each against a fresh instance.
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
const BATCH = 10;
const PASSWORD = "bench passphrase for the oidc run 42";

function firstLine(child) {
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout }).once("line", done);
    child.once("exit", (code) => fail(new Error(`exited ${code}`)));
  });
}

/** A tiny cookie jar for one site. */
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

async function json(url, method, body, headers = {}) {
  return fetch(url, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** A fresh app instance with the provider configured by its administrator. */
async function startApp(issuer) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://localhost:${port}`;
  const data = mkdtempSync(join(tmpdir(), "bt-oidc-bench-"));
  const child = spawn(BIN, ["serve"], {
    stdio: ["ignore", "ignore", "ignore"],
    env: {
      ...process.env,
      DATA_DIR: data, LISTEN: `127.0.0.1:${port}`, LOG_FORMAT: "json", LOG_LEVEL: "warn",
      BOOTSTRAP_ADMIN_USERNAME: "root", BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
      OUTBOUND_ALLOW_HOSTS: "127.0.0.1", OUTBOUND_ALLOW_HTTP_HOSTS: "127.0.0.1",
    },
  });
  const stop = () => { child.kill("SIGTERM"); rmSync(data, { recursive: true, force: true }); };
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
      if (i > 200) throw new Error("the app did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const reg = await json(`${issuer}/reg`, "POST", {
      redirect_uris: [`${base}/api/auth/oidc/callback`], token_endpoint_auth_method: "client_secret_basic",
    }).then((r) => r.json());
    const admin = new Jar();
    const csrf = (await get(`${base}/api/auth/csrf-token`, admin).then((r) => r.json())).csrf_token;
    const login = await json(`${base}/api/auth/login`, "POST", { username: "root", password: PASSWORD },
      { "x-csrf-token": csrf, cookie: admin.header() });
    admin.take(login);
    const session = (await login.json()).csrf_token;
    const saved = await json(`${base}/api/admin/sign-in-methods`, "PUT", {
      local_enabled: true,
      oidc: { enabled: true, provider_name: "Bench OP", issuer_url: issuer, client_id: reg.client_id,
              client_secret: reg.client_secret, scopes: "openid email profile groups", auto_provision: true },
      github: {},
    }, { "x-csrf-token": session, cookie: admin.header() });
    if (!saved.ok) throw new Error(`saving the provider: ${saved.status} ${await saved.text()}`);
    return { base, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** One whole sign-in in a fresh browser: [start, callback, total] in ms. */
async function signIn(base, issuer, run) {
  const browser = new Jar();
  const provider = new Jar();
  const t0 = performance.now();
  const begun = await get(`${base}/api/auth/oidc/login`, browser);
  if (begun.status !== 303) throw new Error(`starting sign-in ${run}: ${begun.status}`);
  const t1 = performance.now();
  let url = new URL(begun.headers.get("location"));
  const who = run % 5;
  await json(`${issuer}/test/accounts`, "POST", {
    state: url.searchParams.get("state"), sub: `bench-${who}`, email: `bench${who}@example.test`,
    email_verified: true, name: "Bench", preferred_username: `bench${who}`, groups: [],
  });
  while (!url.href.startsWith(base)) {
    const hop = await get(url, provider);
    url = new URL(hop.headers.get("location"), url);
  }
  const t2 = performance.now();
  const done = await get(url, browser);
  const t3 = performance.now();
  if (done.status !== 200 || !browser.cookies.get("bt_session")) throw new Error(`sign-in ${run}: ${done.status}`);
  return [t1 - t0, t3 - t2, t3 - t0];
}

const op = spawn("node", [join(root, "tests/browser/oidc-op.mjs")], { stdio: ["pipe", "pipe", "ignore"] });
const { issuer } = JSON.parse(await firstLine(op));
const samples = [[], [], []];
try {
  for (let done = 0; done < RUNS; done += BATCH) {
    const { base, stop } = await startApp(issuer);
    try {
      for (let run = done; run < Math.min(RUNS, done + BATCH); run++) {
        (await signIn(base, issuer, run)).forEach((ms, i) => samples[i].push(ms));
      }
    } finally {
      stop();
    }
  }
} finally {
  op.stdin.end();
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1); };
console.log(`OIDC sign-in, ${RUNS} runs (ms)          p50     p95`);
["redirect to the provider", "callback (token, keys, session)", "whole round trip"].forEach((name, i) => {
  console.log(`  ${name.padEnd(32)} ${pct(samples[i], 0.5).padStart(6)}  ${pct(samples[i], 0.95).padStart(6)}`);
});
