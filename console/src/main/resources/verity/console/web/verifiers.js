// verifiers.js: per-suite and per-verifier scoring statistics with a stacked
// verdict-mix bar and circuit-breaker state. Rows are updated in place.
(function () {
  'use strict';
  const V = window.Verity;
  const VERDICTS = ['correct', 'wrong', 'timeout', 'crashed', 'malformed', 'violation'];

  // [cell class, formatter(record)]; formatters return text
  const SUITE_CELLS = [
    ['suite', (s) => V.text(s.suite)],
    ['verifiers', (s) => V.fmtInt(s.verifiers)],
    ['scored', (s) => V.fmtInt(s.scored)],
    ['rate', (s) => V.fmtFloat(s.verdictsPerSecond)],
    ['mix', null],
    ['timeouts', (s) => V.fmtInt(s.timeouts)],
    ['infra', (s) => V.fmtInt(s.infrastructureFailures)],
    ['p50', (s) => V.fmtFloat(s.p50Millis)],
    ['p99', (s) => V.fmtFloat(s.p99Millis)],
    ['queued', (s) => V.fmtInt(s.queued)],
    ['breaker', (s) => V.text(s.breaker)],
  ];
  const VERIFIER_CELLS = [
    ['verifier', (v) => V.text(v.verifier)],
    ['node', (v) => V.text(v.node)],
    ['suite', (v) => V.text(v.suite)],
    ['scored', (v) => V.fmtInt(v.scored)],
    ['correct', (v) => V.fmtPct(fraction(v.verdicts, 'correct'), 1)],
    ['timeouts', (v) => V.fmtInt(v.verdicts ? v.verdicts.timeout : null)],
    ['infra', (v) => V.fmtInt(v.infrastructureFailures)],
    ['p50', (v) => V.fmtFloat(v.p50Millis)],
    ['p99', (v) => V.fmtFloat(v.p99Millis)],
    ['queued', (v) => V.fmtInt(v.queued)],
    ['breaker', (v) => V.text(v.breaker)],
    ['seen', (v) => V.fmtAgo(v.lastSeenSecondsAgo)],
  ];
  const TEXT_CELLS = ['suite', 'verifier', 'node', 'breaker', 'mix'];

  function total(verdicts) {
    return Object.values(verdicts || {}).reduce((a, n) => a + (V.isNum(n) ? n : 0), 0);
  }

  function fraction(verdicts, key) {
    const t = total(verdicts);
    return t > 0 && V.isNum(verdicts[key]) ? verdicts[key] / t : null;
  }

  function verdictKeys(verdicts) {
    return VERDICTS.concat(Object.keys(verdicts || {}).filter((k) => !VERDICTS.includes(k)));
  }

  function cssName(s) {
    return String(s || 'unknown').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  }

  // a keyed, in-place updated table
  function liveTable(id, keyAttr, cells, extra) {
    const tbody = document.querySelector(`#${id} tbody`);
    const rows = new Map();
    return function render(records) {
      const present = new Set();
      const order = records.map((r) => {
        const key = String(r[keyAttr]);
        present.add(key);
        let row = rows.get(key);
        if (!row) {
          row = { tr: document.createElement('tr'), cells: {} };
          row.tr.dataset[keyAttr] = key;
          for (const [c] of cells) {
            const td = document.createElement('td');
            td.className = 'c-' + c + (TEXT_CELLS.includes(c) ? '' : ' num');
            row.cells[c] = td;
            row.tr.appendChild(td);
          }
          rows.set(key, row);
        }
        for (const [c, fmt] of cells) if (fmt) V.setText(row.cells[c], fmt(r));
        const b = row.cells.breaker;
        b.className = 'c-breaker breaker-' + cssName(r.breaker);
        row.cells.infra.classList.toggle('bad', V.isNum(r.infrastructureFailures) && r.infrastructureFailures > 0);
        if (extra) extra(row, r);
        return row.tr;
      });
      for (const [key, row] of rows) {
        if (!present.has(key)) {
          row.tr.remove();
          rows.delete(key);
        }
      }
      V.placeInOrder(tbody, order);
    };
  }

  // stacked bar: one segment per verdict, created once and resized
  function updateMix(row, s) {
    const td = row.cells.mix;
    let bar = td.firstElementChild;
    if (!bar) {
      bar = document.createElement('div');
      bar.className = 'mix';
      td.appendChild(bar);
    }
    const t = total(s.verdicts);
    for (const k of verdictKeys(s.verdicts)) {
      let seg = bar.querySelector(`[data-verdict="${cssName(k)}"]`);
      if (!seg) {
        seg = document.createElement('span');
        seg.className = 'seg seg-' + cssName(k);
        seg.dataset.verdict = cssName(k);
        bar.appendChild(seg);
      }
      const n = (s.verdicts || {})[k];
      const f = t > 0 && V.isNum(n) ? n / t : 0;
      seg.style.width = (f * 100).toFixed(2) + '%';
      seg.title = `${k}: ${V.fmtInt(n || 0)} (${V.fmtPct(f, 1)})`;
    }
    bar.classList.toggle('none', t === 0);
    bar.title = t === 0 ? 'no verdicts yet' : '';
  }

  function markStale(row, v) {
    row.tr.classList.toggle('stale', V.isNum(v.lastSeenSecondsAgo) && v.lastSeenSecondsAgo > 5);
  }

  const renderSuites = liveTable('verifier-suites', 'suite', SUITE_CELLS, updateMix);
  const renderVerifiers = liveTable('verifiers', 'verifier', VERIFIER_CELLS, markStale);
  const byName = (k) => (a, b) => String(a[k]).localeCompare(String(b[k]), undefined, { numeric: true });

  document.getElementById('verdict-legend').innerHTML = VERDICTS.map((k) =>
    `<span class="legend-item"><span class="swatch seg-${k}"></span>${k}</span>`).join('');

  V.stream('/api/verifiers/stream', 'snapshot', (snap) => {
    renderSuites((snap.suites || []).filter((s) => s && s.suite != null).sort(byName('suite')));
    renderVerifiers((snap.verifiers || []).filter((v) => v && v.verifier != null)
      .sort((a, b) => byName('suite')(a, b) || byName('verifier')(a, b)));
  });
})();
