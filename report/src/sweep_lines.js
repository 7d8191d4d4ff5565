// fleetsim sweep page for a sweep over one numeric key (meta.layout "lines"; the other sweeps
// get report.js's heat maps): the figures as lines against that key, one line per policy when
// the policy is swept too. Profit, revenue by family, opportunity cost and the services' served
// fractions; with `fleetsim report DIR --baseline RUN_DIR`, the baseline run's profit as a
// dashed rule and each line's crossing of it marked (straight lines between the swept values).
// Same contract as report.js: page.html calls fleetsimDraw(); window.fleetsimReport resolves
// when the charts are drawn, and body[data-ready] becomes "true" (or "error").
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('fleetsim-data').textContent);
  const main = document.getElementById('report');
  const pending = [];
  const views = {};

  const {el, EMBED, drawWhenReady} = window.fleetsimKit;

  const meta = data.meta, keys = data.keys;
  const x = keys[meta.x];
  const policy = meta.policy === null ? null : keys[meta.policy];
  const baseline = meta.baseline || null;
  const usd0 = new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', maximumFractionDigits: 0});
  // The key in words: its last part, underscores as spaces ("price usd per unit").
  const leaf = x.key.split('.').pop().replace(/_/g, ' ');
  const xTitle = leaf + ' (' + x.key + ')';
  const ok = data.cells.filter((c) => c.replications > 0);
  const series = (c) => (policy ? String(c[policy.field]) : 'run');
  const seriesNames = policy ? policy.values.map(String) : ['run'];

  main.append(el('h1', {}, 'Sweep ' + meta.name));
  main.append(el('p', {class: 'sub'}, data.cells.length + ' points over ' + keys.map((k) => k.key).join(', ') +
                 (meta.version ? '; fleetsim ' + meta.version : '')));

  // Where each series' profit crosses the baseline: between two neighbouring swept values whose
  // profit lies on either side of it, by the straight line through them.
  const crossings = [];
  if (baseline) {
    for (const s of seriesNames) {
      const pts = ok.filter((c) => series(c) === s && c.profit_usd !== null)
        .sort((a, b) => a[x.field] - b[x.field]);
      for (let i = 1; i < pts.length; i++) {
        const a = pts[i - 1], b = pts[i];
        const da = a.profit_usd - baseline.profit_usd, db = b.profit_usd - baseline.profit_usd;
        if (da === 0) crossings.push({series: s, x: a[x.field], profit_usd: a.profit_usd});
        else if (da * db < 0) {
          const t = da / (da - db);
          crossings.push({series: s, x: a[x.field] + t * (b[x.field] - a[x.field]), profit_usd: baseline.profit_usd});
        }
      }
      const last = pts[pts.length - 1];
      if (last && last.profit_usd === baseline.profit_usd) crossings.push({series: s, x: last[x.field], profit_usd: last.profit_usd});
    }
  }

  const headline = el('div', {class: 'headline', 'data-role': 'headline'});
  headline.append(el('p', {}, 'Each chart draws one figure against ' + leaf + ' (', el('code', {}, x.key), ')' +
    (policy ? ', one line per policy.' : '.') + ' Replications of a point are averaged.'));
  if (baseline) {
    const p = el('p', {}, 'Baseline (dashed): the profit of ' + baseline.dir + ', ',
      el('span', {class: 'num', 'data-key': 'baseline.profit_usd', 'data-value': String(baseline.profit_usd)}, usd0.format(baseline.profit_usd)), '. ');
    if (crossings.length === 0) p.append('No line crosses it within the swept values.');
    crossings.forEach((c, i) => {
      p.append(i === 0 ? 'It is crossed at ' : '; ', (policy ? c.series + ': ' : '') + leaf + ' ≈ ',
               el('span', {class: 'num', 'data-key': 'crossing:' + c.series, 'data-value': String(c.x)}, c.x.toPrecision(4)));
    });
    if (crossings.length) p.append(' (the red diamonds).');
    headline.append(p);
  }
  main.append(headline);

  function lineChart(id, title, values, yTitle, format, colourField, colourTitle, extraLayers) {
    const body = el('div', {class: 'chart-body'});
    main.append(el('figure', {class: 'chart', 'data-chart': id}, el('h3', {}, title), body));
    const enc = {
      x: {field: 'x', type: 'quantitative', title: xTitle, scale: {zero: false}},
      y: {field: 'y', type: 'quantitative', title: yTitle, axis: {format: format}},
      color: {field: colourField, type: 'nominal', title: colourTitle},
      tooltip: [{field: 'x', title: leaf}, {field: colourField, title: colourTitle}, {field: 'y', title: yTitle, format: format}],
    };
    if (policy && colourField !== 'series') enc.strokeDash = {field: 'series', type: 'nominal', title: 'policy', legend: {symbolType: 'stroke', symbolStrokeColor: '#444', symbolStrokeWidth: 2}};
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: {view: {stroke: null}, font: 'system-ui, sans-serif'},
      width: Math.max(420, Math.min(main.clientWidth, 1180) - 260), height: 240,
      layer: [{data: {values}, mark: {type: 'line', point: true}, encoding: enc}].concat(extraLayers || []),
    };
    pending.push(() => vegaEmbed(body, spec, EMBED)
      .then((r) => { views[id] = r.view; }));
  }

  const rows = (pick) => {
    const out = [];
    for (const c of ok) {
      for (const [name, v] of pick(c)) if (v !== null && v !== undefined) out.push({x: c[x.field], series: series(c), name, y: v});
    }
    return out;
  };

  const profitLayers = [];
  if (baseline) {
    profitLayers.push({data: {values: [{y: baseline.profit_usd}]}, mark: {type: 'rule', strokeDash: [6, 4], color: '#444'},
                       encoding: {y: {field: 'y', type: 'quantitative'}}});
    if (crossings.length) {
      profitLayers.push({data: {values: crossings.map((c) => ({x: c.x, y: c.profit_usd, series: c.series}))},
                         mark: {type: 'point', shape: 'diamond', size: 140, filled: true, color: '#c0392b'},
                         encoding: {x: {field: 'x', type: 'quantitative'}, y: {field: 'y', type: 'quantitative'},
                                    tooltip: [{field: 'series', title: 'crosses the baseline'}, {field: 'x', title: leaf, format: '.4~g'}]}});
    }
  }
  lineChart('profit', 'Profit of the run (USD, idle GPUs included)', rows((c) => [['profit', c.profit_usd]]),
            'profit (USD)', '$,.0f', 'series', policy ? 'policy' : ' ', profitLayers);
  lineChart('revenue', 'Revenue by family (USD)', rows((c) => Object.entries(c.revenue_usd_by_family || {})),
            'revenue (USD)', '$,.0f', 'name', 'family');
  lineChart('opportunity', 'Opportunity cost (USD)', rows((c) => [['opportunity cost', c.opportunity_cost_usd]]),
            'opportunity cost (USD)', '$,.0f', 'series', policy ? 'policy' : ' ');
  lineChart('served', 'Served fraction of each class with demand', rows((c) => Object.entries(c.served_fraction || {})),
            'served', '.0%', 'name', 'class');

  const failed = data.cells.filter((c) => c.replications === 0);
  if (failed.length) {
    main.append(el('p', {class: 'warning'}, failed.length + (failed.length === 1 ? ' point' : ' points') +
      ' failed in every replication and are left out: ' + failed.map((c) => c[x.field]).join(', ') + '.'));
  }

  window.fleetsimViews = views;
  drawWhenReady(pending, main, 'sweep');
})();
