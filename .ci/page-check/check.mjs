// Loads mmstats serve's page in headless Chromium and waits, in real time, until its graphs
// hold several points; then takes a screenshot.
//   node ci/page-check/check.mjs URL SCREENSHOT.png
// Prints one JSON line: {"status": ..., "graphs": n, "points": [...]}; exits 1 on failure.
import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".graph")].some(g => Number(g.dataset.points) >= 3), null, { timeout: 60000 });
  const result = await page.evaluate(() => ({
    status: document.getElementById("status").textContent,
    graphs: document.querySelectorAll(".graph").length,
    labels: [...document.querySelectorAll(".graph")].map(g => g.dataset.label),
    points: [...document.querySelectorAll(".graph")].map(g => Number(g.dataset.points)),
  }));
  await page.screenshot({ path: screenshot });
  console.log(JSON.stringify(result));
} catch (e) {
  console.log(JSON.stringify({ error: String(e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
