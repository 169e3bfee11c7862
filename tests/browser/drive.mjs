// Drives Debian's chromium (headless, through playwright-core) to the browser test's page and reports what it rendered,
// one JSON object per line on stdout:
//   {"stage":"ready",...}   every call's result, once the WatchOrders stream is open (or something failed)
//   {"stage":"events",...}  the WatchOrders events, once one of type WANT_EVENT arrived (the test places the order)
// Usage: node drive.mjs PAGE_URL WANT_EVENT   (CHROMIUM: the browser binary, default /usr/bin/chromium)
import { chromium } from "playwright-core";

const [url, wantEvent] = process.argv.slice(2);
const waitMs = 60_000;
const results = ["created", "grpc-web-user", "json-user", "grpc-web-invalid", "json-invalid", "watch"];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // As root (CI) chromium refuses to start with its sandbox on.
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Chromium logs every non-2xx response as a console error; the page's error calls (400) are expected ones.
  page.on("console", (message) => message.type() === "error" && !message.text().startsWith("Failed to load resource")
    && problems.push(`console: ${message.text()}`));

  const started = Date.now();
  await page.goto(url, { waitUntil: "load", timeout: waitMs });
  const gotoMs = Date.now() - started;
  // Done when every result is rendered and the stream is open; an error in the first call stops the page early.
  await page.waitForFunction(
    (ids) => ids.every((id) => document.getElementById(id).dataset.state) || document.getElementById("created").dataset.state === "error",
    results, { timeout: waitMs });
  const rendered = await page.evaluate((ids) => ({
    loadMs: performance.getEntriesByType("navigation")[0].loadEventEnd,
    results: Object.fromEntries(ids.map((id) => {
      const element = document.getElementById(id);
      return [id, { text: element.textContent, state: element.dataset.state ?? null, ms: Number(element.dataset.ms ?? NaN) }];
    })),
  }), results);
  console.log(JSON.stringify({ stage: "ready", gotoMs, ...rendered, problems }));

  await page.waitForFunction(
    (want) => [...document.querySelectorAll("#events li")].some((li) => li.textContent.includes(want))
      || document.getElementById("watch").dataset.state !== "open",
    wantEvent, { timeout: waitMs });
  const events = await page.evaluate(() => [...document.querySelectorAll("#events li")]
    .map((li) => ({ text: li.textContent, ms: Number(li.dataset.ms) })));
  const watch = await page.evaluate(() => document.getElementById("watch").textContent);
  console.log(JSON.stringify({ stage: "events", events, watch, problems }));
} finally {
  await browser.close();
}
