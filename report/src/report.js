// fleetsim report page. fleetsim (sim/report/) writes the figures of a run or a sweep into the
// JSON block "fleetsim-data"; this script lays out the page and draws every chart as a
// Vega-Lite spec through vega-embed (SVG renderer, so charts print and scale). It runs offline:
// the libraries are inlined in the same file, after this script, so that the headline and the
// tables show while the browser is still parsing them; page.html then calls fleetsimDraw().
// window.fleetsimReport resolves when every chart has rendered; body[data-ready] is then "true"
// (or "error"), which the report tests wait for.
(function () {
  'use strict';

  // Milliseconds since navigation start: when the page was laid out, when the libraries were
  // parsed and drawing began, and when each chart was drawn; bench/report_bench reads them.
  const timing = {script_start_ms: null, laid_out_ms: null, charts_ms: {}};
  window.fleetsimTiming = timing;
  const data = JSON.parse(document.getElementById('fleetsim-data').textContent);
  const main = document.getElementById('report');
  const pending = [];  // charts laid out, drawn by fleetsimDraw() once the libraries are parsed
  const rendering = [];
  const views = {};

  // ---- small helpers ------------------------------------------------------------------------

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
  const usd2 = new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2});
  const int0 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
  const fmt = {
    usd: (v) => (v === null || v === undefined ? '-' : usd0.format(v)),
    rate: (v) => (v === null || v === undefined ? '-' : usd2.format(v)),
    pct: (v) => (v === null || v === undefined ? '-' : (100 * v).toFixed(1) + '%'),
    num: (v) => (v === null || v === undefined ? '-' : int0.format(v)),
    wait: (s) => {
      if (s === null || s === undefined) return '-';
      if (s < 60) return s.toFixed(0) + ' s';
      if (s < 3600) return (s / 60).toFixed(1) + ' min';
      if (s < 86400) return (s / 3600).toFixed(1) + ' h';
      const d = (s / 86400).toFixed(1);
      return d + (d === '1.0' ? ' day' : ' days');
    },
  };

  // "1 day", "2 days", "1.5 days": a count and its noun, plural unless the count is one.
  function plural(n, noun, text) {
    return (text === undefined ? String(n) : text) + ' ' + (n === 1 ? noun : noun + 's');
  }

  // A number shown on the page, tied to the figure it comes from (the tests read these).
  function num(text, key, value) {
    return el('span', {class: 'num', 'data-key': key, 'data-value': String(value)}, text);
  }

  const EMBED = {
    renderer: 'svg',
    // Export only: the other actions open the online Vega editor, and this page is offline.
    actions: {export: true, source: false, compiled: false, editor: false},
  };

  // The data are numbers already: skip Vega-Lite's per-row type parsing (about a tenth of the
  // page's CPU time for a 30-day run; docs/performance.md, Reports).
  function noParse(spec) {
    if (spec.data && spec.data.values) spec.data.format = {parse: null};
    for (const k of ['layer', 'vconcat', 'hconcat']) (spec[k] || []).forEach(noParse);
    if (spec.spec) noParse(spec.spec);
    return spec;
  }

  function chart(parent, id, title, note, spec) {
    const body = el('div', {class: 'chart-body'});
    parent.append(el('figure', {class: 'chart', 'data-chart': id}, el('h3', {}, title),
                     note ? el('p', {class: 'note'}, note) : null, body));
    const full = Object.assign({$schema: 'https://vega.github.io/schema/vega-lite/v6.json',
                                config: {view: {stroke: null}, font: 'system-ui, sans-serif'}}, noParse(spec));
    pending.push(() => vegaEmbed(body, full, EMBED).then((result) => {
      views[id] = result.view;
      timing.charts_ms[id] = performance.now();
    }));
  }

  function section(title, intro) {
    const s = el('section', {}, el('h2', {}, title));
    if (intro) s.append(el('p', {class: 'note'}, intro));
    main.append(s);
    return s;
  }

  // Colours by family, so that LLM and video work read apart at a glance: LLM classes in cool
  // hues (blue, sky, indigo, teal), video in warm ones (orange, rust, gold). Within a family the
  // colours differ in lightness as well as hue, so that they stay apart for colour-blind readers
  // (tests/scenarios/report_test.cpp checks the distances under simulated colour blindness).
  const PALETTES = {
    llm: ['#1f63b5', '#56c3e8', '#312078', '#3f9e8f'],
    video: ['#f28e2b', '#a8340c', '#e8c547'],
    other: ['#8e5ba6', '#4d4d4d', '#c9a0dc'],
  };
  const UNALLOCATED = '#d4d4d4';
  function classColours(classes) {
    const used = {llm: 0, video: 0, other: 0};
    return classes.map((c) => {
      const fam = PALETTES[c.family] ? c.family : 'other';
      const pal = PALETTES[fam];
      return pal[used[fam]++ % pal.length];
    });
  }

  // Small multiples, one panel per item, in rows of at most `perRow` that share the items out
  // evenly (5 items: 3 + 2, each row as wide as the page), so that no row ends in an empty
  // panel as a faceted grid would. `panel(item, width)` returns one panel's spec.
  function panels(items, perRow, W, panel) {
    const rows = Math.ceil(items.length / perRow);
    const out = [];
    let next = 0;
    for (let r = 0; r < rows; r++) {
      const n = Math.floor(items.length / rows) + (r < items.length % rows ? 1 : 0);
      const width = Math.floor((W - 70 * (n - 1)) / n);
      out.push({hconcat: items.slice(next, next + n).map((it) => panel(it, width)), spacing: 40});
      next += n;
    }
    return out.length === 1 ? out[0] : {vconcat: out, spacing: 24};
  }

  function table(head, rows, totalRow) {
    const t = el('table', {},
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))));
    if (totalRow) t.tBodies[0].append(el('tr', {class: 'total'}, ...totalRow.map((c) => el('td', {}, c))));
    return el('div', {class: 'scroll'}, t);
  }

  // ---- a run --------------------------------------------------------------------------------

  function runReport() {
    const meta = data.meta, fleet = data.fleet, totals = data.totals, classes = data.classes;
    const ts = data.timeseries;
    const names = classes.map((c) => c.name);
    const colours = classColours(classes);
    const days = meta.horizon_s / 86400;

    main.append(el('h1', {}, meta.scenario + ' under ' + meta.policy));
    main.append(el('p', {class: 'sub'}, (data.gpus_owned ? 'up to ' : '') + fmt.num(fleet.gpus) + ' GPUs, ' +
                   plural(days, 'day', Number.isInteger(days) ? String(days) : days.toFixed(1)) + ', seed ' + meta.seed +
                   (meta.version ? ', fleetsim ' + meta.version : '')));

    const headline = el('div', {class: 'headline', 'data-role': 'headline'});
    for (const sentence of data.headline) {
      headline.append(el('p', {}, ...sentence.map((p) => (p.key ? num(p.text, p.key, p.value) : p.text))));
    }
    main.append(headline);

    const tile = (label, text, key, value) => el('div', {class: 'tile'}, el('span', {class: 'label'}, label), num(text, key, value));
    const tiles = el('div', {class: 'tiles'},
      tile('revenue', fmt.usd(totals.revenue_usd), 'totals.revenue_usd', totals.revenue_usd),
      tile('cost', fmt.usd(totals.cost_usd), 'totals.cost_usd', totals.cost_usd),
      tile('profit', fmt.usd(totals.profit_usd), 'totals.profit_usd', totals.profit_usd),
      tile('opportunity cost', fmt.usd(totals.opportunity_cost_usd), 'totals.opportunity_cost_usd', totals.opportunity_cost_usd),
      tile('utilization', fmt.pct(fleet.utilization), 'fleet.utilization', fleet.utilization));
    if (typeof fleet.mean_shadow_price_usd_per_gpu_h === 'number') {
      tiles.append(tile('mean shadow price per GPU-hour', fmt.rate(fleet.mean_shadow_price_usd_per_gpu_h),
                        'fleet.mean_shadow_price_usd_per_gpu_h', fleet.mean_shadow_price_usd_per_gpu_h));
    }
    main.append(tiles);

    // Plot width from one measure of the page: 'container' widths make every chart re-measure
    // the page as it grows (a forced layout per chart; docs/performance.md, Reports).
    const W = Math.max(420, Math.min(main.clientWidth, 1180) - 260);
    const day = ts.t_s.map((t) => t / 86400);
    const dayScale = {domain: [0, days], nice: false};
    const dayAxis = {tickCount: Math.max(2, Math.min(Math.ceil(days), 15))};
    const coarse = meta.timeseries_rows_per_point > 1
      ? ' Each point averages ' + meta.timeseries_rows_per_point + ' rows of timeseries.csv.' : '';
    const classScale = {domain: names, range: colours};

    // GPUs held per class, stacked, with the unallocated rest on top up to the fleet size. The
    // bands are stacked here (y0, y1) rather than by Vega-Lite: its stack transform was the
    // page's costliest step for a long run (docs/performance.md, Reports).
    const gpuRows = [];
    for (let i = 0; i < day.length; i++) {
      let sum = 0;
      names.forEach((n) => {
        const g = ts.classes[n].gpus_allocated[i];
        gpuRows.push({day: day[i], class: n, gpus: g, y0: sum, y1: sum + g});
        sum += g;
      });
      // A fleet that changes over time: the top edge is what it owned then.
      const owned = data.gpus_owned ? data.gpus_owned.reduce((a, o) => a + o.gpus[i], 0) : fleet.gpus;
      const idle = Math.max(0, owned - sum);
      gpuRows.push({day: day[i], class: 'unallocated', gpus: idle, y0: sum, y1: sum + idle});
    }
    const s1 = section('Who held the GPUs',
      'Each class is charged for the GPUs it holds, busy or not; unallocated GPUs are the fleet\'s own idle line.');
    // A fleet that changes over time (pools coming online, retiring): its composition first.
    if (data.gpus_owned) {
      const typeNames = data.gpus_owned.map((o) => o.gpu_type);
      const fleetRows = [];
      for (let i = 0; i < day.length; i++) {
        let sum = 0;
        data.gpus_owned.forEach((o) => {
          const g = o.gpus[i];
          fleetRows.push({day: day[i], gpu_type: o.gpu_type, gpus: g, y0: sum, y1: sum + g});
          sum += g;
        });
      }
      chart(s1, 'fleet', 'The fleet over time: GPUs owned by type',
            'Stacked: each GPU type\'s GPUs while its pools were online and not retired (bought or rented). ' +
            'Capacity, idle GPU-hours and cost count only these.' + coarse, {
        width: W, height: 220,
        data: {values: fleetRows},
        mark: {type: 'area', interpolate: 'step-after'},
        encoding: {
          x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
          y: {field: 'y1', type: 'quantitative', title: 'GPUs owned'},
          y2: {field: 'y0'},
          color: {field: 'gpu_type', type: 'nominal', title: 'GPU type', sort: typeNames},
          tooltip: [{field: 'gpu_type', title: 'GPU type'}, {field: 'day', format: '.2f'}, {field: 'gpus', format: ',.0f'}],
        },
      });
    }
    chart(s1, 'gpus', 'GPUs held per class over time', 'Stacked: the top edge is the fleet (' +
          (data.gpus_owned ? 'the GPUs it owned at the time' : fmt.num(fleet.gpus) + ' GPUs') + ').' + coarse, {
      width: W, height: 300,
      data: {values: gpuRows},
      mark: {type: 'area', interpolate: 'step-after'},
      encoding: {
        x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
        y: {field: 'y1', type: 'quantitative', title: 'GPUs'},
        y2: {field: 'y0'},
        color: {field: 'class', type: 'nominal', title: 'class',
                scale: {domain: names.concat(['unallocated']), range: colours.concat([UNALLOCATED])}},
        tooltip: [{field: 'class'}, {field: 'day', format: '.2f'}, {field: 'gpus', format: ',.0f'}],
      },
    });

    // Services: what was asked for and what was served, in busy GPUs, against what was held.
    // One row per time and class with the three figures side by side: a third of the rows of
    // one row per figure, and no filters.
    const services = classes.filter((c) => c.kind === 'service');
    if (services.length > 0) {
      const rowsOf = (c) => {
        const s = ts.classes[c.name], rows = [];
        for (let i = 0; i < day.length; i++) {
          rows.push({day: day[i], held: s.gpus_allocated[i], served: s.gpus_busy[i],
                     demand: s.demand_gpus ? s.demand_gpus[i] : null});
        }
        return rows;
      };
      const SERVED = 'served (busy GPUs)', DEMAND = 'demand (busy GPUs needed)';
      const line = (field, label, dash) => ({
        mark: {type: 'line', interpolate: 'step-after', strokeWidth: 1.5, strokeDash: dash},
        encoding: {x: {field: 'day', type: 'quantitative'}, y: {field: field, type: 'quantitative'},
                   color: {datum: label, type: 'nominal', title: null, legend: {orient: 'top'},
                           scale: {domain: [DEMAND, SERVED], range: ['#a8340c', '#1f63b5']}}}});
      const withDemand = services.some((c) => ts.classes[c.name].demand_gpus);
      chart(s1, 'services', 'Services: demand and served against GPUs held (shaded)',
            'Demand is converted to the busy GPUs it would need (units per second times the GPU-seconds a unit took). ' +
            'A service serves at most its max_utilization share of what it holds; demand above the served line waited past its SLO and was lost.',
            panels(services, 3, W, (c, width) => ({
              title: c.name, width: width, height: 170, data: {values: rowsOf(c)},
              layer: [
                {mark: {type: 'area', interpolate: 'step-after', opacity: 0.25, color: '#56c3e8'},
                 encoding: {x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
                            y: {field: 'held', type: 'quantitative', title: 'GPUs'}}},
                line('served', SERVED, [1, 0]),
              ].concat(withDemand ? [line('demand', DEMAND, [4, 3])] : []),
            })));
    }

    // Revenue per GPU-hour held, per class, against the shadow price, over a trailing window.
    // Batch work is paid when its work is saved (a completion, a checkpoint kept at preemption,
    // the horizon), so the revenue timeseries.csv records for it comes in lumps: a class valued
    // at $2 per GPU-hour of work shows $0 for days and then several times $2. What it earns is
    // the value of the work its GPUs do: here each batch class's revenue is spread over the
    // hours its GPUs were busy, at its own revenue per busy GPU-hour over the run (the value
    // per GPU-hour of its work, less restarts and lost work), so the line integrates to its
    // revenue and reads as the doc's "training earns $2".
    const accrual = {};
    for (const c of classes) {
      if (c.kind === 'batch' && typeof c.busy_gpu_h === 'number' && c.busy_gpu_h > 0) {
        accrual[c.name] = c.revenue_usd / c.busy_gpu_h;
      }
    }
    const win = meta.rate_window_s;
    const shadowLabel = data.pools ? 'shadow price (fleet average)' : 'shadow price';
    const rateRows = [];
    const winLabel = win >= 86400 ? 'trailing ' + (win / 86400) + '-day' : 'trailing ' + (win / 3600).toFixed(1) + '-hour';
    for (let i = 0; i < day.length; i++) {
      const end = ts.t_s[i] + ts.length_s[i];
      let first = i;
      while (first > 0 && ts.t_s[first - 1] + ts.length_s[first - 1] > end - win) first--;
      let len = 0, shadow = 0;
      for (let j = first; j <= i; j++) { len += ts.length_s[j]; shadow += ts.shadow_price_usd_per_gpu_h[j] * ts.length_s[j]; }
      rateRows.push({day: end / 86400, series: shadowLabel, usd_per_gpu_h: len > 0 ? shadow / len : 0});
      for (const n of names) {
        const s = ts.classes[n];
        let revenue = 0, gpuH = 0;
        const perBusy = accrual[n];
        for (let j = first; j <= i; j++) {
          revenue += perBusy === undefined ? s.revenue_usd[j] : perBusy * s.gpus_busy[j] * ts.length_s[j] / 3600;
          gpuH += s.gpus_allocated[j] * ts.length_s[j] / 3600;
        }
        if (gpuH > 0) rateRows.push({day: end / 86400, series: n, usd_per_gpu_h: revenue / gpuH});
      }
    }
    const s2 = section('What a GPU-hour earned',
      'The shadow price is what one more GPU-hour would have earned in the best work left waiting at that moment (0 when nothing waited). ' +
      'A class below the shadow price ran while better-paying work waited: that gap, times its GPU-hours, is its opportunity cost.');
    chart(s2, 'rates', 'Revenue per GPU-hour held, per class, against the shadow price',
          'Both are ' + winLabel + ' averages.' + (Object.keys(accrual).length
            ? ' Batch work is booked in lumps, when it is saved (completions, preemptions, the end of the run); ' +
              'its line spreads its revenue over the hours its GPUs were busy.' : ''), {
      width: W, height: 300,
      data: {values: rateRows},
      mark: {type: 'line', interpolate: 'linear'},
      encoding: {
        x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
        y: {field: 'usd_per_gpu_h', type: 'quantitative', title: 'USD per GPU-hour'},
        color: {field: 'series', type: 'nominal', title: null,
                scale: {domain: names.concat([shadowLabel]), range: colours.concat(['#111111'])}},
        strokeWidth: {condition: {test: 'datum.series === ' + JSON.stringify(shadowLabel), value: 3}, value: 1.5},
        strokeDash: {condition: {test: 'datum.series === ' + JSON.stringify(shadowLabel), value: [6, 3]}, value: [1, 0]},
        tooltip: [{field: 'series'}, {field: 'day', format: '.2f'}, {field: 'usd_per_gpu_h', format: '$.2f'}],
      },
    });

    // Several pools: each has its own shadow price (the best waiting demand that may use it, at
    // its speed there), which is what the classes holding its GPUs are charged against.
    if (data.pools) {
      const poolRows = [];
      const poolNames = data.pools.map((p) => p.name);
      for (let i = 0; i < day.length; i++) {
        data.pools.forEach((p, k) => poolRows.push({day: day[i], pool: poolNames[k], usd_per_gpu_h: p.shadow_price_usd_per_gpu_h[i]}));
      }
      chart(s2, 'pool_shadow', 'Shadow price per pool',
            'Per GPU-hour of each pool: the revenue per GPU-hour, at its speed there, of the best demand left waiting that may run on the pool. ' +
            'A class is charged opportunity cost against the pools it held; the line above is their average over the fleet\'s GPUs.' + coarse, {
        width: W, height: 240,
        data: {values: poolRows},
        mark: {type: 'line', interpolate: 'step-after'},
        encoding: {
          x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
          y: {field: 'usd_per_gpu_h', type: 'quantitative', title: 'USD per GPU-hour'},
          color: {field: 'pool', type: 'nominal', title: 'pool', sort: poolNames},
          tooltip: [{field: 'pool'}, {field: 'day', format: '.2f'}, {field: 'usd_per_gpu_h', format: '$.2f'}],
        },
      });
    }

    // Profit and loss per class.
    const measures = ['revenue', 'cost', 'profit', 'opportunity cost'];
    const pnlRows = [];
    for (const c of classes) {
      pnlRows.push({class: c.name, measure: 'revenue', usd: c.revenue_usd});
      pnlRows.push({class: c.name, measure: 'cost', usd: c.cost_usd});
      pnlRows.push({class: c.name, measure: 'profit', usd: c.profit_usd});
      pnlRows.push({class: c.name, measure: 'opportunity cost', usd: c.opportunity_cost_usd});
    }
    const s3 = section('Profit and loss per class',
      'Cost is every GPU-hour a class held (amortized capex, energy, overhead). Opportunity cost is not a cash cost: it is what the same GPU-hours would have earned in the best waiting work.');
    chart(s3, 'pnl', 'Revenue, cost, profit and opportunity cost per class', null, {
      width: W, height: 280,
      data: {values: pnlRows},
      mark: 'bar',
      encoding: {
        x: {field: 'class', type: 'nominal', sort: names, title: null, axis: {labelAngle: 0}},
        xOffset: {field: 'measure', type: 'nominal', sort: measures},
        y: {field: 'usd', type: 'quantitative', title: 'USD', axis: {format: '$~s'}},
        color: {field: 'measure', type: 'nominal', title: null,
                scale: {domain: measures, range: ['#2f855a', '#8c8c8c', '#1d4e89', '#c53030']}},
        tooltip: [{field: 'class'}, {field: 'measure'}, {field: 'usd', format: '$,.0f'}],
      },
    });
    // Profit per class on its own scale, every bar labelled with its amount: a loss of a few
    // thousand dollars next to a profit of a million is a sliver on any shared axis, and it is
    // often the run's lesson (energy-shock).
    const profitRows = classes.map((c) => ({class: c.name, usd: c.profit_usd}));
    if (typeof fleet.idle_cost_usd === 'number' && fleet.idle_cost_usd > 0) {
      profitRows.push({class: 'unallocated GPUs', usd: -fleet.idle_cost_usd});
    }
    for (const r of profitRows) r.label = fmt.usd(r.usd);
    const lo = Math.min(0, ...profitRows.map((r) => r.usd)), hi = Math.max(0, ...profitRows.map((r) => r.usd));
    const room = 0.22 * Math.max(hi - lo, 1);  // beside the bars, for their labels
    const losses = classes.filter((c) => c.profit_usd <= -0.5).map((c) => c.name);
    chart(s3, 'profit', 'Profit per class',
          (losses.length ? 'Made a loss: ' + losses.join(', ') + '. ' : 'No class made a loss. ') +
          'Profit is revenue minus the cost of the GPU-hours held; unallocated GPUs are the fleet\'s own cost.', {
      width: W, height: Math.max(90, 26 * profitRows.length),
      data: {values: profitRows},
      encoding: {
        y: {field: 'class', type: 'nominal', sort: profitRows.map((r) => r.class), title: null},
        x: {field: 'usd', type: 'quantitative', title: 'profit (USD)', axis: {format: '$~s'},
            scale: {domain: [lo < 0 ? lo - room : 0, hi > 0 ? hi + room : 0], nice: false}},
      },
      layer: [
        {mark: 'bar', encoding: {
          color: {condition: {test: 'datum.usd < 0', value: '#c0392b'}, value: '#59636e'},
          tooltip: [{field: 'class'}, {field: 'usd', title: 'profit (USD)', format: '$,.0f'}]}},
        {transform: [{filter: 'datum.usd >= 0'}],
         mark: {type: 'text', baseline: 'middle', align: 'left', dx: 4, fontSize: 11, fontWeight: 600, color: '#1f2328'},
         encoding: {text: {field: 'label'}}},
        {transform: [{filter: 'datum.usd < 0'}],
         mark: {type: 'text', baseline: 'middle', align: 'right', dx: -4, fontSize: 11, fontWeight: 600, color: '#c0392b'},
         encoding: {text: {field: 'label'}}},
      ],
    });

    const heldTotal = classes.reduce((a, c) => a + c.gpu_h, 0);
    const pnlTable = table(
      ['class', 'family', 'GPU-hours', 'share held', 'revenue', 'cost', 'profit',
       'revenue per GPU-hour', 'opportunity cost', 'served', 'wait p50', 'wait p99'],
      classes.map((c) => [c.name, c.family + ' ' + c.kind, fmt.num(c.gpu_h), fmt.pct(heldTotal > 0 ? c.gpu_h / heldTotal : null),
                          fmt.usd(c.revenue_usd), fmt.usd(c.cost_usd), fmt.usd(c.profit_usd),
                          fmt.rate(c.revenue_usd_per_gpu_h), fmt.usd(c.opportunity_cost_usd),
                          fmt.pct(c.served_fraction), fmt.wait(c.wait_s_p50), fmt.wait(c.wait_s_p99)])
        .concat(typeof fleet.idle_cost_usd === 'number'
          ? [['unallocated GPUs', '', fmt.num(fleet.gpu_h_unallocated), '', '', fmt.usd(fleet.idle_cost_usd),
              fmt.usd(-fleet.idle_cost_usd), '', '', '', '', '']] : []),
      ['total', '', fmt.num(fleet.gpu_h_capacity), '', fmt.usd(totals.revenue_usd), fmt.usd(totals.cost_usd),
       fmt.usd(totals.profit_usd), fmt.rate(fleet.gpu_h_capacity > 0 ? totals.revenue_usd / fleet.gpu_h_capacity : null),
       fmt.usd(totals.opportunity_cost_usd), '', '', '']);
    pnlTable.setAttribute('data-table', 'pnl');
    s3.append(pnlTable);

    // Waiting and utilization.
    const s4 = section('Waiting and utilization', null);
    const waitRows = [], waitRange = [];
    for (const c of classes) {
      if (c.wait_s_p50 === null || c.wait_s_p50 === undefined) continue;
      waitRange.push({class: c.name, p50: c.wait_s_p50, p99: c.wait_s_p99});
      waitRows.push({class: c.name, statistic: 'median (p50)', wait_s: c.wait_s_p50});
      waitRows.push({class: c.name, statistic: 'mean', wait_s: c.wait_s_mean});
      waitRows.push({class: c.name, statistic: '99th percentile', wait_s: c.wait_s_p99});
    }
    const ticks = [0, 1, 10, 60, 600, 3600, 21600, 86400, 604800, 2592000];
    const maxWait = Math.max(1, ...waitRows.map((r) => r.wait_s || 0));
    const waitAxis = {values: ticks.filter((t, k) => k === 0 || t <= maxWait * 3),
      labelExpr: "datum.value < 60 ? datum.value + ' s' : datum.value < 3600 ? datum.value / 60 + ' min' : " +
                 "datum.value < 86400 ? datum.value / 3600 + ' h' : datum.value / 86400 + ' d'"};
    if (waitRows.length > 0) {
      chart(s4, 'waits', 'Queue waits per class',
            'Services: how long a served unit waited (demand past its SLO is lost, not counted here). Batch: submission to first start of the jobs that started. Log-like scale.', {
        width: W, height: Math.max(120, 34 * waitRange.length),
        layer: [
          {data: {values: waitRange}, mark: {type: 'rule', color: '#8c8c8c', strokeWidth: 2},
           encoding: {y: {field: 'class', type: 'nominal', sort: names, title: null},
                      x: {field: 'p50', type: 'quantitative', scale: {type: 'symlog', constant: 1}},
                      x2: {field: 'p99'}}},
          {data: {values: waitRows}, mark: {type: 'point', filled: true, size: 80},
           encoding: {y: {field: 'class', type: 'nominal', sort: names},
                      x: {field: 'wait_s', type: 'quantitative', title: 'wait', scale: {type: 'symlog', constant: 1}, axis: waitAxis},
                      shape: {field: 'statistic', type: 'nominal', title: null, sort: ['median (p50)', 'mean', '99th percentile']},
                      color: {field: 'statistic', type: 'nominal', title: null, sort: ['median (p50)', 'mean', '99th percentile'],
                              scale: {range: ['#1d4e89', '#2f855a', '#c53030']}},
                      tooltip: [{field: 'class'}, {field: 'statistic'}, {field: 'wait_s', title: 'wait (s)', format: ',.0f'}]}},
        ],
      });
    }
    if (data.waits && data.waits.classes.length > 0) {
      const bins = data.waits.bins;
      const rows = [];
      for (const h of data.waits.classes) {
        const total = h.counts.reduce((a, b) => a + b, 0);
        h.counts.forEach((n, k) => rows.push({class: h.name, bin: bins[k], order: k, jobs: n, share: total > 0 ? n / total : 0}));
      }
      const rejected = data.waits.classes.filter((h) => h.rejected > 0).map((h) => h.name + ': ' + fmt.num(h.rejected));
      chart(s4, 'wait_histograms', 'How long batch jobs waited to start (from jobs.csv)',
            'Share of each class\'s jobs by wait before their first start; the last bar counts jobs still waiting at the end of the run.' +
            (rejected.length ? ' Rejected at admission, not shown: ' + rejected.join(', ') + '.' : ''),
            Object.assign(panels(data.waits.classes, 3, W, (h, width) => ({
              title: h.name, width: width, height: 160, data: {values: rows.filter((r) => r.class === h.name)},
              mark: 'bar',
              encoding: {
                x: {field: 'bin', type: 'ordinal', sort: bins, title: null, axis: {labelAngle: -40}},
                y: {field: 'share', type: 'quantitative', title: 'share of jobs', axis: {format: '%'}},
                color: {field: 'class', type: 'nominal', legend: null, scale: classScale},
                tooltip: [{field: 'class'}, {field: 'bin', title: 'wait'}, {field: 'jobs', format: ','}, {field: 'share', format: '.1%'}],
              },
            })), {resolve: {scale: {y: 'shared'}}}));
    }
    const utilRows = [];
    for (let i = 0; i < day.length; i++) {
      let busy = 0, heldNow = 0;
      for (const n of names) { busy += ts.classes[n].gpus_busy[i]; heldNow += ts.classes[n].gpus_allocated[i]; }
      // Of the GPUs owned at the time (a fleet that changes over time), else of the fleet.
      const ownedNow = data.gpus_owned ? data.gpus_owned.reduce((a, o) => a + o.gpus[i], 0) : fleet.gpus;
      utilRows.push({day: day[i], series: 'held by a class', share: ownedNow > 0 ? heldNow / ownedNow : 0});
      utilRows.push({day: day[i], series: 'busy (doing work)', share: ownedNow > 0 ? busy / ownedNow : 0});
    }
    chart(s4, 'utilization', 'Utilization over time',
          'Share of the fleet\'s GPUs held by some class and doing work. Over the whole run, ' + fmt.pct(fleet.utilization) +
          ' of GPU-hours did work.' + coarse, {
      width: W, height: 220,
      data: {values: utilRows},
      mark: {type: 'line', interpolate: 'step-after'},
      encoding: {
        x: {field: 'day', type: 'quantitative', title: 'day', scale: dayScale, axis: dayAxis},
        y: {field: 'share', type: 'quantitative', title: 'share of the fleet', axis: {format: '%'}, scale: {domain: [0, 1]}},
        color: {field: 'series', type: 'nominal', title: null, scale: {range: ['#1d4e89', '#f08c2e']}},
        tooltip: [{field: 'series'}, {field: 'day', format: '.2f'}, {field: 'share', format: '.1%'}],
      },
    });

    glossary('fleetsim report ' + '<run folder>');
  }

  function glossary(command) {
    const s = section('How to read this report', null);
    s.append(el('dl', {class: 'glossary'},
      el('dt', {}, 'GPU-hours held'), el('dd', {}, 'GPUs a class was allocated, times hours, busy or idle: what it is charged for.'),
      el('dt', {}, 'cost'), el('dd', {}, 'Amortized capex for every hour of the run, energy (busy and idle power times PUE times price) and overhead, minus subsidy, per GPU-hour held.'),
      el('dt', {}, 'shadow price'), el('dd', {}, 'The revenue per GPU-hour of the most valuable demand left unserved or waiting at a moment; 0 when nothing waits.'),
      el('dt', {}, 'opportunity cost'), el('dd', {}, 'Sum over time of a class\'s GPU-hours times how far the shadow price was above its own revenue per GPU-hour: what the lab gave up by running it instead of the best waiting work.')),
      el('p', {class: 'note'}, 'Definitions: docs/metrics.md. Written by fleetsim; regenerate with ', el('code', {}, command), '.'));
  }

  // ---- a sweep ------------------------------------------------------------------------------

  // A dotted key in words with its unit, for axes, controls and tooltips:
  // workload.classes.video-gen.price_usd_per_unit -> "video-gen price (USD per unit)",
  // platform.pools.h100-a.nodes -> "h100-a nodes", policy.name -> "policy". The key itself stays
  // in the text above the maps and in the tables.
  const UNIT_WORDS = {usd: 'USD', kwh: 'kWh', gpu_h: 'GPU-hour', s: 'second', h: 'hour', w: 'W',
                      tflops: 'TFLOPS', gb: 'GB', gbps: 'Gb/s', unit: 'unit', job: 'job', units: 'units'};
  const LEAF_WORDS = {gpu_s_per_unit: 'GPU-seconds per unit', energy_usd_per_kwh: 'energy price (USD per kWh)',
                      demand_units_per_s: 'demand (units per second)', arrival_rate_per_h: 'arrivals (per hour)',
                      max_utilization: 'max utilization', horizon_s: 'horizon (s)', tick_s: 'tick (s)',
                      peak_h: 'peak hour', pue: 'PUE', amortization_years: 'amortization (years)'};
  function keyLabel(key) {
    const parts = key.split('.');
    if (key === 'policy.name') return 'policy';
    let subject = '', rest = parts;
    if ((parts[0] === 'workload' || parts[0] === 'platform') && parts.length >= 4) {
      subject = parts[2] + ' ';
      rest = parts.slice(3);
    } else if (parts[0] === 'policy' && parts[1] === 'params') {
      if (parts.length === 2) return 'policy parameters';
      subject = 'policy ';
      rest = parts.slice(2);
    }
    const leaf = rest[rest.length - 1];
    const prefix = subject + rest.slice(0, -1).join(' ') + (rest.length > 1 ? ' ' : '');
    if (LEAF_WORDS[leaf]) return prefix + LEAF_WORDS[leaf];
    // A unit suffix: _usd_per_<x>, _per_<x>, or one unit word at the end.
    let m = leaf.match(/^(.*)_usd_per_(gpu_h|kwh|unit|job)$/);
    if (m) return prefix + m[1].replace(/_/g, ' ') + ' (USD per ' + UNIT_WORDS[m[2]] + ')';
    m = leaf.match(/^(.*)_per_(s|h|unit)$/);
    if (m) return prefix + m[1].replace(/_/g, ' ') + ' (per ' + UNIT_WORDS[m[2]] + ')';
    m = leaf.match(/^(.*)_(usd|s|h|w|tflops|gb|gbps)$/);
    if (m) return prefix + m[1].replace(/_/g, ' ') + ' (' + (m[2] === 's' ? 's' : UNIT_WORDS[m[2]]) + ')';
    return prefix + leaf.replace(/_/g, ' ');
  }

  function sweepReport() {
    const meta = data.meta, keys = data.keys, cells = data.cells;
    const policy = meta.policy === null ? null : keys[meta.policy];
    // Keys whose value the policy fixes (its parameters) go with the policy everywhere.
    const withPolicy = (meta.with_policy || []).map((i) => keys[i]);
    const ofPolicy = (k) => k === policy || withPolicy.includes(k);
    const failed = cells.filter((c) => c.status !== 'ok');
    // Profit is the run's own total (points.csv) unless the folder has none (an older sweep).
    const runTotals = meta.profit_of === 'run';
    const ctx = {meta, keys, cells, policy, withPolicy, ofPolicy, runTotals};

    // "Point" is one run (a setting with a seed); a setting is the swept keys' values.
    main.append(el('h1', {}, 'Sweep ' + meta.name));
    main.append(el('p', {class: 'sub'}, plural(meta.settings, 'setting') + ' (' + plural(meta.runs, 'point') + ')' +
                   (keys.length ? ' over ' + keys.map((k) => keyLabel(k.key)).join(', ') : ' of seeds only') +
                   (meta.version ? '; fleetsim ' + meta.version : '')));
    const headline = el('div', {class: 'headline', 'data-role': 'headline'});
    main.append(headline);
    if (meta.view === 'maps') mapsView(ctx, headline);
    else if (meta.view === 'designs') designsView(headline);
    else linesView(ctx, headline);
    if (failed.length) {
      headline.append(el('p', {class: 'warning'}, plural(failed.length, 'setting') + (failed.length === 1 ? ' has' : ' have') +
                          ' failed points; ' + (failed.length === 1 ? 'it is' : 'they are') + ' listed below.'));
    }
    if (!runTotals) {
      headline.append(el('p', {class: 'warning', 'data-role': 'profit-source'},
        'This sweep folder has no points.csv (a sweep by an older fleetsim, or made by hand), so profit here is the sum of the classes\' ' +
        'profit: it leaves out the cost of GPUs no class held, and a policy that leaves GPUs idle looks better than in its own run. ' +
        'Run the sweep again with this fleetsim (into a new folder) for the runs\' own totals and their intervals.'));
    }
    effectsView(ctx);

    if (failed.length > 0) {
      const f = section('Failed points', 'Settings with failed points (status failed in results.csv); in the maps their cells are grey.');
      f.append(table(keys.map((k) => keyLabel(k.key)).concat(['points done', 'failed']),
                     failed.map((c) => keys.map((k) => String(c[k.field])).concat([String(c.replications), String(c.failed)]))));
    }
    glossary('fleetsim report ' + '<sweep folder>');
  }

  // A number with the significant digits a chart's format asks for, for sentences.
  function formatted(v, format) {
    if (format.indexOf('%') >= 0) return fmt.pct(v);
    return Math.abs(v) >= 1000 ? fmt.usd(v) : usd2.format(v);
  }

  // One line (or interval, with no key to draw against) per policy, the mean over seeds with its
  // 95% interval as a band, for each chart of data.charts; the baseline drawn and where each line
  // crosses it marked (docs/report.md, "A sweep's report").
  function linesView(ctx, headline) {
    const {meta, keys, policy} = ctx;
    const lines = meta.view === 'lines';
    const xKey = lines ? keys[meta.line_key] : null;
    const baseline = data.baseline;
    const policies = policy ? policy.values : [''];
    const colour = {field: 'policy', type: 'nominal', title: policy ? keyLabel(policy.key) : null,
                    scale: {domain: policies, scheme: 'tableau10'}, legend: policy ? {orient: 'top', symbolOpacity: 1} : null};
    const xValues = lines ? xKey.values : [];
    const logX = lines && xKey.numeric && xValues.length > 2 && xValues[0] > 0 && xValues[xValues.length - 1] / xValues[0] >= 20;
    const X = lines
      ? (xKey.numeric ? {field: 'x', type: 'quantitative', title: keyLabel(xKey.key),
                         scale: logX ? {type: 'log', domain: [xValues[0], xValues[xValues.length - 1]], nice: false}
                                     : {domain: [xValues[0], xValues[xValues.length - 1]], nice: false, zero: false}}
                      : {field: 'x', type: 'ordinal', title: keyLabel(xKey.key), sort: xValues})
      : {field: 'x', type: 'nominal', title: policy ? keyLabel(policy.key) : null, sort: policies, axis: {labelAngle: 0}};
    const seeds = Math.max(0, ...data.lines.map((r) => r.n));

    const what = lines
      ? 'Each chart draws, against ' + keyLabel(xKey.key) + ' (' : 'Each chart gives ';
    headline.append(el('p', {}, what, lines ? el('code', {}, xKey.key) : null, lines ? '), ' : '',
      (policy ? 'one line per ' + keyLabel(policy.key) : 'one line') + ': the mean over ' + plural(seeds, 'seed') +
      ' of each setting, and its 95% interval (Student\'s t) as a band.'));
    if (baseline) {
      const value = baseline.value;
      const on = baseline.on === 'policy'
        ? 'the ' + keyLabel(baseline.key) + ' ' + value + ', drawn dashed'
        : baseline.on === 'x' ? keyLabel(baseline.key) + ' = ' + value + ', its level drawn as a dashed line across each chart'
          : baseline.key + ' = ' + value;
      headline.append(el('p', {'data-role': 'baseline'}, 'Baseline: ', on, ' (', el('code', {}, baseline.key + ': ' + value),
                         '; paired.csv compares every setting with it seed by seed).'));
    }
    const crossingText = (c, chart) => (c.policy ? c.policy + '\'s ' : '') + chart.title.toLowerCase() +
      (c.panel ? ' (' + c.panel + ')' : '') + ' crosses the baseline\'s at ' + keyLabel(xKey.key) + ' ≈ ' +
      Number(c.x.toPrecision(3)) + ' (' + formatted(c.y, chart.format) + ')';
    const profitCrossings = data.crossings.filter((c) => c.chart === 'profit');
    if (profitCrossings.length) {
      const chartDef = data.charts.find((c) => c.id === 'profit');
      headline.append(el('p', {'data-role': 'crossings'}, profitCrossings.map((c) => crossingText(c, chartDef)).join('; ') + '.'));
    } else if (baseline && lines && baseline.on !== 'other') {
      headline.append(el('p', {'data-role': 'crossings'}, 'No line crosses its baseline\'s profit within the values swept.'));
    }

    const W = Math.max(420, Math.min(main.clientWidth, 1180) - 220);
    function panelSpec(chartDef, panel, width, height) {
      const of = (r) => r.chart === chartDef.id && r.panel === panel;
      const rows = data.lines.filter(of);
      // Shares stay between 0 and 1 (an interval past them is cut at the frame).
      const share = chartDef.format.indexOf('%') >= 0;
      const Y = {type: 'quantitative', title: chartDef.title, axis: {format: chartDef.format},
                 scale: share ? {domain: [0, 1]} : undefined};
      if (!share) delete Y.scale;
      const tips = [{field: 'policy', title: policy ? keyLabel(policy.key) : 'setting'},
                    {field: 'x', title: lines ? keyLabel(xKey.key) : 'setting'},
                    {field: 'mean', title: 'mean', format: chartDef.format}, {field: 'low', title: '95% interval from', format: chartDef.format},
                    {field: 'high', title: 'to', format: chartDef.format}, {field: 'n', title: 'seeds'}];
      const layer = [
        lines
          ? {mark: {type: 'area', opacity: 0.2, clip: true}, encoding: {x: X, y: Object.assign({field: 'low'}, Y), y2: {field: 'high'}, color: colour}}
          : {mark: {type: 'rule', strokeWidth: 2, clip: true}, encoding: {x: X, y: Object.assign({field: 'low'}, Y), y2: {field: 'high'}, color: colour}},
        lines
          ? {mark: {type: 'line', point: true, strokeWidth: 2},
             encoding: {x: X, y: Object.assign({field: 'mean'}, Y), color: colour,
                        strokeDash: {field: 'role', type: 'nominal', legend: null,
                                     scale: {domain: ['compared', 'baseline'], range: [[1, 0], [6, 4]]}},
                        tooltip: tips}}
          : {mark: {type: 'point', filled: true, size: 70}, encoding: {x: X, y: Object.assign({field: 'mean'}, Y), color: colour, tooltip: tips}},
      ];
      const rules = data.rules.filter(of), crossings = data.crossings.filter(of);
      if (rules.length) {
        layer.push({data: {values: rules}, mark: {type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5},
                    encoding: {y: {field: 'y', type: 'quantitative'}, color: colour,
                               tooltip: [{field: 'policy'}, {field: 'y', title: 'baseline', format: chartDef.format}]}});
      }
      if (crossings.length) {
        layer.push({data: {values: crossings}, mark: {type: 'point', shape: 'diamond', size: 120, filled: true, color: '#111'},
                    encoding: {x: {field: 'x', type: 'quantitative'}, y: {field: 'y', type: 'quantitative'},
                               tooltip: [{field: 'policy'}, {field: 'x', title: 'crosses the baseline at ' + keyLabel(xKey.key)},
                                         {field: 'y', title: chartDef.title, format: chartDef.format}]}});
      }
      return {title: panel || null, width: width, height: height, data: {values: rows}, layer: layer};
    }
    const s = section(lines ? 'Against ' + keyLabel(xKey.key) : 'Per ' + (policy ? keyLabel(policy.key) : 'setting'),
      'Profit, revenue and opportunity cost are each run\'s own totals (points.csv); served is each class\'s served_fraction ' +
      '(results.csv). Means and intervals are those of stats.csv.');
    for (const chartDef of data.charts) {
      const marks = data.crossings.filter((c) => c.chart === chartDef.id);
      const note = chartDef.note + (marks.length ? '. Diamonds: ' + marks.map((c) => crossingText(c, chartDef)).join('; ') + '.' : '.');
      const spec = chartDef.panels.length === 1
        ? panelSpec(chartDef, chartDef.panels[0], W, 260)
        : panels(chartDef.panels, 3, W, (p, width) => panelSpec(chartDef, p, width, 180));
      chart(s, chartDef.id, chartDef.title, note, spec);
    }
  }

  // A one-at-a-time or sampled sweep, parameter by parameter: the run's profit against each
  // (one_at_a_time: the settings where only it left its base, the base setting in every panel;
  // sample: every sampled setting), the mean over seeds with its 95% interval
  // (docs/report.md, "A sweep's report"). Its settings fill no grid, so there are no maps.
  function designsView(headline) {
    const rows = data.design_lines;
    const panelsOf = [];
    for (const r of rows) {
      if (!panelsOf.some((p) => p.design === r.design && p.key === r.key)) panelsOf.push({design: r.design, key: r.key, method: r.method});
    }
    const series = [...new Set(rows.map((r) => r.series))];
    const seeds = Math.max(0, ...rows.map((r) => r.n));
    const oat = panelsOf.some((p) => p.method === 'one_at_a_time');
    headline.append(el('p', {}, oat
      ? 'One parameter at a time around a base setting: each panel draws the run\'s profit against one parameter, the others at their bases (the base setting, larger, is in every panel): '
      : 'Sampled parameters: each panel draws the run\'s profit of every sampled setting against one parameter (the others move too): ',
      'the mean over ' + plural(seeds, 'seed') + ' and its 95% interval (Student\'s t). "Which parameter matters most?" below compares them.'));
    const colour = {field: 'series', type: 'nominal', title: null, scale: {domain: series, scheme: 'tableau10'},
                    legend: series.length > 1 ? {orient: 'top', symbolOpacity: 1} : null};
    const W = Math.max(420, Math.min(main.clientWidth, 1180) - 220);
    const s = section('Parameter by parameter', 'Profit is each run\'s own total (total_profit_usd in points.csv); means and intervals are those of stats.csv.');
    chart(s, 'design', 'Profit of the run against each parameter', null, panels(panelsOf, 3, W, (p, width) => {
      const values = rows.filter((r) => r.design === p.design && r.key === p.key).sort((a, b) => a.x - b.x);
      const xs = values.map((r) => r.x);
      const X = {field: 'x', type: 'quantitative', title: keyLabel(p.key), scale: {domain: [Math.min(...xs), Math.max(...xs)], nice: false, zero: false}};
      const Y = {type: 'quantitative', title: 'profit of the run (USD)', axis: {format: '$,.3~s'}, scale: {zero: false}};
      const tips = [{field: 'series', title: 'where'}, {field: 'x', title: keyLabel(p.key)}, {field: 'mean', title: 'mean', format: '$,.0f'},
                    {field: 'low', title: '95% interval from', format: '$,.0f'}, {field: 'high', title: 'to', format: '$,.0f'}, {field: 'n', title: 'seeds'}];
      const layer = p.method === 'one_at_a_time'
        ? [{mark: {type: 'area', opacity: 0.2}, encoding: {x: X, y: Object.assign({field: 'low'}, Y), y2: {field: 'high'}, color: colour}},
           {mark: {type: 'line', point: true, strokeWidth: 2}, encoding: {x: X, y: Object.assign({field: 'mean'}, Y), color: colour, tooltip: tips}},
           {transform: [{filter: 'datum.base'}], mark: {type: 'point', filled: true, size: 110},
            encoding: {x: X, y: Object.assign({field: 'mean'}, Y), color: colour, tooltip: tips}}]
        : [{mark: {type: 'rule', strokeWidth: 1.5}, encoding: {x: X, y: Object.assign({field: 'low'}, Y), y2: {field: 'high'}, color: colour}},
           {mark: {type: 'point', filled: true, size: 50}, encoding: {x: X, y: Object.assign({field: 'mean'}, Y), color: colour, tooltip: tips}}];
      return {title: keyLabel(p.key), width: width, height: 180, data: {values: values}, layer: layer};
    }));
  }

  // Heat maps over two swept keys (or the pair --x, --y name), the others held by controls.
  function mapsView(ctx, headline) {
    const {meta, keys, cells, policy, ofPolicy, runTotals} = ctx;
    const x = keys[meta.x], y = meta.y === null ? null : keys[meta.y];
    const profitOf = runTotals ? 'profit of the run' : 'profit of the classes';
    const idleNote = runTotals ? 'incl. idle GPUs' : 'excl. idle GPUs';
    const profitTitle = profitOf + ', ' + idleNote + ' (USD)';
    headline.append(
      el('p', {}, 'Across: ' + keyLabel(x.key) + ' (', el('code', {}, x.key), ')', y ? '; down: ' + keyLabel(y.key) + ' (' : '',
         y ? el('code', {}, y.key) : '', y ? ')' : '',
         data.controls.length ? '; move through the other keys with the controls above the maps.' : '.'),
      policy ? el('p', {}, 'The last map shows which ' + keyLabel(policy.key) + ' (', el('code', {}, policy.key),
                  ') made the most profit at each setting, and by how much (hover a cell).') : '');

    // A control per key that is not an axis: a slider for evenly spaced numbers, else a list.
    const params = data.controls.map((c) => {
      const k = keys.find((kk) => kk.field === c.field);
      const bind = c.input === 'range'
        ? {input: 'range', min: c.min, max: c.max, step: c.step, name: keyLabel(c.key) + ' '}
        : {input: 'select', options: k.values, name: keyLabel(c.key) + ' '};
      return {name: 'c_' + c.field, value: k.values[0], bind: bind};
    });
    const filterFor = (c) => {
      const k = keys.find((kk) => kk.field === c.field);
      const p = 'c_' + c.field;
      if (!k.numeric) return 'datum.' + c.field + ' === ' + p;
      const tol = c.input === 'range' ? c.step / 2 : 1e-9;
      return 'abs(datum.' + c.field + ' - toNumber(' + p + ')) <= ' + tol + ' * max(1, abs(datum.' + c.field + '))';
    };
    const cellFilters = data.controls.map((c) => ({filter: filterFor(c)}));
    const bestFilters = data.controls.filter((c) => !ofPolicy(keys.find((k) => k.field === c.field)))
      .map((c) => ({filter: filterFor(c)}));

    // Three maps side by side, each with its axis and legend, in the page's width.
    const perMap = (Math.min(main.clientWidth, 1180) - 3 * 120 - 150) / 3;
    const cellW = Math.max(14, Math.min(64, Math.floor(perMap / x.values.length)));
    const cellH = Math.max(20, Math.min(40, Math.floor(240 / (y ? y.values.length : 1))));
    // A cell prints its figure only where the text fits inside it: about 5.5 px a character at
    // 9 px, "$812k" or "100%" at most 6 characters, a policy's name as long as it is. Labels
    // wider than their cells would run into their neighbours'.
    const CHAR_PX = 5.5;
    const fits = (chars) => cellW >= chars * CHAR_PX + 4 && cellH >= 13;
    const showText = fits(6);
    // Axis titles: the key in words with its unit; the dotted keys are in the text above.
    const axisX = {field: x.field, type: 'ordinal', sort: x.values, title: keyLabel(x.key),
                   axis: {labelAngle: cellW >= 40 ? 0 : -45}};
    const axisY = y ? {field: y.field, type: 'ordinal', sort: y.values, title: keyLabel(y.key)} : null;
    const keyTips = keys.map((k) => ({field: k.field, title: keyLabel(k.key)}));

    // `heading`: the map's title, a string or {text, subtitle} (a short second line keeps the
    // map's column as narrow as its cells); `title` names the figure in the tooltip.
    function heatmap(metric, title, format, scheme, extraTips, heading) {
      const enc = {x: axisX};
      if (axisY) enc.y = axisY;
      const layers = [
        {transform: [{filter: "datum.status !== 'failed'"}], mark: 'rect',
         encoding: Object.assign({}, enc, {
           color: {field: metric, type: 'quantitative', title: null, scale: {scheme: scheme}, legend: {format: format, orient: 'bottom', gradientLength: 160}},
           tooltip: keyTips.concat([{field: metric, title: title, format: format}], extraTips || [],
                                   [{field: 'replications', title: 'points done'}, {field: 'status'}])})},
        {transform: [{filter: "datum.status === 'failed'"}], mark: {type: 'rect', color: '#e5e5e5'},
         encoding: Object.assign({}, enc, {tooltip: keyTips.concat([{field: 'status'}])})},
      ];
      if (showText) {
        layers.push({transform: [{filter: "datum.status !== 'failed'"}], mark: {type: 'text', fontSize: 9},
                     encoding: Object.assign({}, enc, {text: {field: metric, format: format}})});
        layers.push({transform: [{filter: "datum.status === 'failed'"}], mark: {type: 'text', fontSize: 9, color: '#9a3412'},
                     encoding: Object.assign({}, enc, {text: {value: 'failed'}})});
      }
      return {title: heading || title, data: {values: cells}, transform: cellFilters.slice(),
              width: cellW * x.values.length, height: cellH * (y ? y.values.length : 1), layer: layers};
    }

    const maps = [
      heatmap('profit_usd', profitTitle, '$.3~s', 'viridis',
              runTotals ? [{field: 'classes_profit_usd', title: 'profit of the classes, excl. idle GPUs (USD)', format: '$.3~s'}] : [],
              {text: profitOf + ' (USD)', subtitle: idleNote}),
      heatmap('video_gpu_h_share', 'video share of GPU-hours held', '.0%', 'oranges'),
      heatmap('opportunity_cost_usd', 'opportunity cost (USD)', '$.3~s', 'reds'),
    ];
    const rows = [{hconcat: maps, resolve: {scale: {color: 'independent'}}}];
    if (policy && data.best.length > 0) {
      const enc = {};
      if (!ofPolicy(x)) enc.x = axisX;
      if (axisY && !ofPolicy(y)) enc.y = axisY;
      const tips = keys.filter((k) => !ofPolicy(k)).map((k) => ({field: k.field, title: keyLabel(k.key)}))
        .concat([{field: 'best_policy', title: 'best policy'}, {field: 'profit_usd', title: profitTitle, format: '$,.0f'},
                 {field: 'runner_up', title: 'runner-up'}, {field: 'margin_usd', title: 'ahead by', format: '$,.0f'}]);
      const nx = enc.x ? x.values.length : 1, ny = enc.y ? y.values.length : 1;
      const layers = [{mark: 'rect', encoding: Object.assign({}, enc, {
        color: {field: 'best_policy', type: 'nominal', title: 'best policy', scale: {domain: policy.values, scheme: 'tableau10'},
                legend: {orient: 'right'}},
        tooltip: tips})}];
      const longest = Math.max(...policy.values.map((v) => String(v).length));
      if (fits(longest)) layers.push({mark: {type: 'text', fontSize: 9}, encoding: Object.assign({}, enc, {text: {field: 'best_policy'}})});
      // Anchored at the map's left edge: a centred title wider than the map would push every
      // map to the right, out of the page's width.
      rows.push({title: {text: 'best ' + keyLabel(policy.key) + ' at each setting (highest ' + profitOf + ', ' + idleNote + ')', anchor: 'start'},
                 data: {values: data.best}, transform: bestFilters,
                 width: Math.max(cellW * nx, 120), height: cellH * ny, layer: layers});
    }
    const s = section('Heat maps', (runTotals
      ? 'Profit is each run\'s own total (total_profit_usd in points.csv, totals.profit_usd in the run\'s summary.json): revenue minus ' +
        'the cost of every GPU, the GPUs no class held included; the tooltip also gives the classes\' sum, which leaves those out. '
      : 'Profit here is the sum of the classes\' profit, as results.csv has it (one row per class): the cost of GPUs no class held is not in it. ') +
      'The points of a setting (its seeds) are averaged; stats.csv has their intervals.');
    chart(s, 'sweep', 'Profit, video share and opportunity cost over ' + keyLabel(x.key) + (y ? ' and ' + keyLabel(y.key) : ''), null, {
      params: params,
      vconcat: rows,
      spacing: 28,
      // Each map its own colour scale and legend, drawn beside that map: a shared scale puts the
      // best-policy legend at the top, beside the profit map.
      resolve: {scale: {color: 'independent'}, legend: {color: 'independent'}},
    });
  }

  // "Which parameter matters most?": for one-at-a-time and sampled designs, the change of the
  // run's profit across each parameter's range (its slope times the range), with its interval.
  function effectsView(ctx) {
    const effects = data.effects;
    if (!effects.length) return;
    const profit = effects.filter((e) => e.figure === 'total_profit_usd');
    const contexts = [...new Set(effects.map((e) => e.context))];
    const s = section('Which parameter matters most?',
      'For each parameter of a one-at-a-time or sampled block: the slope of the figure against it (least squares with an intercept ' +
      'per seed), and the change it makes across the values tried (slope × range), each with its 95% interval. effects.csv has every figure.');
    const W = Math.max(420, Math.min(main.clientWidth, 1180) - 300);
    const rows = profit.map((e) => Object.assign({label: keyLabel(e.key)}, e));
    // Several settings of the other keys (e.g. one per policy): bars side by side per parameter.
    const offset = (enc) => (contexts.length > 1 ? Object.assign(enc, {yOffset: {field: 'context'}}) : enc);
    chart(s, 'effects', 'Change of the run\'s profit across each parameter\'s range', null, {
      width: W, height: {step: contexts.length > 1 ? 14 * contexts.length : 26},
      data: {values: rows},
      layer: [
        {mark: {type: 'bar', opacity: 0.8},
         encoding: offset({y: {field: 'label', type: 'nominal', title: null, sort: null, axis: {labelLimit: 320}},
                    x: {field: 'change', type: 'quantitative', title: 'change of profit across the range (USD)', axis: {format: '$,.3~s'}},
                    color: {field: 'context', type: 'nominal', title: null, legend: contexts.length > 1 ? {orient: 'top'} : null},
                    tooltip: [{field: 'key'}, {field: 'context'}, {field: 'low', title: 'from'}, {field: 'high', title: 'to'},
                              {field: 'slope', title: 'slope (USD per unit)', format: ',.4~g'}, {field: 'change', format: '$,.0f'},
                              {field: 'change_low', title: '95% interval from', format: '$,.0f'},
                              {field: 'change_high', title: 'to', format: '$,.0f'}, {field: 'n', title: 'points'}]})},
        {mark: {type: 'rule', color: '#111'},
         encoding: offset({y: {field: 'label', type: 'nominal', sort: null},
                           x: {field: 'change_low', type: 'quantitative'}, x2: {field: 'change_high'}})},
      ],
    });
    const names = {total_profit_usd: 'profit', total_revenue_usd: 'revenue', total_cost_usd: 'cost', total_opportunity_cost_usd: 'opportunity cost'};
    const interval = (lo, hi) => (lo === null || hi === null ? '' : ' [' + Number(lo.toPrecision(3)) + ', ' + Number(hi.toPrecision(3)) + ']');
    s.append(table(['parameter', 'where', 'from', 'to', 'figure', 'slope (USD per unit) [95%]', 'change across the range (USD) [95%]'],
      effects.map((e) => [keyLabel(e.key), e.context, String(e.low), String(e.high), names[e.figure] || e.figure,
                          Number(e.slope.toPrecision(4)) + interval(e.slope_low, e.slope_high),
                          fmt.usd(e.change) + interval(e.change_low, e.change_high)])));
  }

  // ---- print --------------------------------------------------------------------------------

  // Printed, a run's report is a handout of one or two pages (style.css, @media print). A chart
  // drawn for the screen would shrink to the paper's width with its text; instead, before the
  // browser lays out the print, each single-view chart is redrawn at the paper's width (A4 or
  // Letter less 10 mm margins, with room to spare) and the time series at a strip's height, with
  // its text at full size; afterwards the screen sizes come back. Small multiples (the services,
  // the wait histograms) only shrink with the page. Vega's run() redraws synchronously, so the
  // print sees the new charts.
  const PRINT_WIDTH_PX = 700;
  const PRINT_HEIGHT_PX = {gpus: () => 135, rates: () => 135, profit: (h) => Math.round(0.75 * h)};
  let screenSizes = null;
  function sizeOf(view) {
    const s = view.getState({signals: (name) => name === 'width' || name === 'height', data: () => false}).signals;
    return {width: s.width, height: s.height};
  }
  window.addEventListener('beforeprint', () => {
    if (screenSizes || data.kind === 'sweep') return;
    screenSizes = {};
    for (const [id, view] of Object.entries(views)) {
      const size = sizeOf(view);
      const svg = view.container().querySelector('svg');
      if (!svg || !(size.width > 0)) continue;  // a concatenation: no single width to set
      const around = Number(svg.getAttribute('width')) - size.width;  // axes and legend
      const width = Math.max(200, Math.min(size.width, PRINT_WIDTH_PX - around));
      const height = PRINT_HEIGHT_PX[id] ? PRINT_HEIGHT_PX[id](size.height) : size.height;
      if (width === size.width && height === size.height) continue;
      screenSizes[id] = size;
      view.width(width).height(height).run();
    }
  });
  window.addEventListener('afterprint', () => {
    if (!screenSizes) return;
    for (const [id, size] of Object.entries(screenSizes)) views[id].width(size.width).height(size.height).run();
    screenSizes = null;
  });

  // ---- go -----------------------------------------------------------------------------------

  try {
    if (data.kind === 'sweep') sweepReport();
    else runReport();
  } catch (e) {
    rendering.push(Promise.reject(e));
  }
  timing.laid_out_ms = performance.now();
  window.fleetsimViews = views;
  window.fleetsimDraw = function () {
    timing.script_start_ms = performance.now();
    for (const draw of pending) {
      try {
        rendering.push(draw());
      } catch (e) {
        rendering.push(Promise.reject(e));
      }
    }
    window.fleetsimReport = Promise.all(rendering).then(() => {
      document.body.setAttribute('data-ready', 'true');
      main.setAttribute('aria-busy', 'false');
    }, (e) => {
      document.body.setAttribute('data-ready', 'error');
      console.error('fleetsim report: a chart failed to render:', e);
    });
  };
})();
