// Browser tests: the real server in Debian's headless Chromium. Run by ./scripts/test after the
// Rust suites (BT_BIN names the binary). What a user does, in order: sign in, add a bill, pay
// it, undo, skip a month, edit a month, set starting cash and income (the safe-to-spend card
// appears), pay all with undo, add an expense, change the month, find a bill from the
// keyboard, sign out; the same basics with JavaScript off; every main page
// checked with axe-core (no serious or critical violations, light and dark) and for zero CSP
// violations; full-page screenshots at phone and desktop width; the PWA's manifest and service
// worker (which must never cache financial data); page weights written to the artefacts; and
// two-step verification: set up an app from the QR page, sign out, sign in with its code (the
// codes made by oathtool, an independent TOTP implementation); and passkeys: register one on the
// security page with Chromium's virtual authenticator (DevTools WebAuthn domain), sign out,
// sign in with it and no password; and OIDC sign-in: an administrator sets up a real OpenID
// provider (oidc-op.mjs) on the Sign-in methods page, and a new person signs in through it
// without any provider token reaching the browser; and a German user's amounts, dates and times
// (decimal comma typed and shown, the time zone on the security page); and the admin area's
// refusals (a non-admin's 403, an unknown account's 404) as styled, axe-clean pages; and bank
// sync against the local SimpleFIN Bridge (bank_sync.mjs): connect, monitor, sync, bill paid.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import {
  ARTIFACTS,
  PASSWORD,
  PHONE,
  Suite,
  assert,
  axe,
  launchBrowser,
  newContext,
  screenshots,
  signIn,
  startServer,
  writeArtifact,
} from "./harness.mjs";
import { firstHour } from "./first_hour.mjs";
import { polishTests } from "./polish.mjs";
import { importTests } from "./imports.mjs";
import { bankSyncTests } from "./bank_sync.mjs";

const BILL = "Water & <Sewer>";
const suite = new Suite();


/** The tracker of `year`-`month`, the way a user gets there: the month switcher. */
async function gotoMonth(page, base, year, month) {
  await page.goto(`${base}/?year=${year}&month=${month}`);
}

function today() {
  const now = new Date();
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

function iso(year, month, day) {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** A marker that survives htmx swaps but not a full page load. */
async function mark(page) {
  await page.evaluate(() => {
    window.__btMarker = "still here";
  });
}
async function marked(page) {
  return page.evaluate(() => window.__btMarker === "still here");
}

/** The TOTP code of `secret` (base32) `offset` seconds from now, from oathtool. */
function totp(secret, offset = 0) {
  const at = Math.floor(Date.now() / 1000) + offset;
  const run = spawnSync("oathtool", ["--totp", "-b", secret, "--now", `@${at}`], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`oathtool (apt-get install oathtool): ${run.stderr || run.error}`);
  return run.stdout.trim();
}

function row(page, name) {
  return page.locator("tr", { has: page.getByText(name, { exact: true }) }).first();
}

suite.test("the sign-in page passes axe and the CSP", async ({ t }) => {
  const page = await t.context.newPage();
  await page.goto(`${t.server.base}/login`);
  const violations = await axe(page);
  assert(violations.length === 0, violations.join("\n"));
  await screenshots(page, "sign-in");
  await page.close();
});

suite.test("sign in with the form lands on the tracker", async ({ t }) => {
  t.page = await t.context.newPage();
  await signIn(t.page, t.server.base, "alice");
  await t.page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
});

suite.test("add a bill with the form; it shows on the bills page and the tracker", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await page.goto(`${t.server.base}/bills/new`);
  await page.getByLabel("Name", { exact: true }).fill(BILL);
  await page.getByLabel("Amount", { exact: true }).fill("42.50");
  await page.getByLabel("Repeats").selectOption("monthly");
  await page.getByLabel("First due date").fill(iso(year, month, 1));
  await page.getByRole("button", { name: /^(Add|Save|Create) bill$/ }).click();
  await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
  await page.getByRole("heading", { level: 1, name: BILL }).waitFor();
  t.billUrl = page.url();
  await page.goto(`${t.server.base}/bills`);
  await page.getByRole("link", { name: BILL }).first().waitFor();
  await gotoMonth(page, t.server.base, year, month);
  const line = row(page, BILL);
  await line.waitFor();
  assert((await line.textContent()).includes("$42.50"), "the amount shows on the tracker");
});

suite.test("pay it from the tracker without a page reload, then undo", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  await mark(page);
  await row(page, BILL).getByRole("button", { name: `Pay ${BILL}` }).click();
  await row(page, BILL).getByText("Paid", { exact: true }).waitFor();
  // The notice names the bill and the month it paid.
  await page.getByText(new RegExp(`${BILL} marked paid for \\w+ ${year}\\.`)).waitFor();
  assert(await marked(page), "htmx swapped the page instead of reloading it");
  assert(page.url().includes(`month=${month}`), `the address stays bookmarkable: ${page.url()}`);
  await row(page, BILL).getByRole("button", { name: `Undo payment of ${BILL}` }).click();
  await page.getByText(new RegExp(`${BILL} for \\w+ ${year} is unpaid again\\.`)).waitFor();
  await row(page, BILL).getByRole("button", { name: `Pay ${BILL}` }).waitFor();
});

suite.test("on a phone, Pay and Undo change the row in place: no reload, no scrolling, focus kept", async ({ t }) => {
  const { context, problems } = await newContext(t.browser, { viewport: PHONE });
  const page = await context.newPage();
  const base = t.server.base;
  await signIn(page, base, "frank");
  const { year, month } = today();
  const { csrf_token: csrf } = await (await page.request.get(`${base}/api/auth/csrf-token`)).json();
  for (let i = 1; i <= 8; i++) {
    const day = i * 3;
    const response = await page.request.post(`${base}/api/bills`, {
      headers: { "x-csrf-token": csrf },
      data: { name: `Phone bill ${i}`, expected_amount: `${10 + i}.00`, anchor_date: iso(year, month, day), due_day: day },
    });
    assert(response.status() === 201, `bill ${i}: ${response.status()} ${await response.text()}`);
  }
  await gotoMonth(page, base, year, month);
  const name = "Phone bill 8";
  const line = page.locator("tr[id^=occ-]", { has: page.getByText(name, { exact: true }) });
  const paidCard = page.locator("#summary .card", { has: page.getByText("Paid", { exact: true }) }).locator(".summary-value");
  const paidBefore = await paidCard.textContent();
  await line.evaluate((el) => el.scrollIntoView({ block: "center" }));
  const scrolled = await page.evaluate(() => window.scrollY);
  assert(scrolled > 750, `the row is far down the page: scrollY ${scrolled}`);
  await mark(page);

  const started = Date.now();
  await line.getByRole("button", { name: `Pay ${name}` }).click();
  await line.getByText("Paid", { exact: true }).waitFor();
  await page.getByText(`${name} marked paid for`).waitFor();
  console.log(`     the row sits at scrollY ${scrolled} px; Pay to the paid row in place: ${Date.now() - started} ms`);
  const undo = line.getByRole("button", { name: `Undo payment of ${name}` });
  await page.waitForFunction((id) => document.activeElement?.closest("tr")?.id === id, await line.getAttribute("id"));
  assert(await undo.evaluate((el) => el === document.activeElement), "focus is on the row's Undo");
  assert(await marked(page), "the page was not reloaded");
  assert((await page.evaluate(() => window.scrollY)) === scrolled, "the page did not scroll");
  const paidAfter = await paidCard.textContent();
  assert(paidAfter !== paidBefore && paidAfter.includes("18.00"), `the Paid card follows: ${paidBefore} → ${paidAfter}`);
  const totals = await line.locator("xpath=ancestor::section[1]").locator(".card-header p").textContent();
  assert(/Paid \$18\.00/.test(totals), `the pay period's header follows: ${totals}`);
  const inPlace = await axe(page);
  assert(inPlace.length === 0, inPlace.join("\n"));

  // Undo from the keyboard: focus goes back to Pay, still without a reload or a scroll.
  await page.keyboard.press("Enter");
  await page.getByText(`${name} for`).filter({ hasText: "is unpaid again." }).waitFor();
  const pay = line.getByRole("button", { name: `Pay ${name}` });
  await page.waitForFunction((id) => document.activeElement?.closest("tr")?.id === id, await line.getAttribute("id"));
  assert(await pay.evaluate((el) => el === document.activeElement), "focus is on the row's Pay");
  assert(await marked(page), "still no reload");
  assert((await page.evaluate(() => window.scrollY)) === scrolled, "still no scrolling");
  assert((await paidCard.textContent()) === paidBefore, "the Paid card is back");
  await screenshots(page, "tracker-in-place");

  // The session ends elsewhere: the refusal (the HTML 403 page, never problem+json) is not
  // drawn into the row (HX-Reswap: none); a toast says what to do.
  await context.clearCookies();
  await pay.click();
  await page.getByText("That did not work; reload the page and try again.").waitFor();
  assert(await line.getByRole("button", { name: `Pay ${name}` }).isVisible(), "the row is left as it was");
  assert(!(await page.locator("main").textContent()).includes('"status"'), "no problem JSON on the page");
  await context.close();
  assert(problems.length === 0, problems.join("\n"));
});

suite.test("change the month with the switcher and skip next month", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  const title = await page.locator("#month-title").textContent();
  await page.getByRole("link", { name: "Next month" }).click();
  await page.waitForFunction((before) => document.querySelector("#month-title")?.textContent !== before, title);
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  assert(page.url().includes(`year=${next.year}&month=${next.month}`), `bookmarkable month URL: ${page.url()}`);
  await row(page, BILL).getByRole("button", { name: `Skip ${BILL}` }).click();
  await row(page, BILL).getByText("Skipped", { exact: true }).waitFor();
  // The skip changed the row in place (no history entry), so one step back undoes the month
  // switch: htmx keeps no history snapshot (financial pages), so it reloads that address.
  await page.evaluate(() => history.back());
  await page.waitForFunction((before) => document.querySelector("#month-title")?.textContent === before, title);
});

suite.test("sorting the tracker applies on change, without the Apply button", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  await page.getByLabel("Sort by").selectOption("name");
  await page.waitForFunction(() => location.search.includes("sort=name"));
  assert(page.url().includes("sort=name"), `the sort is in the address: ${page.url()}`);
});

suite.test("the theme toggle saves the account's one theme setting", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  const toggle = page.locator("[data-theme-toggle]:visible").first();
  const saved = page.waitForResponse((r) => r.url().endsWith("/profile/theme"));
  await toggle.click();
  await saved;
  const chosen = await page.evaluate(() => document.documentElement.getAttribute("data-theme-saved"));
  assert(chosen === "dark", `the toggle moved the saved theme on: ${chosen}`);
  await page.reload();
  const after = await page.evaluate(() => [document.documentElement.getAttribute("data-theme"), localStorage.getItem("bt-theme")]);
  assert(after[0] === "dark" && after[1] === null, `the server's setting holds after a reload, nothing on the device: ${after}`);
  // Back to following the system, so the other tests see the default.
  for (let i = 0; i < 2; i++) {
    const back = page.waitForResponse((r) => r.url().endsWith("/profile/theme"));
    await page.locator("[data-theme-toggle]:visible").first().click();
    await back;
  }
});

suite.test("edit this month's amount and note from the tracker", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  await row(page, BILL).getByRole("link", { name: /^This month/ }).click();
  await page.getByRole("heading", { level: 1, name: BILL }).waitFor();
  t.occurrencePath = new URL(page.url()).pathname + new URL(page.url()).search;
  // A bad amount is refused on the page, under its field, keeping what was typed.
  await page.getByLabel("Actual amount").fill("12.345");
  await page.getByRole("button", { name: "Save this month" }).click();
  await page.locator("#actual_amount-error").waitFor();
  assert((await page.getByLabel("Actual amount").inputValue()) === "12.345", "the typed amount is kept");
  await page.getByLabel("Actual amount").fill("44.10");
  await page.getByLabel("Note").fill("Rate went up");
  await page.getByRole("button", { name: "Save this month" }).click();
  await page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
  await row(page, BILL).getByText("Rate went up").waitFor();
  assert((await row(page, BILL).textContent()).includes("$44.10"), "the actual amount shows");
});

suite.test("set starting cash and income on their page; the safe-to-spend card appears", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  assert((await page.locator("#safe-to-spend .summary-value").count()) === 0, "no card before there is cash or income");
  await page.getByRole("link", { name: "Set your starting cash and income to see what is safe to spend" }).click();
  await page.getByRole("heading", { level: 1, name: "Starting cash and income" }).waitFor();
  // A bad amount is refused under its field, keeping what was typed.
  await page.getByLabel("Income each payday").fill("12.345");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator("#income_per_payday-error").waitFor();
  assert((await page.getByLabel("Income each payday").inputValue()) === "12.345", "the typed amount is kept");
  await page.getByLabel("Income each payday").fill("1000");
  const starting = page.locator('input[name^="starting_cash_"]');
  for (let i = 0; i < (await starting.count()); i += 1) await starting.nth(i).fill("500");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
  await page.getByText(new RegExp(`Starting cash and income saved for \\w+ ${year}\\.`)).waitFor();
  const card = page.locator("#safe-to-spend");
  await card.getByText("Cash + income this pay period − bills still due by", { exact: false }).waitFor();
  const value = await card.locator(".summary-value").textContent();
  assert(/^-?\$[\d,]+\.\d\d$/.test(value.trim()), `the card shows an amount: ${value}`);
  await card.getByRole("link", { name: "Starting cash and income" }).waitFor();
});

suite.test("pay all due shows an undo that removes those payments", async ({ t }) => {
  const page = t.page;
  const { year, month } = today();
  await gotoMonth(page, t.server.base, year, month);
  const payAll = page.getByRole("button", { name: "Pay all due" }).first();
  await payAll.click();
  await page.getByText("Paid every bill due in this period.").waitFor();
  // The notice and its Undo sit in the pay period it paid, which is scrolled to.
  const period = page.locator("section.card", { has: page.getByText("Paid every bill due in this period.") });
  const [top, height] = await period.getByRole("heading", { level: 2 }).evaluate((el) => [el.getBoundingClientRect().top, window.innerHeight]);
  assert(top >= -1 && top < height, `the pay period's heading is in view: ${top}`);
  await row(page, BILL).getByText("Paid", { exact: true }).waitFor();
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.getByText("Undone: those payments were removed.").waitFor();
  await row(page, BILL).getByRole("button", { name: `Pay ${BILL}` }).waitFor();
});

suite.test("add an expense with the form; it shows in the list", async ({ t }) => {
  const page = t.page;
  const { year, month, day } = today();
  await page.goto(`${t.server.base}/expenses/new`);
  await page.getByLabel("Payee").fill("Groceries at the market");
  await page.getByLabel("Amount", { exact: true }).fill("23.45");
  await page.getByLabel("Date", { exact: true }).fill(iso(year, month, day));
  await page.getByRole("button", { name: /^(Add|Save|Create) expense$/ }).click();
  await page.waitForURL(/\/expenses/);
  const line = row(page, "Groceries at the market");
  await line.waitFor();
  assert((await line.textContent()).includes("23.45"), "the amount is listed");
});

suite.test("the keyboard bill finder opens the bill", async ({ t }) => {
  const page = t.page;
  await page.goto(`${t.server.base}/`);
  await page.locator("body").press("/");
  const input = page.locator("#finder-side");
  assert(await input.evaluate((el) => el === document.activeElement), "/ focuses the finder");
  await input.pressSequentially("sewer");
  await page.getByRole("option", { name: new RegExp("Water") }).waitFor();
  await input.press("Enter");
  await page.waitForURL((url) => url.pathname === new URL(t.billUrl).pathname);
  await page.getByRole("heading", { level: 1, name: BILL }).waitFor();
});

const MAIN_PAGES = [
  ["tracker", "/"],
  ["bills", "/bills"],
  ["bill-new", "/bills/new"],
  ["categories", "/categories"],
  ["expenses", "/expenses"],
  ["budgets", "/budgets"],
  ["analytics", "/analytics"],
  ["profile", "/profile"],
  ["security", "/profile/security"],
  ["cash", "/tracker/cash"],
  ["transactions", "/transactions"],
  ["imports", "/imports"],
  ["import-presets", "/imports/presets"],
];

suite.test("every main page passes axe (light and dark) with zero CSP violations", async ({ t }) => {
  const page = t.page;
  const failures = [];
  const extra = [["bill-detail", new URL(t.billUrl).pathname], ["this-month", t.occurrencePath]];
  for (const [name, path] of [...MAIN_PAGES, ...extra]) {
    for (const scheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme: scheme });
      const response = await page.goto(`${t.server.base}${path}`);
      if (!response || response.status() !== 200) {
        failures.push(`${path}: status ${response && response.status()}`);
        continue;
      }
      const links = await page.locator("nav.sidebar a.nav-link").count();
      if (links < 6) failures.push(`${path}: navigation missing (${links} links)`);
      for (const v of await axe(page)) failures.push(`${path} [${scheme}]: ${v}`);
      if (scheme === "light") await screenshots(page, name);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  assert(failures.length === 0, failures.join("\n"));
});

suite.test("the admin pages pass axe and are reachable from the navigation", async ({ t }) => {
  const { context } = await newContext(t.browser);
  const page = await context.newPage();
  await signIn(page, t.server.base, "root");
  await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Admin" }).click();
  await page.waitForURL(`${t.server.base}/admin`);
  const failures = [];
  for (const [name, path] of [["admin-users", "/admin"], ["admin-audit-log", "/admin/audit-log"]]) {
    await page.goto(`${t.server.base}${path}`);
    for (const v of await axe(page)) failures.push(`${path}: ${v}`);
    await screenshots(page, name);
  }
  await context.close();
  assert(failures.length === 0, failures.join("\n"));
});

suite.test("the admin area's refusals are styled pages: a non-admin's 403, an unknown account's 404", async ({ t }) => {
  const failures = [];
  const unknown = "0190a5b2-0000-7000-8000-000000000000";
  for (const [who, path, status, words] of [
    ["hank", "/admin", 403, "Only administrators can open the administration pages."],
    ["hank", "/admin/audit-log", 403, "Only administrators can open the administration pages."],
    ["root", `/admin/users/${unknown}`, 404, "That account does not exist (it may have been deleted)."],
    ["root", "/admin/users/not-an-id", 404, "That does not exist, or it was deleted."],
  ]) {
    const { context, problems } = await newContext(t.browser);
    const page = await context.newPage();
    await signIn(page, t.server.base, who);
    const response = await page.goto(`${t.server.base}${path}`);
    const type = (response && response.headers()["content-type"]) || "";
    if (!response || response.status() !== status) failures.push(`${path}: status ${response && response.status()}`);
    if (!type.startsWith("text/html")) failures.push(`${path}: ${type}, not a page`);
    if (!(await page.getByText(words).isVisible())) failures.push(`${path}: does not say "${words}"`);
    if ((await page.locator("nav.sidebar a.nav-link").count()) < 3) failures.push(`${path}: no navigation`);
    for (const v of await axe(page)) failures.push(`${path}: ${v}`);
    failures.push(...problems.map((p) => `${path}: ${p}`));
    await context.close();
  }
  assert(failures.length === 0, failures.join("\n"));
});

suite.test("every navigation link leads to a page", async ({ t }) => {
  const page = t.page;
  await page.goto(`${t.server.base}/`);
  const hrefs = await page.locator("nav.sidebar a.nav-link").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  for (const href of hrefs) {
    const response = await page.goto(`${t.server.base}${href}`);
    assert(response && response.status() === 200, `${href} answers ${response && response.status()}`);
  }
});

suite.test("installable: manifest, icons, and a service worker that caches no financial data", async ({ t }) => {
  const page = t.page;
  await page.goto(`${t.server.base}/`);
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await page.request.get(`${t.server.base}${manifestHref}`)).json();
  assert(manifest.start_url === "/" && manifest.display === "standalone", "manifest basics");
  for (const icon of manifest.icons) {
    const response = await page.request.get(`${t.server.base}${icon.src}`);
    assert(response.ok(), `icon ${icon.src}`);
  }
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Visit financial pages with the worker in control, then look in every cache.
  await page.reload();
  for (const path of ["/", "/bills", "/expenses", "/api/tracker"]) {
    await page.goto(`${t.server.base}${path}`);
  }
  await page.goto(`${t.server.base}/`);
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  assert(cached.length > 0, "the worker caches the static shell");
  const leaked = cached.filter((path) => !path.startsWith("/static/"));
  assert(leaked.length === 0, `only static files are cached, found: ${leaked.join(", ")}`);
  assert(!cached.some((path) => path.endsWith(".html") && path !== "/static/offline.html"), "no pages cached");
});

suite.test("sign out ends the session", async ({ t }) => {
  const page = t.page;
  await page.goto(`${t.server.base}/`);
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL(/\/login/);
  await page.goto(`${t.server.base}/`);
  assert(page.url().startsWith(`${t.server.base}/login`), `signed out: ${page.url()}`);
});

suite.test("without JavaScript: sign in, pay and undo with plain forms", async ({ t }) => {
  const { context, problems } = await newContext(t.browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, t.server.base, "bob");
  await page.goto(`${t.server.base}/bills/new`);
  await page.getByLabel("Name", { exact: true }).fill("Internet");
  await page.getByLabel("Amount", { exact: true }).fill("30");
  await page.getByLabel("Repeats").selectOption("monthly");
  const { year, month } = today();
  await page.getByLabel("First due date").fill(iso(year, month, 1));
  await page.getByRole("button", { name: /^(Add|Save|Create) bill$/ }).click();
  await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
  await gotoMonth(page, t.server.base, year, month);
  await row(page, "Internet").getByRole("button", { name: "Pay Internet" }).click();
  await row(page, "Internet").getByText("Paid", { exact: true }).waitFor();
  // The browser returns to the row's anchor, not the top of the page.
  const anchor = await row(page, "Internet").getAttribute("id");
  assert(page.url().endsWith(`#${anchor}`), `back at the row: ${page.url()}`);
  await row(page, "Internet").getByRole("button", { name: "Undo payment of Internet" }).click();
  await row(page, "Internet").getByRole("button", { name: "Pay Internet" }).waitFor();
  await context.close();
  assert(problems.length === 0, problems.join("\n"));
});

suite.test("two-step verification: set up an app from its QR code, then sign in with a code", async ({ t }) => {
  const { context, problems } = await newContext(t.browser);
  const page = await context.newPage();
  const base = t.server.base;
  // axe and the screenshots touch the page; each is followed by a fresh load before the flow
  // goes on, so only the application's own behaviour is checked for CSP problems.
  const failures = [];
  const inspect = async (name) => {
    failures.push(...(await axe(page)));
    await screenshots(page, name);
  };
  await signIn(page, base, "dave");
  await page.goto(`${base}/profile/security`);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.waitForURL(`${base}/profile/mfa/totp`);
  await page.getByRole("img", { name: /QR code/ }).waitFor();
  await inspect("totp-setup");
  await page.goto(`${base}/profile/mfa/totp`);
  const secret = (await page.locator("code.totp-secret").textContent()).replace(/\s+/g, "");
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-step verification" }).click();
  await page.getByRole("heading", { name: "Two-step verification is on" }).waitFor();
  const codes = await page.locator("ol.recovery-codes code").allTextContents();
  assert(codes.length === 10, `ten recovery codes, got ${codes.length}`);
  await inspect("recovery-codes");
  await page.goto(`${base}/profile/security`);
  await page.getByText("10 of 10").waitFor();

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL(/\/login/);
  await page.getByLabel("Username").fill("dave");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/login\/mfa/);
  await inspect("second-factor");
  await page.goto(page.url());
  // The next step's code: the current one was just used to turn the app on.
  await page.getByLabel("Code from your authenticator app").fill(totp(secret, 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL(`${base}/`);
  await page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
  await context.close();
  assert(failures.length === 0, failures.join("\n"));
  assert(problems.length === 0, problems.join("\n"));
});

suite.test("passkeys: register one on the security page, sign out, sign in with it", async ({ t }) => {
  const { context, problems } = await newContext(t.browser);
  const page = await context.newPage();
  // Browsers accept no IP address as a WebAuthn relying party: the server's PUBLIC_URL, derived
  // from its loopback LISTEN, is http://localhost:<port>, so this test goes there.
  const base = t.server.base.replace("//127.0.0.1:", "//localhost:");
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  const failures = [];
  // Here the sign-in page also offers "Sign in with a passkey", hence the exact button name.
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill("erin");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/profile/security`);
  await page.getByLabel("Name for the new key").fill("Laptop <passkey>");
  await page.getByRole("button", { name: "Add a security key or passkey" }).click();
  // The account's first factor: its recovery codes, shown once.
  await page.getByRole("heading", { name: "Two-step verification is on" }).waitFor();
  await page.goto(`${base}/profile/security`);
  await page.getByRole("cell", { name: "Laptop <passkey>", exact: true }).waitFor();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert(credentials.length === 1 && credentials[0].isResidentCredential, "one discoverable credential on the authenticator");
  failures.push(...(await axe(page)));
  await screenshots(page, "security-keys");
  await page.goto(`${base}/profile/security`);

  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL(/\/login/);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.waitForURL(`${base}/`);
  await page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
  const me = await (await page.request.get(`${base}/api/auth/me`)).json();
  assert(me.username === "erin", `signed in as erin without a password: ${JSON.stringify(me)}`);
  await context.close();
  assert(failures.length === 0, failures.join("\n"));
  assert(problems.length === 0, problems.join("\n"));
});

/**
 * Starts the real OpenID provider (oidc-op.mjs) and resolves once it printed its issuer. Its
 * stdin stays piped open (it exits when that closes); its log is kept and shown on failure.
 */
async function startOp() {
  const script = join(dirname(fileURLToPath(import.meta.url)), "oidc-op.mjs");
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "pipe"] });
  const log = [];
  child.stderr.setEncoding("utf8").on("data", (chunk) => log.push(chunk));
  const issuer = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the OP did not start in 20 s:\n${log.join("")}`)), 20_000);
    child.on("exit", (code) => fail(new Error(`the OP exited with ${code}:\n${log.join("")}`)));
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      try {
        ok(JSON.parse(line).issuer);
      } catch (error) {
        fail(error);
      }
    });
  });
  return {
    issuer,
    log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.on("exit", r));
      child.stdin.end();
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function postJson(url, body, expected) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Two base64url segments that both open a JSON object: a JWT's header and payload. */
const JWT = /eyJ[A-Za-z0-9_-]*\.eyJ/;

suite.test("OIDC sign-in: set up a provider on the admin page, then sign in through it", async ({ t }) => {
  // Its own server: the password sign-in limit of the main one is nearly used up, and this one
  // may reach the loopback OP over plain HTTP.
  const server = await startServer({ OUTBOUND_ALLOW_HOSTS: "127.0.0.1", OUTBOUND_ALLOW_HTTP_HOSTS: "127.0.0.1" });
  const op = await startOp().catch(async (error) => {
    await server.stop();
    throw error;
  });
  const { context, problems } = await newContext(t.browser);
  try {
    // PUBLIC_URL is derived from the loopback LISTEN: http://localhost:<port>. The browser uses
    // that address, so the callback URL matches the registered redirect URI exactly.
    const base = `http://localhost:${server.port}`;
    const callback = `${base}/api/auth/oidc/callback`;
    server.createUser("root", "Root", true);
    const client = await postJson(`${op.issuer}/reg`, { redirect_uris: [callback], token_endpoint_auth_method: "client_secret_basic" }, 201);
    assert(client.client_id && client.client_secret, `registered: ${JSON.stringify(client)}`);
    await postJson(`${op.issuer}/test/accounts`, {
      sub: "olivia-1",
      email: "olivia@example.test",
      email_verified: true,
      name: "Olivia OP",
      preferred_username: "olivia",
      groups: ["billtracker-users"],
    }, 204);

    // Everything the app's origin sends the browser, and every address the browser visits.
    const bodies = [];
    const setCookies = [];
    const urls = [];
    let callbackRead;
    const callbackRecorded = new Promise((resolve) => (callbackRead = resolve));
    context.on("request", (request) => urls.push(request.url()));
    context.on("response", async (response) => {
      if (!response.url().startsWith(base)) return;
      const status = response.status();
      const wanted = /html|json/.test(response.headers()["content-type"] || "") && (status < 300 || status >= 400);
      const [headers, text] = await Promise.all([
        response.allHeaders().catch(() => ({})),
        wanted ? response.text().catch(() => null) : null,
      ]);
      if (headers["set-cookie"]) setCookies.push(headers["set-cookie"]);
      if (text === null) return;
      bodies.push({ url: response.url(), text });
      if (response.url().startsWith(`${callback}?`)) callbackRead();
    });

    const page = await context.newPage();
    const failures = [];
    // On localhost the sign-in page also offers a passkey, hence the exact button name.
    await page.goto(`${base}/login`);
    await page.getByLabel("Username").fill("root");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Admin" }).click();
    await page.waitForURL(`${base}/admin`);
    await page.getByRole("link", { name: "Sign-in methods" }).click();
    await page.waitForURL(`${base}/admin/sign-in-methods`);
    await page.getByRole("heading", { level: 1, name: "Sign-in methods" }).waitFor();
    const oidc = page.getByRole("region", { name: "OpenID Connect" });
    assert((await oidc.locator("code").first().textContent()) === callback, "the page shows the callback URL registered at the OP");
    const fill = async () => {
      await oidc.getByLabel("Allow signing in with this provider").check();
      await oidc.getByLabel("Provider name").fill("Test OP");
      await oidc.getByLabel("Issuer URL").fill(op.issuer);
      await oidc.getByLabel("Client ID").fill(client.client_id);
      await oidc.getByLabel("Client secret").fill(client.client_secret);
      await oidc.getByLabel("Create an account at the first sign-in").check();
    };
    await fill();
    await oidc.getByRole("button", { name: "Test OpenID Connect" }).click();
    await page.getByRole("heading", { name: "OpenID Connect: the test passed" }).waitFor();
    const checks = await page.locator("[role=status] li").allTextContents();
    assert(checks.some((c) => c.includes(`issuer ${op.issuer}`) && c.includes("matches")), `the issuer matches: ${checks.join(" | ")}`);
    // The test keeps what was typed but never a secret: it is typed again to be saved.
    assert((await oidc.getByLabel("Client secret").inputValue()) === "", "the secret is not sent back");
    assert((await oidc.getByLabel("Client ID").inputValue()) === client.client_id, "the client id is kept");
    await fill();
    await page.getByRole("button", { name: "Save sign-in methods" }).click();
    await page.getByText("Sign-in methods saved.").waitFor();
    assert((await oidc.getByLabel("Allow signing in with this provider").isChecked()), "OIDC is on");
    failures.push(...(await axe(page)));
    await screenshots(page, "admin-sign-in-methods");
    await page.goto(`${base}/admin/sign-in-methods`);
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.waitForURL(/\/login/);

    // A new person: the OP signs Olivia in by itself, and the app makes her account. The
    // callback page moves on at once; the next page waits until its body was read.
    await context.route(`${base}/`, async (route) => {
      await Promise.race([callbackRecorded, new Promise((r) => setTimeout(r, 5_000))]);
      await route.continue();
    });
    await page.getByRole("link", { name: "Sign in with Test OP" }).click();
    await page.waitForURL(`${base}/`, { timeout: 15_000 }).catch((error) => {
      throw new Error(`did not land on the tracker (at ${page.url()}): ${error.message}\n${problems.join("\n")}`);
    });
    await page.getByRole("heading", { level: 1, name: "Tracker" }).waitFor();
    const shown = await page.locator("nav.sidebar .nav-user strong").textContent();
    assert(shown === "Olivia OP", `signed in as Olivia OP, shown: ${shown}`);
    const me = await (await page.request.get(`${base}/api/auth/me`)).json();
    assert(me.display_name === "Olivia OP" && me.email === "olivia@example.test" && me.role === "user", `a new account from the OP's profile: ${JSON.stringify(me)}`);

    // OIDC-06: no provider token and no client secret in any page, answer, cookie or address.
    await page.waitForLoadState("networkidle");
    const cookies = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`);
    const seen = [
      ...bodies.map((b) => [`body of ${b.url}`, b.text]),
      ...setCookies.map((c) => ["Set-Cookie", c]),
      ...cookies.map((c) => ["cookie", c]),
      ...urls.map((u) => ["address", u]),
    ];
    assert(bodies.some((b) => b.url.startsWith(`${callback}?`)), "the callback page was recorded");
    for (const [where, text] of seen) {
      assert(!JWT.test(text), `a JWT in the ${where}`);
      assert(!text.includes(client.client_secret), `the client secret in the ${where}`);
    }
    assert(failures.length === 0, failures.join("\n"));
    assert(problems.length === 0, problems.join("\n"));
  } catch (error) {
    const log = op.log.join("").split("\n").filter((line) => line.trim() && !line.startsWith("oidc-provider WARNING"));
    if (log.length > 0) console.log(`     OP log:\n${log.map((line) => `       ${line}`).join("\n")}`);
    throw error;
  } finally {
    await context.close();
    await op.stop();
    await server.stop();
  }
});

suite.test("a German user's pages write amounts and times as German does", async ({ t }) => {
  const { context, problems } = await newContext(t.browser);
  const page = await context.newPage();
  const base = t.server.base;
  await signIn(page, base, "greta");
  await page.getByLabel("Currency", { exact: true }).selectOption("EUR");
  await page.getByLabel("Time zone", { exact: true }).fill("Europe/Berlin");
  await page.getByLabel("Language", { exact: true }).fill("de-DE");
  await page.getByRole("button", { name: "Save and start" }).click();
  await page.getByText("Saved. Change these any time under Profile.").waitFor();
  const { year, month } = today();
  await page.goto(`${base}/bills/new`);
  const amount = page.getByLabel("Amount", { exact: true });
  assert((await page.locator("#expected_amount-hint").textContent()).includes("89,99"), "the hint uses a decimal comma");
  await page.getByLabel("Name", { exact: true }).fill("Miete");
  await amount.fill("1.234,56");
  await page.getByLabel("Repeats").selectOption("monthly");
  await page.getByLabel("First due date").fill(iso(year, month, 1));
  await page.getByRole("button", { name: /^(Add|Save|Create) bill$/ }).click();
  await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
  await gotoMonth(page, base, year, month);
  const line = row(page, "Miete");
  await line.waitFor();
  assert((await line.textContent()).includes("1.234,56\u00a0€"), `the amount as German writes it: ${await line.textContent()}`);
  const violations = await axe(page);
  await page.goto(`${base}/profile/security`);
  const sessions = await page.locator("main").textContent();
  assert(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} CES?T/.test(sessions), "times in Berlin's zone, German style");
  await context.close();
  assert(violations.length === 0, violations.join("\n"));
  assert(problems.length === 0, problems.join("\n"));
});

firstHour(suite);

suite.test("changing the default currency offers to move the bills left in the old one", async ({ t }) => {
  const { context, problems } = await newContext(t.browser);
  const page = await context.newPage();
  try {
    await signIn(page, t.server.base, "fay");
    const { year, month } = today();
    await page.goto(`${t.server.base}/bills/new`);
    await page.getByLabel("Name", { exact: true }).fill("Gym");
    await page.getByLabel("Amount", { exact: true }).fill("30");
    await page.getByLabel("First due date").fill(iso(year, month, 1));
    await page.getByRole("button", { name: /^(Add|Save|Create) bill$/ }).click();
    await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
    await page.goto(`${t.server.base}/profile`);
    await page.getByLabel("Default currency").selectOption("EUR");
    await page.getByRole("button", { name: "Save preferences" }).click();
    const offer = page.getByRole("region", { name: "Bills in another currency" });
    await offer.getByText("You have 1 bill in USD. Change it to EUR? No conversion is made").waitFor();
    const violations = await axe(page);
    assert(violations.length === 0, violations.join("\n"));
    await gotoMonth(page, t.server.base, year, month);
    await page.getByText(/Bills in USD are totalled on their own/).waitFor();
    assert((await page.locator(".summary-cards").textContent()).includes("$30.00"), "the dollars are still counted, not €0.00");
    await page.goto(`${t.server.base}/profile`);
    await page.getByRole("button", { name: "Change 1 bill to EUR" }).click();
    await page.getByText("Those bills now use your default currency. Their amounts were not converted.").waitFor();
    await gotoMonth(page, t.server.base, year, month);
    const cards = await page.locator(".summary-cards").textContent();
    assert(/(€|EUR\s)30\.00/.test(cards) && !cards.includes("$"), `the bill is in euros now: ${cards}`);
    assert(problems.length === 0, problems.join("\n"));
  } finally {
    await context.close();
  }
});

suite.test("page weights (HTML + CSS + JS bytes) are recorded", async ({ t }) => {
  const { context } = await newContext(t.browser, { serviceWorkers: "block" });
  const page = await context.newPage();
  await signIn(page, t.server.base, "carol");
  const weights = {};
  for (const [name, path] of MAIN_PAGES) {
    await page.goto(`${t.server.base}${path}`, { waitUntil: "networkidle" });
    const bytes = await page.evaluate(() => {
      const sum = { html: performance.getEntriesByType("navigation")[0].decodedBodySize, css: 0, js: 0 };
      for (const entry of performance.getEntriesByType("resource")) {
        if (entry.initiatorType === "link" && entry.name.endsWith(".css")) sum.css += entry.decodedBodySize;
        if (entry.initiatorType === "script") sum.js += entry.decodedBodySize;
      }
      return sum;
    });
    weights[name] = { ...bytes, total: bytes.html + bytes.css + bytes.js };
  }
  await context.close();
  writeArtifact("page-weights.json", weights);
  console.log("     page weights (bytes, uncompressed):");
  for (const [name, w] of Object.entries(weights)) {
    console.log(`       ${name.padEnd(12)} html ${w.html}  css ${w.css}  js ${w.js}  total ${w.total}`);
  }
  assert(Object.values(weights).every((w) => w.html > 0 && w.css > 0 && w.js > 0), "every page loads its assets");
});

// The smaller first-hour fixes (bill form, budgets, currency names, phone switcher).
polishTests(suite);
importTests(suite);
bankSyncTests(suite);

const server = await startServer();
let failed = 1;
let browser;
try {
  server.createUser("alice", "Alice");
  server.createUser("bob", "Bob");
  server.createUser("carol", "Carol");
  server.createUser("dave", "Dave");
  server.createUser("erin", "Erin");
  server.createUser("frank", "Frank");
  server.createUser("greta", "Greta");
  server.createUser("fay", "Fay");
  server.createUser("root", "Root", true);
  server.createUser("polly", "Polly");
  server.createUser("hank", "Hank");
  server.createUser("ivan", "Ivan");
  browser = await launchBrowser();
  const { context, problems } = await newContext(browser);
  const t = { server, browser, context };
  failed = await suite.run({ t });
  if (problems.length > 0) {
    console.log(`FAIL no CSP violations or script errors in the main session:\n     ${problems.join("\n     ")}`);
    failed += 1;
  } else {
    console.log("ok   no CSP violations or script errors in the main session");
  }
  console.log(`artefacts (screenshots, page weights): ${ARTIFACTS}`);
} finally {
  if (browser) await browser.close();
  await server.stop();
}
process.exit(failed === 0 ? 0 : 1);
