// trajectories.js: newest sampled trajectories with suite/verdict/version
// filters (each change reopens the stream), a freeze toggle and a detail
// panel that stays open while the list updates.
(function () {
  'use strict';
  const V = window.Verity;
  const CELLS = ['id', 'suite', 'task', 'verdict', 'reward', 'versions', 'worker', 'check'];
  const NUMERIC = ['reward', 'versions', 'check'];

  const suiteSel = document.getElementById('filter-suite');
  const verdictSel = document.getElementById('filter-verdict');
  const versionIn = document.getElementById('filter-version');
  const freezeBtn = document.getElementById('freeze');
  const table = document.getElementById('trajectories');
  const tbody = table.querySelector('tbody');
  const detail = document.getElementById('trajectory-detail');
  const rows = new Map(); // id -> {tr, data}
  let frozen = false;
  let latest = null; // latest snapshot, rendered when not frozen
  let selectedId = null;
  let conn = null;

  // start from the filters in the page address, if any
  const params = new URLSearchParams(location.search);
  setOptions(suiteSel, params.get('suite') ? [params.get('suite')] : []);
  setOptions(verdictSel, params.get('verdict') ? [params.get('verdict')] : []);
  suiteSel.value = params.get('suite') || '';
  verdictSel.value = params.get('verdict') || '';
  versionIn.value = params.get('version') || '';

  // Keep "All" plus `values`, and the current choice even if it is not listed.
  function setOptions(select, values) {
    const current = select.value;
    const wanted = [''].concat(values);
    if (current && !wanted.includes(current)) wanted.push(current);
    const have = [...select.options].map((o) => o.value);
    if (have.join('\n') === wanted.join('\n')) return;
    select.replaceChildren(...wanted.map((v) => new Option(v === '' ? 'All' : v, v)));
    select.value = current;
  }

  function query() {
    const q = new URLSearchParams({
      suite: suiteSel.value,
      verdict: verdictSel.value,
      version: versionIn.value.trim(),
    });
    return q.toString();
  }

  function connect() {
    if (conn) conn.close();
    const q = query();
    const chosen = new URLSearchParams([...new URLSearchParams(q)].filter(([, v]) => v)).toString();
    history.replaceState(null, '', chosen ? '?' + chosen : location.pathname);
    table.classList.add('loading');
    conn = V.stream('/api/trajectories/stream?' + q, 'snapshot', onSnapshot);
  }

  function onSnapshot(snap) {
    latest = snap;
    table.classList.remove('loading');
    setOptions(suiteSel, snap.suites || []);
    setOptions(verdictSel, snap.verdicts || []);
    if (!frozen) render(snap);
  }

  function makeRow(t) {
    const tr = document.createElement('tr');
    tr.dataset.id = t.id;
    for (const c of CELLS) {
      const td = document.createElement('td');
      td.className = 'c-' + c + (NUMERIC.includes(c) ? ' num' : '');
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => select(rows.get(t.id).data));
    return { tr, data: t };
  }

  function fill(row, t) {
    row.data = t;
    const td = (c) => row.tr.querySelector('.c-' + c);
    V.setText(td('id'), V.text(t.id));
    V.setText(td('suite'), V.text(t.suite));
    V.setText(td('task'), V.text(t.task));
    td('task').title = V.text(t.task);
    V.setText(td('verdict'), V.text(t.verdict));
    td('verdict').className = 'c-verdict verdict-' + String(t.verdict || 'unknown');
    td('verdict').title = t.detail || '';
    V.setText(td('reward'), V.fmtFloat(t.reward));
    V.setText(td('versions'), V.fmtVersions(t.versions));
    V.setText(td('worker'), V.text(t.worker));
    V.setText(td('check'), V.fmtFloat(t.checkMillis));
  }

  function render(snap) {
    const list = (snap.trajectories || []).filter((t) => t && t.id != null);
    const present = new Set();
    const order = list.map((t) => {
      present.add(String(t.id));
      let row = rows.get(t.id);
      if (!row) {
        row = makeRow(t);
        rows.set(t.id, row);
      }
      fill(row, t);
      row.tr.classList.toggle('selected', t.id === selectedId);
      return row.tr;
    });
    for (const [id, row] of rows) {
      if (!present.has(String(id))) {
        row.tr.remove();
        rows.delete(id);
      }
    }
    V.placeInOrder(tbody, order);
    document.getElementById('no-trajectories').hidden = list.length > 0;
    V.setText(document.getElementById('shown-count'),
      `${V.fmtInt(list.length)} shown of ${V.fmtInt(snap.total)} sampled`);
  }

  function select(t) {
    selectedId = t.id;
    for (const row of rows.values()) row.tr.classList.toggle('selected', row.data.id === t.id);
    const q = (c) => detail.querySelector('.' + c);
    q('id').textContent = t.id;
    q('suite').textContent = V.text(t.suite);
    q('task').textContent = V.text(t.task);
    q('verdict').textContent = V.text(t.verdict);
    q('verdict').className = 'verdict pill verdict-' + String(t.verdict || 'unknown');
    q('reward').textContent = V.fmtFloat(t.reward);
    q('reason').textContent = V.text(t.detail);
    q('versions').textContent = V.fmtVersions(t.versions);
    q('worker').textContent = V.text(t.worker);
    q('verifier').textContent = V.text(t.verifier);
    q('check').textContent = V.isNum(t.checkMillis) ? V.fmtFloat(t.checkMillis) + ' ms' : V.DASH;
    q('tokens').textContent = V.fmtInt(t.tokens);
    q('prompt').textContent = t.prompt == null ? '' : String(t.prompt);
    q('completion').textContent = t.completion == null ? '' : String(t.completion);
    detail.hidden = false;
    detail.parentNode.classList.add('with-detail');
  }

  function setFrozen(on) {
    frozen = on;
    freezeBtn.textContent = on ? 'Live' : 'Freeze';
    freezeBtn.classList.toggle('frozen', on);
    freezeBtn.title = on ? 'list frozen: click to follow live updates again' : 'stop the list from moving while reading';
    if (!on && latest) render(latest);
  }

  detail.querySelector('.close').addEventListener('click', () => {
    detail.hidden = true;
    detail.parentNode.classList.remove('with-detail');
    selectedId = null;
    for (const row of rows.values()) row.tr.classList.remove('selected');
  });
  freezeBtn.addEventListener('click', () => setFrozen(!frozen));

  // a filter change asks for a new list: follow it live
  function filtersChanged() {
    setFrozen(false);
    connect();
  }
  suiteSel.addEventListener('change', filtersChanged);
  verdictSel.addEventListener('change', filtersChanged);
  let versionTimer = null;
  let lastVersion = versionIn.value;
  function versionChanged() {
    clearTimeout(versionTimer);
    if (versionIn.value.trim() === lastVersion) return;
    lastVersion = versionIn.value.trim();
    filtersChanged();
  }
  versionIn.addEventListener('change', versionChanged);
  versionIn.addEventListener('input', () => {
    clearTimeout(versionTimer);
    versionTimer = setTimeout(versionChanged, 600);
  });

  connect();
})();
