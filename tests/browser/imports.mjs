// Browser test of statement imports and matching (issue 15), as a person does it: a bill; a
// bank CSV uploaded through the form, its columns mapped and saved as a new preset, reviewed
// and imported; the same file again, recognised by its preset and shown as duplicates; one
// transaction matched to the bill from its suggestion (with why), the bill paid on the tracker;
// the import undone and the bill unpaid again. Every page on the way passes axe with no CSP
// violation. Registered by run.mjs.
import { Suite, assert, axe, launchBrowser, newContext, signIn, startServer } from "./harness.mjs";
import { fileURLToPath } from "node:url";

function thisMonth() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

async function checked(page, name, failures) {
  for (const v of await axe(page)) failures.push(`${name}: ${v}`);
}

/** Uploads `csv` from the import page, into `account` (an option label) or a new account. */
async function upload(page, base, csv, account) {
  await page.goto(`${base}/imports`);
  await page.setInputFiles("#file", { name: "statement.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  if (account) {
    await page.getByLabel("Into one of your accounts").selectOption({ label: account });
  } else {
    await page.getByLabel("New account name").fill("Checking");
    await page.getByLabel("New account currency").selectOption("USD");
  }
  await page.getByRole("button", { name: "Preview", exact: true }).click();
  await page.waitForLoadState();
}

export function importTests(suite) {
  suite.test("import a CSV with a new preset, review, match a transaction from its suggestion, see it paid, undo the import", async ({ t }) => {
    const base = t.server.base;
    const { context, problems } = await newContext(t.browser);
    const page = await context.newPage();
    const failures = [];
    await signIn(page, base, "ivan");
    const month = thisMonth();
    const status = await page.evaluate(async (anchor) => {
      const token = (await (await fetch("/api/auth/csrf-token")).json()).csrf_token;
      const made = await fetch("/api/bills", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: JSON.stringify({ name: "Power Co", expected_amount: "40.00", currency: "USD", anchor_date: anchor, due_day: 1 }),
      });
      return made.status;
    }, `${month}-01`);
    assert(status === 201, `bill made: ${status}`);

    const csv = `Date,Amount,Payee,Memo\n${month}-01,-40.00,POWER CO 1234,direct debit\n${month}-01,-3.50,Coffee Corner,\n`;
    await upload(page, base, csv, null);
    await page.getByRole("heading", { name: "Which column is which?" }).waitFor();
    await checked(page, "columns", failures);
    await page.getByLabel("Date", { exact: true }).selectOption("1");
    await page.getByLabel("Amount (signed)").selectOption("2");
    await page.getByLabel("Payee", { exact: true }).selectOption("3");
    await page.getByLabel("Memo", { exact: true }).selectOption("4");
    await page.getByLabel("Save these columns as a preset (optional)").fill("My bank");
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    await page.getByRole("heading", { name: "Review before importing" }).waitFor();
    assert((await page.textContent("main")).includes("2 new"), "two new rows");
    await checked(page, "review", failures);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByText("2 of 2 rows imported").waitFor();

    // The same file again: its preset is recognised, and both rows are duplicates.
    await upload(page, base, csv, "Checking (USD)");
    await page.getByRole("heading", { name: "Review before importing" }).waitFor();
    const review = await page.textContent("main");
    assert(review.includes("Recognised your preset “My bank”"), "the preset is recognised from the header");
    assert(review.includes("2 already imported") && review.includes("Import anyway"), "duplicates, explained, left out by default");

    // Match the power bill's payment from its suggestion.
    await page.goto(`${base}/transactions`);
    await checked(page, "transactions", failures);
    await page.getByRole("link", { name: "POWER CO 1234" }).click();
    await page.getByRole("heading", { name: "Which bill did this pay?" }).waitFor();
    assert((await page.textContent("main")).includes("amount equal"), "the suggestion says why");
    await checked(page, "transaction", failures);
    await page.getByRole("button", { name: "Match to Power Co" }).click();
    await page.getByText("Matched to Power Co").waitFor();

    const powerBadge = () => page.locator("tr", { hasText: "Power Co" }).locator(".badge").first().textContent();
    await page.goto(`${base}/`);
    assert((await powerBadge()).trim() === "Paid", `the tracker shows the bill paid: ${await powerBadge()}`);

    // Undo the whole import: its transactions and the payment they made go.
    await page.goto(`${base}/imports`);
    await page.locator("tr", { hasText: "Imported" }).getByRole("link").click();
    await page.getByRole("button", { name: "Undo this import" }).click();
    await page.getByText("The import was undone").waitFor();
    await page.goto(`${base}/`);
    assert((await powerBadge()).trim() !== "Paid", `unpaid again after the undo: ${await powerBadge()}`);
    await page.goto(`${base}/transactions`);
    assert((await page.textContent("main")).includes("No transactions"), "the transactions are gone");

    await context.close();
    assert(failures.length === 0, failures.join("\n"));
    assert(problems.length === 0, problems.join("\n"));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const suite = new Suite();
  importTests(suite);
  const server = await startServer();
  server.createUser("ivan", "Ivan");
  const browser = await launchBrowser();
  const failed = await suite.run({ t: { server, browser } });
  await browser.close();
  await server.stop();
  process.exit(failed === 0 ? 0 : 1);
}
