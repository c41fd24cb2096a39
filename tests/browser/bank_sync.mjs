// Browser test of bank sync (issue 16), as a person does it: a bill and its merchant rule; the
// local SimpleFIN Bridge (the testkit example, run as a process) holding a checking account
// with the bill's payment; on the bank-sync page, connect with a setup token, see the accounts
// and their balances, monitor checking into a new account, sync now, and see the bill paid on
// the tracker from the matched transaction. The page passes axe with no CSP violation, and no
// page shows the access URL. The server runs on its own with bank sync on, allowed to reach
// the loopback Bridge over plain HTTP. Registered by run.mjs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { BIN, Suite, assert, axe, launchBrowser, newContext, signIn, startServer } from "./harness.mjs";

/** The Bridge example's binary: `BT_BRIDGE_BIN`, else next to the server's binary. */
const BRIDGE_BIN = process.env.BT_BRIDGE_BIN || join(dirname(BIN), "examples", "simplefin_bridge");

/** Starts the local Bridge with no generated data; its base URL, first setup token and stop. */
async function startBridge() {
  if (!existsSync(BRIDGE_BIN)) {
    throw new Error(`${BRIDGE_BIN} is missing: cargo build -p testkit --example simplefin_bridge`);
  }
  const child = spawn(BRIDGE_BIN, ["--port", "0", "--accounts", "0", "--transactions", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => ok(JSON.parse(line)));
    child.once("exit", (code) => fail(new Error(`the bridge exited with ${code}`)));
  });
  const control = async (path, body) => {
    const response = await fetch(`${first.base_url}/_control/connections/${first.connection}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert(response.ok, `bridge control ${path}: ${response.status}`);
  };
  return {
    ...first,
    control,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
    },
  };
}

/** Calls the JSON API from the signed-in page; the status and body. */
async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const token = (await (await fetch("/api/auth/csrf-token")).json()).csrf_token;
      const response = await fetch(path, {
        method,
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    { method, path, body },
  );
}

function todayIso() {
  const now = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

export function bankSyncTests(suite) {
  suite.test("bank_sync: connect with a setup token, monitor an account, sync now, see the bill paid", async ({ t }) => {
    const bridge = await startBridge();
    const server = await startServer({
      BANK_SYNC_ENABLED: "true",
      OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
      OUTBOUND_ALLOW_HTTP_HOSTS: "127.0.0.1",
      LOG_LEVEL: "info",
    }, { watchLog: true });
    const { context, problems } = await newContext(t.browser);
    try {
      await bridge.control("accounts", { id: "acct-chk", name: "Everyday Checking", balance: "960.00" });
      await bridge.control("transactions", { account_id: "acct-chk", id: "t-power", amount: "-40.00", description: "POWER CO 1234" });
      server.createUser("sam", "Sam");
      const base = server.base;
      const page = await context.newPage();
      const failures = [];
      await signIn(page, base, "sam");
      const today = todayIso();
      const bill = await api(page, "POST", "/api/bills", { name: "Power Co", expected_amount: "40.00", currency: "USD", anchor_date: today, due_day: Number(today.slice(8)) });
      assert(bill.status === 201, `bill made: ${bill.status}`);
      const rule = await api(page, "POST", "/api/merchant-rules", { bill_id: bill.body.id, payee_text: "POWER CO" });
      assert(rule.status === 201, `rule made: ${rule.status} ${JSON.stringify(rule.body)}`);

      await page.goto(`${base}/bank-sync`);
      for (const v of await axe(page)) failures.push(`empty: ${v}`);
      await page.getByLabel("Setup token").fill(bridge.setup_token);
      await page.getByLabel("Name (optional)").fill("My bank");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await page.getByText("Connected.").waitFor();
      let main = await page.textContent("main");
      assert(main.includes("Everyday Checking") && main.includes("$960.00"), "the account and its balance are shown");
      assert(main.includes("OK, not synced yet"), "the health says it has not synced yet");
      for (const v of await axe(page)) failures.push(`connected: ${v}`);

      await page.getByLabel("Sync Everyday Checking").check();
      await page.getByLabel("Into bank account for Everyday Checking").selectOption({ label: "New account" });
      await page.getByRole("button", { name: "Save Everyday Checking" }).click();
      await page.getByText("Saved.").waitFor();
      await page.getByRole("button", { name: /^Sync now/ }).click();
      await page.getByText("Synced.").waitFor();
      main = await page.textContent("main");
      assert(main.includes("OK, last synced"), "the health says when it synced");
      for (const v of await axe(page)) failures.push(`synced: ${v}`);
      const html = await page.content();
      assert(!html.includes("/simplefin") && !html.includes(`${bridge.base_url.replace("http://", "")}/`), "no access URL on the page");

      await page.goto(`${base}/`);
      const badge = (await page.locator("tr", { hasText: "Power Co" }).locator(".badge").first().textContent()).trim();
      assert(badge === "Paid", `the tracker shows the bill paid from the synced transaction: ${badge}`);
      await page.goto(`${base}/transactions`);
      assert((await page.textContent("main")).includes("POWER CO 1234"), "the synced transaction is listed");

      // The access URL (http://user:pass@host/simplefin) is in no log line either.
      const logged = server.logText();
      assert(logged.length > 0, "the server log was captured");
      assert(!logged.includes("/simplefin") && !logged.includes("@127.0.0.1") && !/basic\s+[a-z0-9+/=]{8,}/i.test(logged), "no access URL or credentials in the server log");

      assert(failures.length === 0, failures.join("\n"));
      assert(problems.length === 0, problems.join("\n"));
    } finally {
      await context.close();
      await server.stop();
      await bridge.stop();
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const suite = new Suite();
  bankSyncTests(suite);
  const browser = await launchBrowser();
  const failed = await suite.run({ t: { browser } });
  await browser.close();
  process.exit(failed === 0 ? 0 : 1);
}
