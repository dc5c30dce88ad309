// The report as a reader sees it: a real `custseg run` on a small generated input, its report.html
// loaded in headless Chromium at 1400 and 700 px viewport width (two frames of one page), measured
// in the page: the rendered size of every visible text, the histograms' y axes, the pipeline table's
// sum, the loadings table and the biplot. Needs the compiled CLI (`npm run build`).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatMs } from "../../src/cli/progress.js";
import { BIPLOT_ARROWS } from "../../src/report/charts/biplot.js";
import { MIN_RENDERED_PX } from "../../src/report/svg.js";
import { findChromium, runChromium, startServer } from "../helpers/browser.js";
import { cliPath, runCli } from "../helpers/cli.js";
import { skipped } from "../helpers/shared.js";

const WIDTHS = [1400, 700] as const;

const page = `<!doctype html>
<meta charset="utf-8">
<title>report at two widths</title>
${WIDTHS.map((w) => `<iframe id="w${w}" src="/report.html" width="${w}" height="900"></iframe>`).join("\n")}
<script type="module" src="/check.js"></script>
`;

/**
 * Runs in the page: measures each frame's report and posts the figures back. A text's rendered size
 * is its font size times the scale its SVG is drawn at (getScreenCTM: viewBox scaling, rotation).
 */
const checkScript = `
const loaded = (frame) => new Promise((resolve) => {
  const ready = () => frame.contentDocument?.URL.endsWith("/report.html") && frame.contentDocument.readyState === "complete";
  if (ready()) resolve();
  else frame.addEventListener("load", () => resolve(), { once: true });
});
const number = (s) => Number(s.replace(/,/g, "").replace("−", "-"));

function measure(win) {
  const doc = win.document;
  const visible = (el) => el.getClientRects().length > 0 && win.getComputedStyle(el).visibility !== "hidden";
  const texts = [];
  const clipped = [];
  for (const el of doc.querySelectorAll("svg text")) {
    if (!visible(el) || !el.textContent.trim()) continue;
    const m = el.getScreenCTM();
    const px = parseFloat(win.getComputedStyle(el).fontSize) * Math.hypot(m.a, m.b);
    const svg = el.closest("svg");
    texts.push({ text: el.textContent.slice(0, 40), px, where: svg.dataset.chart });
    // Text past its SVG's edge is cut off.
    const [r, box] = [el.getBoundingClientRect(), svg.getBoundingClientRect()];
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
      clipped.push({ text: el.textContent.slice(0, 40), where: svg.dataset.chart });
    }
  }
  for (const el of doc.body.querySelectorAll("*")) {
    if (el.closest("svg") || !visible(el)) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) texts.push({ text: el.textContent.trim().slice(0, 40), px: parseFloat(win.getComputedStyle(el).fontSize), where: el.tagName.toLowerCase() });
  }
  texts.sort((a, b) => a.px - b.px);

  // Upright chart texts whose boxes overlap one another (slanted labels' boxes overlap by nature).
  const overlapping = [];
  for (const svg of doc.querySelectorAll("svg")) {
    const boxes = [...svg.querySelectorAll("text")]
      .filter((t) => visible(t) && t.textContent.trim() && Math.abs(t.getScreenCTM().b) < 1e-9)
      .map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [boxes[i].r, boxes[j].r];
        const area = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
        if (area > 4) overlapping.push({ where: svg.dataset.chart, texts: [boxes[j].text, boxes[i].text], area: Math.round(area) });
      }
    }
  }

  const hist = doc.querySelector('svg[data-chart="histograms"]');
  const yAxes = [...hist.querySelectorAll("g.y-axis")].map((g) => [...g.querySelectorAll("text")].filter(visible).map((t) => t.textContent));

  const steps = doc.querySelector('table[data-table="steps"]');
  const stepRows = [...steps.tBodies[0].rows].map((r) => ({ part: !!r.querySelector(".part"), time: r.cells[r.cells.length - 1].textContent.trim() }));
  const total = steps.tFoot.rows[0].cells[steps.tFoot.rows[0].cells.length - 1].textContent.trim();

  const loadings = doc.querySelector('table[data-table="loadings"]');
  const loadingRows = loadings ? [...loadings.tBodies[0].rows].map((r) => ({
    component: r.cells[0].textContent.trim(),
    features: [...r.cells[2].querySelectorAll(".loading")].map((d) => d.textContent.trim()),
  })) : null;

  const biplot = doc.querySelector('svg[data-chart="biplot"]');
  const labelBoxes = biplot ? [...biplot.querySelectorAll("text.arrow-label")].map((t) => {
    const r = t.getBoundingClientRect();
    return { text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  }) : [];
  return {
    viewport: win.innerWidth,
    pageWidth: doc.documentElement.scrollWidth,
    smallest: texts.slice(0, 5),
    clipped,
    overlapping,
    textCount: texts.length,
    histogramPanels: hist.querySelectorAll("g.panel").length,
    yAxes,
    stepRows: stepRows.map((r) => ({ ...r, ms: r.time === "" || r.time === "–" ? null : number(r.time) })),
    total: number(total),
    loadingRows,
    arrows: biplot ? biplot.querySelectorAll("g.feature-arrow").length : 0,
    labelBoxes,
    pairs: doc.querySelectorAll('svg[data-chart="pairs"] g.pair').length,
  };
}

const out = {};
try {
  for (const w of ${JSON.stringify(WIDTHS)}) {
    const frame = document.getElementById("w" + w);
    await loaded(frame);
    out[w] = measure(frame.contentWindow);
  }
} catch (err) {
  out.error = String(err?.stack ?? err);
}
await fetch("/result", { method: "POST", body: JSON.stringify(out) });
`;

interface Measured {
  viewport: number;
  pageWidth: number;
  smallest: { text: string; px: number; where: string }[];
  clipped: { text: string; where: string }[];
  overlapping: { where: string; texts: string[]; area: number }[];
  textCount: number;
  histogramPanels: number;
  yAxes: string[][];
  stepRows: { part: boolean; time: string; ms: number | null }[];
  total: number;
  loadingRows: { component: string; features: string[] }[] | null;
  arrows: number;
  labelBoxes: { text: string; left: number; right: number; top: number; bottom: number }[];
  pairs: number;
}

test("headless Chromium at 1400 and 700 px: text ≥ 10 px, histogram y axes, the pipeline total, loadings and biplot", async () => {
  const chromium = findChromium("the report browser test");
  if (!chromium) return skipped();
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run 'npm run build' first`);
  const tmp = mkdtempSync(join(tmpdir(), "custseg-report-browser-"));
  try {
    const input = join(tmp, "small.csv");
    const gen = runCli(["generate", "--rows", "10000", "--customers", "300", "--seed", "3", "--out", input]);
    assert.is(gen.code, 0, gen.stderr);
    const dir = join(tmp, "run");
    const run = runCli(["run", "--input", input, "--out", dir, "--store", join(tmp, "custseg.db"), "--no-cache"]);
    assert.is(run.code, 0, run.stderr);
    const terminalTotal = run.stdout.match(/^ {2}total (.+?) \(\+ /m)?.[1];
    assert.ok(terminalTotal, `the summary prints a total:\n${run.stdout}`);
    const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));

    const server = await startServer({
      root: tmp,
      allow: [],
      routes: { "/page.html": page, "/check.js": checkScript, "/report.html": readFileSync(join(dir, "report.html"), "utf8"), "/favicon.ico": "" },
      // The report's own style is inline; nothing else may load.
      csp: "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; report-uri /csp-report",
    });
    let result: Record<string, Measured> & { error?: string };
    try {
      result = JSON.parse(await runChromium(chromium, `${server.origin}/page.html`, server.origin, server.result, 30_000));
    } finally {
      await server.close();
    }
    if (result.error) assert.unreachable(`the page failed: ${result.error}`);
    assert.equal(server.cspReports, [], "nothing outside the page was asked for");
    assert.equal(server.requests.filter((r) => r.initiator !== undefined && r.status !== 200 && r.status !== 204).map((r) => r.url), [], "every request of the page answered");

    const k = model.kmeans.k as number;
    const p = model.pca.nComponents as number;
    for (const width of WIDTHS) {
      const m = result[width]!;
      const at = `at ${width} px`;
      assert.is(m.viewport, width, `${at}: the frame's viewport`);
      assert.ok(m.pageWidth <= width, `${at}: the page is ${m.pageWidth} px wide; only figures and tables may scroll sideways`);
      assert.ok(m.textCount > 200, `${at}: ${m.textCount} texts measured`);
      const small = m.smallest.filter((t) => t.px < MIN_RENDERED_PX - 1e-6);
      assert.equal(small, [], `${at}: text under ${MIN_RENDERED_PX} px`);
      assert.equal(m.clipped, [], `${at}: text cut off at the edge of its chart`);
      assert.equal(m.overlapping, [], `${at}: chart texts drawn over each other`);

      assert.is(m.histogramPanels, 3 * k, `${at}: histogram panels`);
      assert.is(m.yAxes.length, m.histogramPanels, `${at}: one y axis per histogram`);
      for (const ticks of m.yAxes) assert.ok(ticks.length >= 2 && ticks.every((t) => /^\d+(\.\d+)?%$/.test(t)), `${at}: y ticks ${ticks}`);

      // Every whole step shows its own time, its parts none; the total is their sum and the terminal's.
      const whole = m.stepRows.filter((r) => !r.part);
      assert.ok(whole.length >= 10 && whole.every((r) => r.ms !== null), `${at}: step times ${JSON.stringify(whole)}`);
      assert.ok(m.stepRows.filter((r) => r.part).every((r) => r.time === ""), `${at}: cleaning's parts are untimed`);
      const sum = whole.reduce((a, r) => a + r.ms!, 0);
      assert.ok(Math.abs(sum - m.total) < 0.05, `${at}: the steps sum to ${sum}, the total row says ${m.total}`);
      assert.is(formatMs(m.total), terminalTotal, `${at}: the report's total as the terminal prints it`);

      // The loadings table names each kept component's strongest feature, with the model's sign.
      assert.is(m.loadingRows?.length, p, `${at}: one loadings row per component`);
      m.loadingRows!.forEach((row, c) => {
        assert.is(row.component, `PC${c + 1}`);
        assert.is(row.features.length, Math.min(4, model.features.length));
        const weights = model.pca.components[c] as number[];
        const j = weights.reduce((best, w, i) => (Math.abs(w) > Math.abs(weights[best]!) ? i : best), 0);
        const sign = weights[j]! > 0 ? "+" : "−";
        assert.is(row.features[0], `${sign}${Math.abs(weights[j]!).toFixed(2)} ${model.features[j].replace(/_/g, " ")}`, `${at}: PC${c + 1}'s strongest feature`);
      });

      assert.is(m.arrows, BIPLOT_ARROWS, `${at}: biplot arrows`);
      assert.is(m.labelBoxes.length, BIPLOT_ARROWS, `${at}: arrow labels`);
      for (let i = 0; i < m.labelBoxes.length; i++) {
        for (let j = 0; j < i; j++) {
          const [a, b] = [m.labelBoxes[i]!, m.labelBoxes[j]!];
          const overlap = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
          assert.ok(overlap < 4, `${at}: arrow labels "${a.text}" and "${b.text}" overlap by ${overlap.toFixed(1)} px²`);
        }
      }
      assert.is(m.pairs, p >= 3 ? 3 : 0, `${at}: PC1–PC3 pairs`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
