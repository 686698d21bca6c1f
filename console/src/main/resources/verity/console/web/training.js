// training.js: one uPlot line chart per learner metric, fed by the `append`
// events of /api/training/stream. Charts are exposed as window.verityCharts.
(function () {
  'use strict';
  const V = window.Verity;
  const BLUE = '#2563eb';
  const AMBER = '#d97706';
  const SET_COLORS = [BLUE, '#16a34a', '#9333ea', '#dc2626', '#0891b2'];
  const REDRAW_MS = 500;
  const STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

  // metric -> title, y label, series from step records (x = step)
  const METRICS = [
    ['batchReward', 'Batch reward', 'reward', [['batchReward', 'reward', BLUE]]],
    ['passAt1', 'Greedy pass@1', 'pass@1', null], // from evaluations, x = version
    ['loss', 'Loss', 'loss', [['loss', 'loss', BLUE]]],
    ['approxKl', 'KL (approx.)', 'KL', [['approxKl', 'KL', BLUE]]],
    ['entropy', 'Entropy', 'nats', [['entropy', 'entropy', BLUE]]],
    ['gradNorm', 'Gradient norm', 'norm', [['gradNorm', 'norm', BLUE]]],
    ['clipFraction', 'Clip fraction (by the ratio clipped)', 'fraction',
      [['behaviourClipFraction', 'vs behaviour (ppo)', BLUE],
        ['proximalClipFraction', 'vs proximal (decoupled)', AMBER]]],
    ['behaviourWeight', 'Importance weights over the cap (decoupled)', 'fraction',
      [['truncatedFraction', 'truncated', BLUE], ['droppedFraction', 'dropped', AMBER]]],
    ['referenceKl', 'KL to the reference (k3)', 'KL', [['referenceKl', 'KL', BLUE]]],
    ['meanStaleness', 'Staleness (mean versions behind)', 'versions',
      [['meanStaleness', 'mean', BLUE], ['maxStaleness', 'max', AMBER]]],
  ];

  let steps = [];
  let evaluations = [];
  const charts = {};
  const cards = {};
  const colors = {}; // metric -> series colours, for the readout
  window.verityCharts = charts;
  const grid = document.getElementById('charts');

  // ---- data -------------------------------------------------------------

  function num(x) {
    return V.isNum(x) ? x : null;
  }

  // Append records (per series, keyed by step or version); a key that is <=
  // the last one held means the run resumed from a checkpoint: drop what we
  // hold of that series from that key on, then append.
  function appendRecords(held, incoming, key, seriesOf) {
    const last = new Map();
    for (const h of held) last.set(seriesOf(h), h[key]);
    const sorted = incoming.filter((r) => r && V.isNum(r[key])).sort((a, b) => a[key] - b[key]);
    for (const r of sorted) {
      const s = seriesOf(r);
      if (last.has(s) && r[key] <= last.get(s)) {
        held = held.filter((h) => !(seriesOf(h) === s && h[key] >= r[key]));
      }
      held.push(r);
      last.set(s, r[key]);
    }
    return held;
  }

  // the series an evaluation belongs to: its purpose (validation or test), and the split its tasks
  // are from when that differs (a suite that holds nothing out is scored on its training set)
  function setOf(e) {
    const purpose = e.purpose || 'validation';
    return e.split && e.split !== purpose ? `${purpose} (${e.split} set)` : purpose;
  }

  // evaluation series in order of appearance, at least "validation"
  function evalSets() {
    const sets = [];
    for (const e of evaluations) if (!sets.includes(setOf(e))) sets.push(setOf(e));
    return sets.length ? sets : ['validation'];
  }

  function passData() {
    const sets = evalSets();
    const versions = [...new Set(evaluations.map((e) => e.version))].sort((a, b) => a - b);
    const index = new Map(versions.map((v, i) => [v, i]));
    const ys = sets.map(() => versions.map(() => null));
    for (const e of evaluations) ys[sets.indexOf(setOf(e))][index.get(e.version)] = num(e.passAt1);
    return { sets, data: [versions, ...ys] };
  }

  // ---- charts -----------------------------------------------------------

  function axis(label, size) {
    return {
      label,
      size,
      labelSize: 14,
      labelGap: 0,
      labelFont: '11px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
      stroke: '#5b6472',
      grid: { stroke: '#edf0f4', width: 1 },
      ticks: { stroke: '#d5dae1', width: 1, size: 4 },
    };
  }

  function plotWidth(card) {
    return Math.max(200, card.querySelector('.plot').clientWidth || 300);
  }

  // two rows of cards fill the window, within limits
  function plotHeight() {
    return Math.max(170, Math.min(300, Math.floor((window.innerHeight - 150) / 2) - 56));
  }

  function makeChart(metric, title, yLabel, seriesDefs) {
    const card = document.createElement('div');
    card.className = 'chart empty';
    card.dataset.metric = metric;
    card.innerHTML = `<h3 title="${V.esc(title)}">${V.esc(title)}</h3><span class="readout"></span>
      <div class="plot"></div>`;
    grid.appendChild(card);
    cards[metric] = card;
    colors[metric] = seriesDefs.map((d) => d[2]);
    const x = metric === 'passAt1' ? 'version' : 'step';
    const y = axis(yLabel, 52);
    y.values = (u, splits) => splits.map(V.fmtFloat);
    const series = [{ label: x }].concat(seriesDefs.map(([, label, color]) => ({
      label, stroke: color, width: 1.5, spanGaps: true, points: { show: metric === 'passAt1' },
    })));
    const xAxis = axis(x, 34);
    xAxis.incrs = STEP_INCRS;
    const u = new uPlot({
      width: plotWidth(card),
      height: plotHeight(),
      padding: [10, 14, 0, 0],
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: false } },
      axes: [xAxis, y],
      series,
      hooks: { setCursor: [(u) => readout(metric, u)] },
    }, [[], ...seriesDefs.map(() => [])], card.querySelector('.plot'));
    charts[metric] = u;
  }

  // Card header: values under the cursor, or the latest values.
  function readout(metric, u) {
    const xs = u.data && u.data[0];
    if (!xs || !xs.length || cards[metric].classList.contains('empty')) return;
    const i = u.cursor.idx != null ? u.cursor.idx : xs.length - 1;
    const parts = u.series.slice(1).map((s, k) => {
      const v = V.fmtFloat(u.data[k + 1][i]);
      return u.series.length > 2 ? `<span style="color:${colors[metric][k]}">${V.esc(s.label)}</span> ${v}` : v;
    });
    V.setHtml(cards[metric].querySelector('.readout'), `${u.series[0].label} ${xs[i]}: ${parts.join(' · ')}`);
  }

  function stepSeries(metric) {
    return METRICS.find((m) => m[0] === metric)[3];
  }

  // pass@1 gets one series per evaluation set; rebuild it if sets change
  function ensurePassSeries(sets) {
    const u = charts.passAt1;
    const have = u.series.slice(1).map((s) => s.label);
    if (have.join('\n') === sets.join('\n')) return;
    for (let i = u.series.length - 1; i >= 1; i--) u.delSeries(i);
    colors.passAt1 = sets.map((set, i) => SET_COLORS[i % SET_COLORS.length]);
    sets.forEach((set, i) => u.addSeries({
      label: set, stroke: SET_COLORS[i % SET_COLORS.length], width: 1.5, spanGaps: true, points: { show: true },
    }));
    const legend = sets.length > 1 ? sets.map((s, i) =>
      `<span style="color:${SET_COLORS[i % SET_COLORS.length]}">— ${V.esc(s)}</span>`).join(' ') : '';
    cards.passAt1.querySelector('h3').innerHTML = 'Greedy pass@1 ' + (legend ? `<small>${legend}</small>` : '');
  }

  function draw() {
    const xs = steps.map((s) => s.step);
    for (const [metric] of METRICS) {
      let data;
      if (metric === 'passAt1') {
        const p = passData();
        ensurePassSeries(p.sets);
        data = p.data;
      } else {
        data = [xs, ...stepSeries(metric).map(([field]) => steps.map((s) => num(s[field])))];
      }
      charts[metric].setData(data);
      const empty = !data.slice(1).some((ys) => ys.some((y) => y !== null));
      cards[metric].classList.toggle('empty', empty);
      if (empty) V.setHtml(cards[metric].querySelector('.readout'), '');
      else readout(metric, charts[metric]);
    }
    showLatest();
  }

  function showLatest() {
    const last = steps[steps.length - 1] || {};
    V.setText(document.getElementById('latest-step'), V.fmtInt(last.step));
    V.setText(document.getElementById('latest-version'), V.fmtInt(last.version));
    V.setText(document.getElementById('latest-reward'), V.fmtFloat(last.batchReward));
    V.setText(document.getElementById('latest-time'), V.fmtDuration(last.timeSeconds));
    const validation = evaluations.filter((e) => (e.purpose || 'validation') === 'validation');
    const ev = (validation.length ? validation : evaluations).slice().sort((a, b) => a.version - b.version).pop();
    V.setText(document.getElementById('latest-pass'),
      ev ? `${V.fmtFloat(ev.passAt1)} on ${ev.split || 'validation'} (v${ev.version})` : V.DASH);
  }

  // at most one redraw per REDRAW_MS
  let lastDraw = 0;
  let timer = null;
  function scheduleDraw() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      lastDraw = performance.now();
      draw();
    }, Math.max(0, REDRAW_MS - (performance.now() - lastDraw)));
  }

  function onAppend(msg) {
    steps = appendRecords(steps, msg.steps || [], 'step', () => '');
    evaluations = appendRecords(evaluations, msg.evaluations || [], 'version', setOf);
    scheduleDraw();
  }

  function resize() {
    for (const [metric, u] of Object.entries(charts)) {
      u.setSize({ width: plotWidth(cards[metric]), height: plotHeight() });
    }
  }

  if (typeof uPlot === 'undefined') {
    V.setError('uplot', 'chart library failed to load (/assets/uplot/uPlot.iife.min.js)');
    return;
  }
  for (const [metric, title, yLabel, defs] of METRICS) makeChart(metric, title, yLabel, defs || [['passAt1', 'validation', BLUE]]);
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resize, 100);
  });
  V.stream('/api/training/stream', 'append', onAppend);
})();
