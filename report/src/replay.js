// A run with classes replayed from a job log (summary.json classes.<name>.job_trace): a table
// of each class's simulated waits beside the waits the log recorded, over the same jobs, in
// the "Waiting and utilization" section. This script is added to report.html only for such
// runs (sim/report/html_page.cpp), after report.js has laid the page out, so that a report of
// a run without a log stays as it was, byte for byte.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('fleetsim-data').textContent);
  const replayed = (data.classes || []).filter((c) => c.job_trace);
  if (replayed.length === 0) return;
  const wait = (s) => {
    if (s === null || s === undefined) return '-';
    if (s < 60) return s.toFixed(0) + ' s';
    if (s < 3600) return (s / 60).toFixed(1) + ' min';
    if (s < 86400) return (s / 3600).toFixed(1) + ' h';
    const d = (s / 86400).toFixed(1);
    return d + (d === '1.0' ? ' day' : ' days');
  };
  const count = (n) => Number(n).toLocaleString('en-US');
  const cell = (tag, text) => {
    const e = document.createElement(tag);
    e.textContent = text;
    return e;
  };
  const head = ['class', 'log', 'jobs compared', 'mean wait: simulated', 'recorded',
                'median: simulated', 'recorded', 'p90: simulated', 'recorded', 'capped', 'dropped'];
  const table = document.createElement('table');
  table.setAttribute('data-table', 'replay');
  const hr = document.createElement('tr');
  head.forEach((h) => hr.append(cell('th', h)));
  table.append(document.createElement('thead'));
  table.tHead.append(hr);
  const body = document.createElement('tbody');
  for (const c of replayed) {
    const r = c.job_trace;
    const dropped = r.jobs_dropped_unknown + r.jobs_dropped_zero_run + r.jobs_dropped_oversize;
    const row = [c.name, r.path.split('/').pop() + ' (' + r.format + ')', count(r.jobs_compared),
                 wait(r.wait_s_mean), wait(r.recorded_wait_s_mean), wait(r.wait_s_p50),
                 wait(r.recorded_wait_s_p50), wait(r.wait_s_p90), wait(r.recorded_wait_s_p90),
                 count(r.jobs_capped), count(dropped)];
    const tr = document.createElement('tr');
    row.forEach((v) => tr.append(cell('td', v)));
    body.append(tr);
  }
  table.append(body);
  const scroll = document.createElement('div');
  scroll.className = 'scroll';
  scroll.append(table);
  const note = cell('p', 'Jobs replayed from a log: the wait each job had in this run beside the ' +
    'wait the log recorded for it, over the jobs that started and have a recorded wait. Capped: ' +
    'larger than the class\'s pools, run on the largest gang they hold; dropped: without a size or ' +
    'run time, or with a run time of 0.');
  note.className = 'note';
  const sections = Array.from(document.querySelectorAll('#report section'));
  const where = sections.find((s) => s.querySelector('h2') &&
                                     s.querySelector('h2').textContent === 'Waiting and utilization');
  (where || document.getElementById('report'))
    .append(cell('h3', 'Simulated waits beside the log\'s'), note, scroll);
})();
