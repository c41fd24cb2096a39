// Browser tests of the smaller first-hour fixes (issue 14, item 19): the add-bill form shows only
// what a bill needs (its height at phone and desktop width is printed and bounded; without
// JavaScript its optional sections open and save), currency lists name their currencies, a
// five-digit budget fits its card and its chip agrees with its percentage, category colours
// on expense chips and analytics bars, and on a phone the month switcher is one line and the
// charts' labels are at least 11 px and never overlap. Registered by run.mjs; `node polish.mjs`
// runs them alone.
import { fileURLToPath } from "node:url";

import { PASSWORD, PHONE, DESKTOP, Suite, assert, axe, launchBrowser, newContext, screenshots, signIn, startServer } from "./harness.mjs";

const COLOUR = "#0891b2";


function isoToday() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * A new browser context signed in as polly. The password is typed once (the main suite uses
 * up most of the per-address sign-in limit); later contexts reuse that session's cookies.
 */
let signedInState = null;
async function polly(t, options = {}) {
  if (!signedInState) {
    const { context } = await newContext(t.browser);
    const page = await context.newPage();
    await signIn(page, t.server.base, "polly");
    signedInState = await context.storageState();
    await context.close();
  }
  const made = await newContext(t.browser, { storageState: signedInState, ...options });
  return { ...made, page: await made.context.newPage() };
}

/** The bill form's rendered height at `size`. */
async function formHeight(page, base, size) {
  await page.setViewportSize(size);
  await page.goto(`${base}/bills/new`);
  return page.locator("form.bill-form").evaluate((form) => Math.round(form.getBoundingClientRect().height));
}

/** Whether the element `selector` takes space on the page. */
async function shown(page, selector) {
  return page.locator(selector).evaluate((el) => el.checkVisibility({ contentVisibilityAuto: true }));
}

/** Elements of `scope` whose content is wider than their box (text overflow). */
async function overflowing(locator) {
  return locator.evaluate((root) => {
    const out = [];
    for (const el of [root, ...root.querySelectorAll("*")]) {
      // Screen-reader text is clipped to 1 px on purpose.
      if (el.closest(".visually-hidden")) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto") {
        out.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} > ${el.clientWidth} "${el.textContent.trim().slice(0, 40)}"`);
      }
    }
    return out;
  });
}

/**
 * The charts' text as drawn at the current width: for each visible chart, every <text>'s
 * rendered font size (its computed size in SVG units times the drawing's scale) and box, and
 * which drawings (wide, narrow) are shown.
 */
async function chartText(page) {
  return page.evaluate(() => {
    const charts = [];
    for (const svg of document.querySelectorAll("svg.chart-svg")) {
      if (!svg.checkVisibility()) {
        charts.push({ id: svg.getAttribute("aria-labelledby"), visible: false });
        continue;
      }
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const texts = [...svg.querySelectorAll("text")].map((text) => {
        const box = text.getBoundingClientRect();
        return {
          content: text.textContent,
          axis: text.classList.contains("chart-x"),
          px: parseFloat(getComputedStyle(text).fontSize) * scale,
          box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
        };
      });
      charts.push({ id: svg.getAttribute("aria-labelledby"), visible: true, narrow: svg.classList.contains("chart-for-narrow"), texts });
    }
    return charts;
  });
}

/** Pairs of texts of one chart whose boxes overlap (by more than half a pixel). */
function overlaps(texts) {
  const out = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const [a, b] = [texts[i].box, texts[j].box];
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 0.5 && y > 0.5) out.push(`"${texts[i].content}" and "${texts[j].content}"`);
    }
  }
  return out;
}

export function polishTests(suite) {
  suite.test("the add-bill form shows only what a bill needs (height printed at phone and desktop)", async ({ t }) => {
    const { context, problems, page } = await polly(t);
    const base = t.server.base;
    const desktop = await formHeight(page, base, DESKTOP);
    const phone = await formHeight(page, base, PHONE);
    console.log(`     add-bill form height: desktop ${desktop} px, phone ${phone} px (was 2 578 and 3 163)`);
    // Before: 2 578 px at 1280 × 900 and 3 163 px at 390 × 844, every option for every bill.
    assert(desktop < 1289 && phone < 1582, `under half the former height: desktop ${desktop}, phone ${phone}`);

    // A screenshot leaves marks in the page (style attributes); start again from a fresh load.
    await page.setViewportSize(DESKTOP);
    await page.goto(`${base}/bills/new`);
    assert(!(await shown(page, "#expected_min")), "no range for a fixed amount");
    assert(!(await shown(page, "#autopay_verified_on")), "no verified date without verified autopay");
    assert(!(await shown(page, "#debt_balance")), "no debt fields until the debt section is opened");
    assert(await shown(page, "#due_day"), "a monthly bill has a due day");
    await page.getByLabel("Amount type").selectOption("estimated");
    assert(await shown(page, "#expected_min"), "an estimated bill shows its range");
    await page.getByLabel("Autopay", { exact: true }).selectOption("verified");
    assert(await shown(page, "#autopay_verified_on"), "verified autopay shows its date");
    await page.getByLabel("Repeats").selectOption("weekly");
    assert(!(await shown(page, "#due_day")), "a weekly bill has no due day of the month");
    await page.locator("summary", { hasText: "Debt" }).click();
    assert(await shown(page, "#debt_balance"), "the debt section opens");
    const euro = await page.locator("#currency option[value=EUR]").textContent();
    assert(euro === "EUR — Euro", `currencies are named: ${euro}`);

    // Estimated, with a range, saved; the edit form opens with the range showing.
    await page.getByLabel("Name", { exact: true }).fill("Power");
    await page.getByLabel("Amount", { exact: true }).fill("80");
    await page.getByLabel("Lowest expected").fill("60");
    await page.getByLabel("Highest expected").fill("110");
    await page.getByLabel("Repeats").selectOption("monthly");
    await page.getByLabel("First due date").fill(isoToday());
    await page.getByRole("button", { name: "Add bill" }).click();
    await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
    await page.getByText("$60.00 – $110.00").first().waitFor();
    for (const v of await axe(page)) problems.push(`axe: ${v}`);
    await context.close();
    assert(problems.length === 0, problems.join("\n"));
  });

  suite.test("without JavaScript the bill form's optional sections open, save, and reopen on an error", async ({ t }) => {
    const { context, problems, page } = await polly(t, { javaScriptEnabled: false });
    const base = t.server.base;
    await page.goto(`${base}/bills/new`);
    await page.getByLabel("Name", { exact: true }).fill("Car loan");
    await page.getByLabel("Amount", { exact: true }).fill("250");
    await page.getByLabel("First due date").fill(isoToday());
    await page.locator("summary", { hasText: "Debt" }).click();
    await page.getByLabel("Current balance").fill("12000");
    await page.getByLabel("APR (%)").fill("19.999");
    await page.getByRole("button", { name: "Add bill" }).click();
    await page.locator("#apr-error").waitFor();
    assert(await shown(page, "#apr"), "the debt section is open again, with its error");
    assert((await page.getByLabel("Current balance").inputValue()) === "12000", "what was typed is kept");
    await page.getByLabel("APR (%)").fill("6.5");
    await page.getByRole("button", { name: "Add bill" }).click();
    await page.waitForURL(/\/bills\/[0-9a-f-]{36}/);
    await page.getByText("$12,000.00").first().waitFor();
    await context.close();
    assert(problems.length === 0, problems.join("\n"));
  });

  suite.test("a five-digit budget fits its card, and its chip says what its percentage says", async ({ t }) => {
    const { context, problems, page } = await polly(t);
    const base = t.server.base;
    await page.goto(`${base}/categories`);
    await page.getByLabel("Name", { exact: true }).fill("Household");
    await page.getByLabel("Colour").fill(COLOUR);
    await page.getByRole("button", { name: "Add category" }).click();
    await page.getByText("Household").first().waitFor();
    await page.goto(`${base}/budgets`);
    await page.locator("#category_id").selectOption({ label: "Household" });
    await page.locator("#limit").fill("12345.67");
    await page.getByRole("button", { name: "Create budget" }).click();
    await page.getByText("Budget created.").waitFor();
    await page.goto(`${base}/expenses/new`);
    await page.getByLabel("Payee").fill("New sofa");
    await page.getByLabel("Amount", { exact: true }).fill("11500");
    await page.getByLabel("Date", { exact: true }).fill(isoToday());
    await page.getByLabel("Category").selectOption({ label: "Household" });
    await page.getByRole("button", { name: /^(Add|Save|Create) expense$/ }).click();
    await page.waitForURL(/\/expenses/);
    // The expense's chip carries the category's colour.
    const swatch = await page.locator("td .chip svg.swatch circle").first().getAttribute("fill");
    assert(swatch === COLOUR, `the expense chip shows the category colour: ${swatch}`);
    for (const size of [PHONE, DESKTOP]) {
      await page.setViewportSize(size);
      await page.goto(`${base}/budgets`);
      const card = page.locator("li.budget").first();
      const text = await card.textContent();
      assert(text.includes("$12,345.67") && text.includes("93 % used") && text.includes("Nearly at the limit"), `the chip agrees with 93 %: ${text.replace(/\s+/g, " ")}`);
      const spilled = await overflowing(card);
      assert(spilled.length === 0, `${size.width} px: nothing overflows the card:\n${spilled.join("\n")}`);
    }
    await page.setViewportSize(DESKTOP);
    await context.close();
    assert(problems.length === 0, problems.join("\n"));
  });

  suite.test("on a phone the month switcher is one line", async ({ t }) => {
    const { context, problems, page } = await polly(t, { viewport: PHONE });
    const base = t.server.base;
    await page.goto(`${base}/`);
    const switcher = page.locator("nav.month-switcher");
    const { height, line } = await switcher.evaluate((nav) => ({
      height: nav.getBoundingClientRect().height,
      line: Math.max(...[...nav.children].map((c) => c.getBoundingClientRect().height)),
      }));
    const tops = await switcher.evaluate((nav) => [...nav.children].map((c) => Math.round(c.getBoundingClientRect().top + c.getBoundingClientRect().height / 2)));
    console.log(`     month switcher on a phone: ${Math.round(height)} px high`);
    assert(height <= line + 1 && Math.max(...tops) - Math.min(...tops) <= 2, `one line: ${height} px, rows at ${tops}`);
    await page.getByRole("link", { name: "Next month" }).click();
    await page.waitForURL(/month=/);
    await context.close();
    assert(problems.length === 0, problems.join("\n"));
  });

  suite.test("on a phone (and a tablet) the analytics charts' labels are at least 11 px and never overlap", async ({ t }) => {
    const { context, problems, page } = await polly(t, { viewport: PHONE });
    const base = t.server.base;
    const year = new Date().getFullYear();
    const { csrf_token: csrf } = await (await page.request.get(`${base}/api/auth/csrf-token`)).json();
    const post = async (path, data) => {
      const response = await page.request.post(`${base}${path}`, { headers: { "x-csrf-token": csrf }, data });
      assert(response.status() === 201, `${path}: ${response.status()} ${await response.text()}`);
      return response.json();
    };
    const long = await post("/api/categories", { name: "Subscriptions and memberships for the family", color: "#7c3aed" });
    // Spending in every month so far this year, up to five-digit amounts (wide axis ticks).
    for (let month = 1; month <= new Date().getMonth() + 1; month++) {
      await post("/api/expenses", {
        amount: `${(month * 1234.56).toFixed(2)}`,
        spent_on: `${year}-${String(month).padStart(2, "0")}-10`,
        category_id: month % 2 ? long.id : undefined,
        payee: `Shop ${month}`,
      });
    }
    await page.goto(`${base}/analytics`);
    // A 390 px and a 360 px phone, a tablet (the sidebar leaves its chart 462 px), a desktop.
    const sizes = [PHONE, { width: 360, height: 780 }, { width: 800, height: 1000 }, DESKTOP];
    const measured = [];
    for (const size of sizes) {
      await page.setViewportSize(size);
      const charts = await chartText(page);
      const shown = charts.filter((c) => c.visible);
      const narrow = size.width < DESKTOP.width;
      assert(shown.length === 4 && shown.filter((c) => c.narrow).length === (narrow ? 3 : 0), `${size.width} px: the ${narrow ? "narrow" : "wide"} drawings and the heatmap show: ${JSON.stringify(charts.map((c) => [c.id, c.visible]))}`);
      const all = shown.flatMap((c) => c.texts.map((x) => ({ ...x, chart: c.id })));
      const tiny = all.filter((x) => x.px < 11).map((x) => `${x.chart}: "${x.content}" at ${x.px.toFixed(1)} px`);
      assert(tiny.length === 0, `${size.width} px: every chart text is at least 11 px:\n${tiny.join("\n")}`);
      for (const chart of shown) {
        if (chart.narrow && !chart.id.startsWith("categories")) {
          const months = chart.texts.filter((x) => x.axis).map((x) => x.content).join(" ");
          assert(months === "Jan Mar May Jul Sep Nov", `${chart.id}: every other month labelled: ${months}`);
        }
        const clash = overlaps(chart.texts);
        assert(clash.length === 0, `${size.width} px, ${chart.id}: no two labels overlap:\n${clash.join("\n")}`);
      }
      const spills = await page.evaluate(() =>
        [...document.querySelectorAll(".analytics-cards .card")]
          .filter((card) => card.scrollWidth > card.clientWidth + 1)
          .map((card) => card.textContent.trim().replace(/\s+/g, " ")),
      );
      assert(spills.length === 0, `${size.width} px: the year's totals fit their cards: ${spills.join("; ")}`);
      measured.push(`${size.width} px ${Math.min(...all.map((x) => x.px)).toFixed(1)} px`);
      if (size === PHONE) for (const v of await axe(page)) problems.push(`axe: ${v}`);
    }
    console.log(`     smallest chart text (was ~5.4 px on a phone): ${measured.join(", ")}`);
    await screenshots(page, "analytics-charts");
    await context.close();
    assert(problems.length === 0, problems.join("\n"));
  });
}

// Run alone: `node polish.mjs` (BT_BIN names the binary).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const suite = new Suite();
  polishTests(suite);
  const server = await startServer();
  let failed = 1;
  let browser;
  try {
    server.createUser("polly", "Polly");
    browser = await launchBrowser();
    failed = await suite.run({ t: { server, browser } });
  } finally {
    if (browser) await browser.close();
    await server.stop();
  }
  process.exit(failed === 0 ? 0 : 1);
}
