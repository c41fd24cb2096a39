// The browser-test harness: starts the real BillTracker binary on a fresh data directory and a
// free port, launches Debian's headless Chromium through playwright-core, and gives each test a
// page that records every Content-Security-Policy violation and script error. Also: axe-core
// checks, full-page screenshots at phone and desktop widths, and page weights.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const BIN = resolve(process.env.BT_BIN || "../../target/debug/billtracker");
export const ARTIFACTS = resolve(process.env.BT_ARTIFACTS || "../../target/browser-artifacts");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const PASSWORD = "correct horse battery staple 42";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * A running server on its own data directory, with `extraEnv` added to its environment. With
 * `watchLog`, its log is echoed and kept: `server.waitForLog(pattern)` finds a line in it (the
 * one-time setup link of a fresh instance).
 */
export async function startServer(extraEnv = {}, { watchLog = false } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "bt-browser-"));
  const port = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    LISTEN: `127.0.0.1:${port}`,
    LOG_LEVEL: process.env.BT_LOG_LEVEL || "warn",
    TRUSTED_PROXIES: "127.0.0.1",
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  const child = spawn(BIN, ["serve"], { env, stdio: ["ignore", watchLog ? "pipe" : "inherit", watchLog ? "pipe" : "inherit"] });
  const log = [];
  if (watchLog) {
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        log.push(chunk);
        process.stderr.write(chunk);
      });
    }
  }
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("server did not become ready in 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    dataDir,
    env,
    /** Everything the server logged so far (needs `watchLog`). */
    logText() {
      return log.join("");
    },
    /** The first match of `pattern` in the log, waiting up to 5 s (needs `watchLog`). */
    async waitForLog(pattern) {
      for (let tries = 0; tries < 50; tries += 1) {
        const match = log.join("").match(pattern);
        if (match) return match;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`not in the server log: ${pattern}`);
    },
    /** Creates an account with the CLI (the password goes through standard input). */
    createUser(username, displayName, admin = false) {
      const args = ["create-user", "--username", username, "--display-name", displayName];
      if (admin) args.push("--admin");
      const run = spawnSync(BIN, args, { env, input: `${PASSWORD}\n`, encoding: "utf8" });
      if (run.status !== 0) throw new Error(`create-user failed: ${run.stderr}`);
    },
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/**
 * A browser context whose pages report CSP violations (the `securitypolicyviolation` event and
 * Chromium's console report) and uncaught script errors into `problems`.
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const problems = [];
  await context.exposeBinding("__btReport", (_source, kind, text) => {
    problems.push(`${kind}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__btReport("csp", `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on("page", (page) => watch(page, problems));
  return { context, problems };
}

function watch(page, problems) {
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) problems.push(`csp-console: ${text}`);
    else if (message.type() === "error" && !/status of 4\d\d/.test(text)) problems.push(`console-error: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`script-error: ${error.message}`));
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}

/** Full-page screenshots of the current page at phone and desktop width. */
export async function screenshots(page, name) {
  mkdirSync(join(ARTIFACTS, "screenshots"), { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [["phone", PHONE], ["desktop", DESKTOP]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(ARTIFACTS, "screenshots", `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Writes a JSON artefact. */
export function writeArtifact(name, value) {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, name), `${JSON.stringify(value, null, 2)}\n`);
}

/** A tiny test runner: named async steps, run in order, failures collected. */
export class Suite {
  constructor() {
    this.tests = [];
  }
  test(name, fn) {
    this.tests.push({ name, fn });
  }
  /** Runs the tests in order; `BT_ONLY` (a pattern) runs only the tests whose name matches. */
  async run(context) {
    let failed = 0;
    const only = process.env.BT_ONLY ? new RegExp(process.env.BT_ONLY) : null;
    const chosen = this.tests.filter(({ name }) => !only || only.test(name));
    for (const { name, fn } of chosen) {
      const started = Date.now();
      try {
        await fn(context);
        console.log(`ok   ${name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed += 1;
        console.log(`FAIL ${name}\n     ${String(error && error.stack ? error.stack : error).split("\n").slice(0, 6).join("\n     ")}`);
      }
    }
    console.log(`\nbrowser tests: ${chosen.length - failed} passed, ${failed} failed`);
    return failed;
  }
}

/**
 * The client address a user's pages claim (X-Forwarded-For, believed because the test servers
 * trust 127.0.0.1 as a proxy): one per user, so the per-address sign-in limit (10 in 15
 * minutes) counts each person's sign-ins, as it would for people on their own devices.
 */
export function clientAddress(username) {
  let hash = 0;
  for (const c of username) hash = (hash * 31 + c.charCodeAt(0)) % 65_000;
  return `10.${1 + Math.floor(hash / 250)}.${hash % 250}.7`;
}

/** Signs `username` in with the form, from that user's own address; waits for the tracker. */
export async function signIn(page, base, username) {
  await page.setExtraHTTPHeaders({ "X-Forwarded-For": clientAddress(username) });
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${base}/`);
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
