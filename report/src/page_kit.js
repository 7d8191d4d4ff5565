// What the page scripts other than report.js share (compare.js, sweep_lines.js; report.js keeps
// its own, so that a run's report.html stays as it was): building elements, vega-embed's
// options, and the drawing contract of page.html: it calls fleetsimDraw() once the libraries
// are parsed; window.fleetsimReport resolves when every chart is drawn, and body[data-ready]
// becomes "true" (or "error"), which the tests wait for.
window.fleetsimKit = (function () {
  'use strict';

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

  // SVG (charts print and scale); export only: the other actions open the online editor.
  const EMBED = {renderer: 'svg', actions: {export: true, source: false, compiled: false, editor: false}};

  // `pending`: functions that draw one chart each and return vega-embed's promise.
  function drawWhenReady(pending, main, what) {
    window.fleetsimDraw = function () {
      window.fleetsimReport = Promise.all(pending.map((draw) => draw())).then(() => {
        document.body.setAttribute('data-ready', 'true');
        main.setAttribute('aria-busy', 'false');
      }, (e) => {
        document.body.setAttribute('data-ready', 'error');
        console.error('fleetsim ' + what + ': a chart failed to render:', e);
      });
    };
  }

  return {el, EMBED, drawWhenReady};
})();
