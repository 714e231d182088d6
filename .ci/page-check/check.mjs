// Loads mmstats serve's page in headless Chromium and waits, in real time, until its charts
// hold several points; then reads what the page drew next to what the JSON API says at that
// moment, and takes a screenshot.
//   [POINTS=N] node .ci/page-check/check.mjs URL SCREENSHOT.png [HOVER-METRIC]
// (waits for N points, default 4: POINTS=20 gives the README's screenshot of docs/serve-page.png)
// Prints one JSON line: {status, errors, graphs: [...], writers: [...], api: {...}};
// exits 1 on failure.
import { chromium } from "playwright-core";

const [url, screenshot, hoverMetric] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on("console", msg => { if (msg.type() === "error") errors.push(msg.text()); });
  page.on("pageerror", e => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(
    n => [...document.querySelectorAll(".graph")].some(g => Number(g.dataset.points) >= n),
    Number(process.env.POINTS || 4), { timeout: 120000 });
  if (hoverMetric) {
    const svg = page.locator(`.graph[data-label="${hoverMetric}"] svg`);
    const box = await svg.boundingBox();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  }
  const result = await page.evaluate(async () => ({
    status: document.getElementById("status").textContent,
    graphs: [...document.querySelectorAll(".graph")].map(g => ({
      label: g.dataset.label, kind: g.dataset.kind, unit: g.dataset.unit,
      points: Number(g.dataset.points), last: JSON.parse(g.dataset.last || "{}"),
      axis: JSON.parse(g.dataset.axisLabels || "[]"), now: g.querySelector(".now").textContent,
      tip: g.querySelector(".tip").style.display === "block" ? g.querySelector(".tip").textContent : null,
    })),
    writers: [...document.querySelectorAll("#writers tbody tr")].map(r => ({
      file: r.dataset.file, cells: [...r.children].map(c => c.textContent),
    })),
    api: await (await fetch("/api/snapshot")).json(),
  }));
  result.errors = errors;
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(result));
} catch (e) {
  console.log(JSON.stringify({ error: String(e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
