// A run with a failure model (platform.failures; the page's data then has "failures"): what
// the failures took, in a section after "Who held the GPUs":
//   - the fleet's GPUs over time as busy, held but idle, unallocated and down (busy + idle +
//     down = the fleet), the down GPUs again on their own scale (a few racks of a large fleet
//     are a sliver of it), and the nodes taken down per interval by cause (failures.csv);
//   - what each class lost: revenue lost per class (bars) and a table of interruptions, work
//     lost, restarts, checkpoints, revenue lost and the effective time fraction.
// This script is added to report.html only for such runs (sim/report/html_page.cpp), so that a
// run without failures keeps its report byte for byte. It runs after report.js has laid the page
// out and the libraries are parsed, and before fleetsimDraw(): report.js keeps its charts to
// itself, so this script draws its own and makes every vegaEmbed call of report.js's wait for
// them too, so that body[data-ready] and window.fleetsimReport (which the tests wait for)
// still mean "every chart is drawn", and a failure here is the page's error.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('fleetsim-data').textContent);
  if (data.kind !== 'run' || !data.failures) return;
  const main = document.getElementById('report');
  const fleet = data.fleet, ff = fleet.failures || {}, classes = data.classes, ts = data.timeseries;
  const views = window.fleetsimViews || {};
  const timing = window.fleetsimTiming || {charts_ms: {}};

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
  const dec1 = new Intl.NumberFormat('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1});
  const fmt = {
    usd: (v) => (v === null || v === undefined ? '-' : usd0.format(v)),
    num: (v) => (v === null || v === undefined ? '-' : int0.format(v)),
    gpuh: (v) => (v === null || v === undefined ? '-' : dec1.format(v)),
    pct: (v) => (v === null || v === undefined ? '-' : (100 * v).toFixed(1) + '%'),
  };
  // A number tied to the summary.json figure it shows (the tests read these).
  const num = (text, key, value) => el('span', {class: 'num', 'data-key': key, 'data-value': String(value)}, text);

  const charts = [];
  function chart(parent, id, title, note, spec) {
    const body = el('div', {class: 'chart-body'});
    parent.append(el('figure', {class: 'chart', 'data-chart': id}, el('h3', {}, title),
                     note ? el('p', {class: 'note'}, note) : null, body));
    charts.push({id: id, body: body, spec: Object.assign({$schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: {view: {stroke: null}, font: 'system-ui, sans-serif'}}, spec)});
  }
  // The data are numbers already: no per-row type parsing (as report.js does).
  const values = (rows) => ({values: rows, format: {parse: null}});

  // Printed, the report is a handout of at most two pages (style.css): the section prints its
  // sentence and table, and its charts stay on the screen, as the grouped P&L bars do (with the
  // down GPUs' strip alone, failures-week printed on three pages of Letter). Set here, not in
  // style.css, which every report inlines.
  document.head.append(el('style', {}, '@media print { section[data-role="failures"] figure.chart { display: none; } }'));

  // ---- the section, after "Who held the GPUs" ------------------------------------------------

  const s = el('section', {'data-role': 'failures'}, el('h2', {}, 'What failures took'));
  const heldSection = Array.from(main.querySelectorAll('section')).find(
    (x) => x.querySelector('h2') && x.querySelector('h2').textContent === 'Who held the GPUs');
  if (heldSection) heldSection.after(s);
  else main.append(s);
  const shareDown = fleet.gpu_h_capacity > 0 ? ff.gpu_h_down / fleet.gpu_h_capacity : null;
  s.append(el('p', {},
    num(fmt.num(ff.failures), 'fleet.failures.failures', ff.failures), ' failures and maintenance windows took ',
    num(fmt.num(ff.node_failures), 'fleet.failures.node_failures', ff.node_failures), ' nodes down: ',
    num(fmt.num(ff.gpu_h_down), 'fleet.failures.gpu_h_down', ff.gpu_h_down), ' GPU-hours down (',
    fmt.pct(shareDown), ' of the fleet\'s), which cost ',
    num(fmt.usd(ff.down_cost_usd), 'fleet.failures.down_cost_usd', ff.down_cost_usd),
    ' (a down GPU is still owned). They stopped ',
    num(fmt.num(ff.interruptions), 'fleet.failures.interruptions', ff.interruptions), ' runs of jobs, which lost ',
    num(fmt.num(ff.failure_lost_work_gpu_h), 'fleet.failures.failure_lost_work_gpu_h', ff.failure_lost_work_gpu_h),
    ' GPU-hours of work and paid ',
    num(fmt.num(ff.restart_gpu_h), 'fleet.failures.restart_gpu_h', ff.restart_gpu_h),
    ' GPU-hours of restarts; the classes lost ',
    num(fmt.usd(ff.revenue_lost_usd), 'fleet.failures.revenue_lost_usd', ff.revenue_lost_usd), ' of revenue.'));

  // ---- capacity over time -------------------------------------------------------------------

  const W = Math.max(420, Math.min(main.clientWidth, 1180) - 260);
  const days = data.meta.horizon_s / 86400;
  const day = ts.t_s.map((t) => t / 86400);
  const dayEnd = ts.t_s.map((t, i) => (t + ts.length_s[i]) / 86400);
  const dayScale = {domain: [0, days], nice: false};
  const dayAxis = {tickCount: Math.max(2, Math.min(Math.ceil(days), 15))};
  const names = classes.map((c) => c.name);
  const down = data.failures.gpus_down;
  // Bands stacked here (y0, y1), bottom to top: busy, held but idle, unallocated, down. Busy +
  // idle + down is the fleet, and allocated + unallocated + down too (docs/metrics.md).
  const BANDS = ['busy', 'held, idle', 'unallocated', 'down'];
  const capacityRows = [];
  for (let i = 0; i < day.length; i++) {
    let held = 0, busy = 0;
    for (const n of names) {
      held += ts.classes[n].gpus_allocated[i];
      busy += ts.classes[n].gpus_busy[i];
    }
    const parts = [busy, Math.max(0, held - busy), Math.max(0, fleet.gpus - held - down[i]), down[i]];
    let y = 0;
    parts.forEach((g, k) => {
      capacityRows.push({day: day[i], band: BANDS[k], gpus: g, y0: y, y1: y + g});
      y += g;
    });
  }
  const downRows = day.map((d, i) => ({day: d, gpus_down: down[i]}));
  const coarse = data.meta.timeseries_rows_per_point > 1
    ? ' Each point averages ' + data.meta.timeseries_rows_per_point + ' rows of timeseries.csv.' : '';
  const x = {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis};
  chart(s, 'failure_capacity', 'The fleet\'s GPUs over time: busy, idle and down',
        'Stacked: the top edge is the fleet (' + fmt.num(fleet.gpus) + ' GPUs). Down GPUs (red, on top) are on nodes a failure ' +
        'or maintenance window took down: no class can hold them, and they still cost their capex.' + coarse, {
    width: W, height: 240,
    data: values(capacityRows),
    mark: {type: 'area', interpolate: 'step-after'},
    encoding: {
      x: x, y: {field: 'y1', type: 'quantitative', title: 'GPUs'}, y2: {field: 'y0'},
      color: {field: 'band', type: 'nominal', title: null,
              scale: {domain: BANDS, range: ['#1f63b5', '#9ec5e8', '#d4d4d4', '#c0392b']}},
      tooltip: [{field: 'band'}, {field: 'day', format: '.2f'}, {field: 'gpus', format: ',.1f'}],
    },
  });
  chart(s, 'failures', 'GPUs down over time',
        'On their own scale (interval averages): the red band above, at the fleet\'s scale.' + coarse, {
    width: W, height: 110, data: values(downRows),
    mark: {type: 'area', interpolate: 'step-after', color: '#c0392b', line: {color: '#7f1d1d', strokeWidth: 1}},
    encoding: {x: x, y: {field: 'gpus_down', type: 'quantitative', title: 'GPUs down'},
               tooltip: [{field: 'day', format: '.2f'}, {field: 'gpus_down', title: 'GPUs down (interval average)', format: ',.1f'}]},
  });
  // Nodes taken down per interval, by cause (failures.csv), when the folder has the file.
  const byCause = data.failures.node_failures;
  if (byCause && Object.keys(byCause).length > 0) {
    const ORDER = ['gpu', 'node', 'rack', 'maintenance'];
    const causes = Object.keys(byCause).sort((a, b) => {
      const ia = ORDER.indexOf(a), ib = ORDER.indexOf(b);
      return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib) || (a < b ? -1 : a > b ? 1 : 0);
    });
    const eventRows = [];
    for (let i = 0; i < day.length; i++) {
      let y = 0;
      for (const c of causes) {
        const n = byCause[c][i];
        if (n > 0) eventRows.push({day: day[i], day_end: dayEnd[i], cause: c, nodes: n, y0: y, y1: y + n});
        y += n;
      }
    }
    chart(s, 'failure_causes', 'Nodes taken down, by cause',
          'Per interval: the nodes failures and maintenance windows took down (failures.csv; a rack failure takes its rack\'s nodes).', {
      width: W, height: 70, data: values(eventRows),
      mark: {type: 'rect'},
      encoding: {x: x, x2: {field: 'day_end'},
                 y: {field: 'y1', type: 'quantitative', title: 'nodes', axis: {tickMinStep: 1}}, y2: {field: 'y0'},
                 color: {field: 'cause', type: 'nominal', title: 'cause',
                         scale: {domain: causes, range: ['#7f1d1d', '#e8590c', '#a61e4d', '#495057', '#8e5ba6'].slice(0, causes.length)}},
                 tooltip: [{field: 'cause'}, {field: 'day', title: 'from day', format: '.2f'},
                           {field: 'day_end', title: 'to day', format: '.2f'}, {field: 'nodes'}]},
    });
  }

  // ---- what each class lost -----------------------------------------------------------------

  const lostRows = classes.map((c) => {
    const v = c.failures ? c.failures.revenue_lost_usd : 0;
    return {class: c.name, usd: v, label: fmt.usd(v)};
  });
  const hi = Math.max(1, ...lostRows.map((r) => r.usd));
  chart(s, 'failure_cost', 'Revenue each class lost to failures',
        'Batch: the work lost since the last checkpoint and the restarts, at the job\'s value per GPU-hour; services: demand ' +
        'dropped past its SLO for want of the failed GPUs. The down GPUs\' own cost (' + fmt.usd(ff.down_cost_usd) +
        ') is the fleet\'s, in no class\'s.', {
    width: W, height: Math.max(90, 26 * lostRows.length),
    data: values(lostRows),
    encoding: {
      y: {field: 'class', type: 'nominal', sort: names, title: null},
      x: {field: 'usd', type: 'quantitative', title: 'revenue lost (USD)', axis: {format: '$~s'},
          scale: {domain: [0, 1.22 * hi], nice: false}},
    },
    layer: [
      {mark: {type: 'bar', color: '#c0392b'},
       encoding: {tooltip: [{field: 'class'}, {field: 'usd', title: 'revenue lost (USD)', format: '$,.0f'}]}},
      {mark: {type: 'text', baseline: 'middle', align: 'left', dx: 4, fontSize: 11, fontWeight: 600, color: '#1f2328'},
       encoding: {text: {field: 'label'}}},
    ],
  });

  const head = ['class', 'interruptions', 'work lost (GPU-h)', 'restarts (GPU-h)', 'checkpoints (GPU-h)',
                'revenue lost', 'effective time'];
  const rows = classes.map((c) => {
    const f = c.failures || {};
    return [c.name, fmt.num(f.interruptions), fmt.gpuh(f.failure_lost_work_gpu_h), fmt.gpuh(f.restart_gpu_h),
            fmt.gpuh(f.checkpoint_gpu_h), fmt.usd(f.revenue_lost_usd), fmt.pct(f.effective_time_fraction)];
  });
  const total = ['total', fmt.num(ff.interruptions), fmt.gpuh(ff.failure_lost_work_gpu_h), fmt.gpuh(ff.restart_gpu_h),
                 fmt.gpuh(ff.checkpoint_gpu_h), fmt.usd(ff.revenue_lost_usd), ''];
  const t = el('table', {'data-table': 'failures'},
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))),
       el('tr', {class: 'total'}, ...total.map((c) => el('td', {}, c)))));
  s.append(el('div', {class: 'scroll'}, t),
           el('p', {class: 'note'}, 'Work lost is in reference GPU-hours (what the work is worth on the reference GPU). Effective ' +
              'time: for batch classes, the share of their jobs\' GPU time whose work was kept (the Llama 3 paper\'s "effective ' +
              'training time"); services have none.'));

  // ---- drawing ------------------------------------------------------------------------------

  const draw = window.fleetsimDraw;
  window.fleetsimDraw = function () {
    const embed = window.vegaEmbed;
    const options = {renderer: 'svg', actions: {export: true, source: false, compiled: false, editor: false}};
    const mine = Promise.all(charts.map((c) => embed(c.body, c.spec, options).then((result) => {
      views[c.id] = result.view;
      timing.charts_ms[c.id] = performance.now();
    })));
    // report.js's charts resolve only once these have too (see the top of this file).
    window.vegaEmbed = (...args) => Promise.all([embed(...args), mine]).then((r) => r[0]);
    try {
      draw();
    } finally {
      window.vegaEmbed = embed;
    }
  };
})();
