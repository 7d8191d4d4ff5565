#!/usr/bin/env node
// Opens a fleetsim report.html in the machine's headless Chromium (through playwright-core,
// which downloads no browser) and prints, as one JSON object, what a person would see: console
// errors and warnings, requests the page tried to make (it must make none: it is self-contained),
// each chart's rendered marks, every number tied to a figure (data-key / data-value / text), the
// warnings it shows, the sweep controls and whether moving them redraws the maps, and load
// times. It asserts nothing: tests/scenarios/report_test.cpp and bench/report_bench.cpp judge
// its output.
//
// node probe.cjs --modules DIR --html FILE [--screenshot PNG] [--shot SELECTOR=PNG]...
//                [--loads N] [--interact] [--width PX] [--chromium PATH]
//                [--pdf FILE [--pdf-format A4|Letter]] [--print-screenshot PNG] [--export CHART_ID]
//                [--data CHART_ID]
// --pdf prints the page as the browser would (print stylesheet, that paper size) and counts the
// pages; --print-screenshot shows the print layout as one long picture (print media, the
// width of the --pdf-format page less its margins); --data prints the rows a chart drew;
// --export saves one chart through its own menu as SVG and as PNG and reports the files.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

function parseArgs(argv) {
  const a = {shots: [], loads: 1, interact: false, width: 1180, pdfFormat: 'A4', exports: [],
             chromium: process.env.FLEETSIM_CHROMIUM || '/usr/bin/chromium'};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = () => argv[++i];
    if (k === '--modules') a.modules = v();
    else if (k === '--html') a.html = v();
    else if (k === '--screenshot') a.screenshot = v();
    else if (k === '--shot') { const s = v(); const eq = s.lastIndexOf('='); a.shots.push([s.slice(0, eq), s.slice(eq + 1)]); }
    else if (k === '--loads') a.loads = Number(v());
    else if (k === '--interact') a.interact = true;
    else if (k === '--width') a.width = Number(v());
    else if (k === '--chromium') a.chromium = v();
    else if (k === '--pdf') a.pdf = v();
    else if (k === '--pdf-format') a.pdfFormat = v();
    else if (k === '--print-screenshot') a.printScreenshot = v();
    else if (k === '--export') a.exports.push(v());
    else if (k === '--data') a.data = v();
    else throw new Error('unknown argument ' + k);
  }
  if (!a.modules || !a.html) throw new Error('usage: probe.cjs --modules DIR --html FILE [...]');
  return a;
}

// What the page shows, read in the page.
function inspect() {
  const charts = [...document.querySelectorAll('figure[data-chart]')].map((f) => {
    const marks = [...f.querySelectorAll('svg .role-mark')];
    return {
      id: f.getAttribute('data-chart'),
      svgs: f.querySelectorAll('svg').length,
      canvases: f.querySelectorAll('canvas').length,
      mark_groups: marks.length,
      mark_items: marks.reduce((n, g) => n + g.querySelectorAll('path, rect, line, circle, text, symbol').length, 0),
    };
  });
  const numbers = [...document.querySelectorAll('[data-key]')].map((e) => ({
    key: e.getAttribute('data-key'), value: Number(e.getAttribute('data-value')), text: e.textContent,
    in_headline: !!e.closest('[data-role="headline"]'),
  }));
  const controls = [...document.querySelectorAll('.vega-bindings input, .vega-bindings select')].map((e) => ({
    type: e.tagName === 'SELECT' ? 'select' : e.type,
    name: (e.closest('.vega-bind') && e.closest('.vega-bind').querySelector('.vega-bind-name'))
      ? e.closest('.vega-bind').querySelector('.vega-bind-name').textContent.trim() : '',
    options: e.tagName === 'SELECT' ? [...e.options].map((o) => o.textContent) : [],
  }));
  const warnings = [...document.querySelectorAll('.warning')].map((e) => ({role: e.getAttribute('data-role'), text: e.textContent}));
  // Each chart's colour scale as drawn (its domain and the colours given to it), when it has one.
  const colour_scales = {};
  for (const [id, view] of Object.entries(window.fleetsimViews || {})) {
    try {
      const scale = view.scale('color');
      if (scale) colour_scales[id] = {domain: scale.domain(), range: scale.domain().map((d) => scale(d))};
    } catch (e) { /* a chart without one colour scale at its top */ }
  }
  // The panels of small multiples: every group Vega draws as a cell of a facet or concatenation
  // that has axes (legends are groups too), with its box relative to the chart's top left, so that a test can see a row end short.
  const panels = {};
  for (const f of document.querySelectorAll('figure[data-chart]')) {
    const svg = f.querySelector('svg');
    if (!svg) continue;
    const origin = svg.getBoundingClientRect();
    const cells = [...svg.querySelectorAll('g.mark-group.role-scope > g')].filter((g) => g.querySelector('.role-axis')).map((g) => {
      const r = g.getBoundingClientRect();
      return {left: r.left - origin.left, top: r.top - origin.top, width: r.width, height: r.height};
    });
    if (cells.length > 0) panels[f.getAttribute('data-chart')] = cells;
  }
  // The words drawn in each chart (axis labels, titles, bar labels), and where each legend and
  // each title sits (relative to the chart's top left).
  const texts = {}, legends = {}, titles = {};
  const box = (e, origin) => {
    const r = e.getBoundingClientRect();
    return {left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left, bottom: r.bottom - origin.top};
  };
  for (const f of document.querySelectorAll('figure[data-chart]')) {
    const id = f.getAttribute('data-chart');
    texts[id] = [...f.querySelectorAll('svg text')].map((t) => t.textContent);
    const svg = f.querySelector('svg');
    if (!svg) continue;
    const origin = svg.getBoundingClientRect();
    legends[id] = [...svg.querySelectorAll('g.role-legend')].map((g) => Object.assign(
      {title: [...g.querySelectorAll('.role-legend-title text')].map((t) => t.textContent).join(' ')}, box(g, origin)));
    titles[id] = [...svg.querySelectorAll('g.role-title text')].map((t) => Object.assign({text: t.textContent}, box(t, origin)));
  }
  // Per chart, the items of each kind of mark drawn (area, line, symbol, rule, rect, text), and
  // the pairs of mark texts (labels printed in cells or beside marks, not axes or legends) whose
  // boxes overlap by more than a pixel each way: text over text is unreadable.
  const marks_by_type = {}, text_overlaps = {};
  for (const f of document.querySelectorAll('figure[data-chart]')) {
    const id = f.getAttribute('data-chart');
    const counts = {};
    for (const type of ['area', 'line', 'symbol', 'rule', 'rect', 'text']) {
      counts[type] = [...f.querySelectorAll('svg g.mark-' + type + '.role-mark')]
        .reduce((n, g) => n + g.querySelectorAll('path, line, rect, text').length, 0);
    }
    // Lines drawn dashed (a baseline), as Vega writes strokeDash.
    counts.dashed_lines = [...f.querySelectorAll('svg g.mark-line.role-mark path')]
      .filter((p) => (p.getAttribute('stroke-dasharray') || '').split(/[ ,]+/).map(Number).some((v, i) => i % 2 === 1 && v > 0)).length;
    marks_by_type[id] = counts;
    const boxes = [...f.querySelectorAll('svg g.mark-text.role-mark text')]
      .filter((t) => t.textContent.trim() !== '').map((t) => Object.assign({text: t.textContent}, t.getBoundingClientRect().toJSON()));
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) overlaps.push([a.text, b.text]);
      }
    }
    text_overlaps[id] = {texts: boxes.length, overlapping: overlaps.length, examples: overlaps.slice(0, 5)};
  }
  return {ready: document.body.getAttribute('data-ready'), title: document.title, charts, numbers, controls, warnings,
          marks_by_type, text_overlaps,
          tables: document.querySelectorAll('table').length, colour_scales, panels, texts, legends, titles,
          // The rows of the table of replayed logs (report/src/replay.js), as text.
          replay_rows: [...document.querySelectorAll('table[data-table="replay"] tbody tr')].map(
            (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
          // The rows of the table of what failures cost each class (report/src/failures.js).
          failure_rows: [...document.querySelectorAll('table[data-table="failures"] tbody tr')].map(
            (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
          sections: [...document.querySelectorAll('#report section > h2')].map((h) => h.textContent),
          subtitle: (document.querySelector('main > p.sub') || {}).textContent || '',
          headline: (document.querySelector('[data-role="headline"]') || {}).textContent || '',
          roles: Object.fromEntries([...document.querySelectorAll('[data-role]')].map((e) => [e.getAttribute('data-role'), e.textContent]))};
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const {chromium} = require(path.join(path.resolve(args.modules), 'playwright-core'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetsim-probe-'));
  const out = {console_errors: [], console_warnings: [], page_errors: [], requests: [], loads_ms: []};
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: args.chromium,
      headless: true,
      viewport: {width: args.width, height: 900},
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    });
    const url = require('url').pathToFileURL(path.resolve(args.html)).href;
    for (let n = 0; n < args.loads; n++) {
      const page = await context.newPage();
      const first = n === 0;
      if (first) {
        page.on('console', (m) => {
          if (m.type() === 'error') out.console_errors.push(m.text());
          if (m.type() === 'warning') out.console_warnings.push(m.text());
        });
        page.on('pageerror', (e) => out.page_errors.push(String(e)));
      }
      // The report must not reach out: any request other than the file itself is recorded and refused.
      await page.route('**/*', (route) => {
        const u = route.request().url();
        if (u === url) return route.continue();
        if (first) out.requests.push(u);
        return route.abort();
      });
      // CPU time of the page's main thread (ThreadTime) and its renderer (ProcessTime): on a machine
      // that others share, wall time swells with their load and these do not.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const cpu = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
      const before = await cpu();
      const t0 = Date.now();
      await page.goto(url, {waitUntil: 'load'});
      await page.waitForFunction(() => document.body.getAttribute('data-ready') !== null, null, {timeout: 60000});
      const wall = Date.now() - t0;
      // Time from navigation start to every chart drawn, as the page measured it.
      const inPage = await page.evaluate(() => window.fleetsimReport.then(() => ({
        ready_ms: performance.now(), timing: window.fleetsimTiming,
        first_contentful_paint_ms: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
        dom_content_loaded_ms: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})));
      const after = await cpu();
      out.loads_ms.push(Object.assign({wall_ms: wall}, inPage, {
        main_thread_cpu_ms: 1000 * (after.ThreadTime - before.ThreadTime),
        renderer_cpu_ms: 1000 * (after.ProcessTime - before.ProcessTime),
        script_ms: 1000 * (after.ScriptDuration - before.ScriptDuration),
        layout_ms: 1000 * (after.LayoutDuration - before.LayoutDuration),
        style_ms: 1000 * (after.RecalcStyleDuration - before.RecalcStyleDuration),
        compile_ms: 1000 * (after.V8CompileDuration - before.V8CompileDuration),
        tasks_ms: 1000 * (after.TaskDuration - before.TaskDuration)}));
      if (first) {
        Object.assign(out, await page.evaluate(inspect));
        if (args.screenshot) await page.screenshot({path: args.screenshot, fullPage: true});
        for (const [selector, file] of args.shots) await page.locator(selector).first().screenshot({path: file});
        if (args.interact) out.interaction = await interact(page);
        if (args.data) {
          out.data = await page.evaluate((id) => {
            const view = window.fleetsimViews[id];
            const sets = view.getState({data: () => true, signals: () => false}).data;
            // Vega-Lite names a spec's inline data data_0, data_1, ...; the first is the chart's rows.
            const name = Object.keys(sets).filter((n) => /^(data|source)_\d+$/.test(n)).sort()[0];
            const rows = name ? view.data(name) : [];
            // Plain fields only: Vega's tuples also point at their parents.
            return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v === null || typeof v !== 'object')));
          }, args.data);
        }
        for (const id of args.exports) (out.exports = out.exports || {})[id] = await exportChart(page, id);
        if (args.pdf) {
          const pdf = await page.pdf({path: args.pdf, format: args.pdfFormat, printBackground: true});
          // One page object per printed page (/Type /Page, not the /Pages tree above them).
          out.pdf_pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
          out.pdf_bytes = pdf.length;
        }
        if (args.printScreenshot) {
          await page.emulateMedia({media: 'print'});
          // The paper's width less 10 mm margins, at 96 px per inch: A4 190 mm, Letter 195.9 mm.
          await page.setViewportSize({width: args.pdfFormat === 'Letter' ? 740 : 718, height: 1000});
          // What the browser does before it prints (report.js redraws its charts for the paper).
          await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
          await page.waitForTimeout(200);
          await page.screenshot({path: args.printScreenshot, fullPage: true});
          await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
        }
      }
      await page.close();
    }
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

// Saves one chart through vega-embed's own menu, as SVG and as PNG, and reports what was saved:
// the menu must work offline (it renders in the page, no editor or network).
async function exportChart(page, id) {
  const figure = page.locator('figure[data-chart="' + id + '"]');
  const result = {};
  for (const [kind, label] of [['svg', 'Save as SVG'], ['png', 'Save as PNG']]) {
    await figure.locator('details > summary').first().click();
    const [download] = await Promise.all([page.waitForEvent('download', {timeout: 20000}),
                                          figure.getByText(label, {exact: true}).click()]);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    result[kind] = {name: download.suggestedFilename(), bytes: bytes.length,
                    head: kind === 'png' ? bytes.subarray(1, 4).toString('latin1') : bytes.subarray(0, 200).toString('utf8')};
    // Close the menu if it stayed open.
    await figure.locator('details').first().evaluate((d) => { d.removeAttribute('open'); });
  }
  return result;
}

// Moves every sweep control to another value and records whether the maps were redrawn.
async function interact(page) {
  const svg = () => page.evaluate(() => [...document.querySelectorAll('figure[data-chart] svg')].map((s) => s.outerHTML).join(''));
  const result = [];
  const controls = await page.$$('.vega-bindings input[type="range"], .vega-bindings select');
  for (const c of controls) {
    const before = await svg();
    const tag = await c.evaluate((e) => e.tagName);
    if (tag === 'SELECT') {
      const last = await c.evaluate((e) => e.options[e.options.length - 1].value);
      await c.selectOption(last);
    } else {
      await c.evaluate((e) => { e.value = e.max; e.dispatchEvent(new Event('input', {bubbles: true})); });
    }
    await page.waitForTimeout(300);
    const after = await svg();
    const marks = await page.evaluate(() => document.querySelectorAll('figure[data-chart] svg .role-mark > *').length);
    result.push({control: tag.toLowerCase(), changed: before !== after, mark_items_after: marks});
  }
  return result;
}

main().catch((e) => {
  process.stderr.write('probe: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
