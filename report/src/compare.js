// fleetsim compare page (compare.html). fleetsim (sim/report/compare.cpp) writes the runs'
// figures side by side into the JSON block "fleetsim-data" (kind "compare"): per run, per row
// (the lab, each family, each class) GPU-hours, served units, revenue, cost, profit and
// opportunity cost. This script lays out the headline, one table per figure with each run's
// value and its difference from the first run, and grouped bar charts per class. Same contract
// as report.js: page.html calls fleetsimDraw(); window.fleetsimReport resolves when the charts
// are drawn, and body[data-ready] becomes "true" (or "error").
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('fleetsim-data').textContent);
  const main = document.getElementById('report');
  const pending = [];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const usd0 = new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', maximumFractionDigits: 0});
  const int0 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
  const sig = new Intl.NumberFormat('en-US', {maximumSignificantDigits: 4});
  const signed = (f) => (v) => (v > 0 ? '+' : '') + f(v);

  // The figures, in the order of the page: what each means and how to write it.
  const FIGURES = [
    {key: 'profit_usd', title: 'Profit', f: (v) => usd0.format(v)},
    {key: 'revenue_usd', title: 'Revenue', f: (v) => usd0.format(v)},
    {key: 'gpu_h', title: 'GPU-hours held', f: (v) => int0.format(v)},
    {key: 'opportunity_cost_usd', title: 'Opportunity cost', f: (v) => usd0.format(v)},
    {key: 'cost_usd', title: 'Cost', f: (v) => usd0.format(v)},
    {key: 'served_units', title: 'Served units (classes only: their units differ)', f: (v) => sig.format(v)},
  ];

  const runs = data.runs;
  const labels = runs.map((r) => r.label);

  main.append(el('h1', {}, 'Runs side by side'));
  main.append(el('ul', {class: 'sub'}, ...runs.map((r, i) => el('li', {},
    el('b', {}, r.label), (i === 0 ? ' (the base): ' : ': ') + r.scenario + ' under ' + r.policy + ', ' +
    int0.format(r.gpus) + ' GPUs, ' + (r.horizon_s / 86400).toFixed(r.horizon_s % 86400 ? 1 : 0) +
    ' days, seed ' + r.seed + ' — ' + r.dir))));

  const headline = el('div', {class: 'headline', 'data-role': 'headline'});
  for (const sentence of data.headline) {
    headline.append(el('p', {}, ...sentence.map((p) => (p.key
      ? el('span', {class: 'num', 'data-key': p.key, 'data-value': String(p.value)}, p.text) : p.text))));
  }
  for (const w of data.warnings || []) headline.append(el('p', {class: 'warning'}, 'Note: ' + w + '.'));
  main.append(headline);

  const rowName = (row) => (row.scope === 'total' ? 'the lab (all classes; cost includes idle GPUs)'
    : row.scope === 'family' ? (row.name === 'llm' ? 'LLM' : row.name) + ' (family)' : row.name);

  for (const fig of FIGURES) {
    const section = el('section', {'data-figure': fig.key}, el('h2', {}, fig.title));
    const head = ['', ...labels];
    for (let r = 1; r < runs.length; r++) head.push(labels[r] + ' − ' + labels[0]);
    const body = [];
    for (const row of data.rows) {
      const values = row.runs.map((v) => (v === null ? null : v[fig.key]));
      if (values.every((v) => v === null)) continue;
      const cells = [rowName(row), ...values.map((v) => (v === null ? '-' : fig.f(v)))];
      for (let r = 1; r < runs.length; r++) {
        const d = values[r] === null || values[0] === null ? null : values[r] - values[0];
        cells.push(d === null ? '-' : el('span', {'data-diff': fig.key, 'data-row': row.scope + ':' + row.name,
          'data-value': String(d)}, signed(fig.f)(d)));
      }
      body.push(el('tr', {class: row.scope === 'total' ? 'total' : row.scope}, ...cells.map((c) => el('td', {}, c))));
    }
    section.append(el('div', {class: 'scroll'}, el('table', {},
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), el('tbody', {}, ...body))));
    main.append(section);
  }

  // Grouped bars per class: one bar per run, so a move of GPU-hours between classes shows.
  function bars(key, title) {
    const values = [];
    for (const row of data.rows) {
      if (row.scope !== 'class') continue;
      row.runs.forEach((v, i) => {
        if (v !== null) values.push({cls: row.name, run: labels[i], value: v[key]});
      });
    }
    const body = el('div', {class: 'chart-body'});
    main.append(el('figure', {class: 'chart', 'data-chart': key}, el('h3', {}, title), body));
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: {view: {stroke: null}, font: 'system-ui, sans-serif'},
      data: {values},
      width: {step: 18 * labels.length + 14},
      height: 220,
      mark: 'bar',
      encoding: {
        x: {field: 'cls', type: 'nominal', title: null, sort: null, axis: {labelAngle: 0}},
        xOffset: {field: 'run', sort: labels},
        y: {field: 'value', type: 'quantitative', title},
        color: {field: 'run', type: 'nominal', sort: labels, title: 'run'},
        tooltip: [{field: 'cls', title: 'class'}, {field: 'run'}, {field: 'value', format: ',.0f', title}],
      },
    };
    pending.push(() => vegaEmbed(body, spec, {renderer: 'svg', actions: {export: true, source: false, compiled: false, editor: false}}));
  }
  main.append(el('h2', {}, 'Per class'));
  bars('gpu_h', 'GPU-hours held');
  bars('profit_usd', 'Profit (USD)');

  window.fleetsimDraw = function () {
    window.fleetsimReport = Promise.all(pending.map((draw) => draw())).then(() => {
      document.body.setAttribute('data-ready', 'true');
      main.setAttribute('aria-busy', 'false');
    }, (e) => {
      document.body.setAttribute('data-ready', 'error');
      console.error('fleetsim compare: a chart failed to render:', e);
    });
  };
})();
