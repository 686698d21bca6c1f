// actors.js: sortable, filterable live table of every Verity actor. One <tr>
// per actor is kept for the page's life; updates only change cell text and
// reorder the existing rows.
(function () {
  'use strict';
  const V = window.Verity;
  const ms = (x) => V.fmtFloat(x);
  // [key, label, formatter or null for text]
  const COLUMNS = [
    ['actor', 'Actor', null],
    ['kind', 'Kind', null],
    ['node', 'Node', null],
    ['state', 'State', null],
    ['queueDepth', 'Queue', V.fmtInt],
    ['inFlight', 'In flight', V.fmtInt],
    ['processed', 'Processed', V.fmtInt],
    ['throughputPerSecond', 'Per s', V.fmtFloat],
    ['latencyP50Millis', 'p50 ms', ms],
    ['latencyP99Millis', 'p99 ms', ms],
    ['policyVersion', 'Version', V.fmtInt],
    ['policyEpoch', 'Epoch', V.fmtInt],
    ['staleness', 'Staleness', V.fmtNum],
    ['errors', 'Errors', V.fmtInt],
    ['restarts', 'Restarts', V.fmtInt],
    ['lastSeenSecondsAgo', 'Seen', V.fmtAgo],
  ];
  const KIND_ORDER = ['task-source', 'rollout-worker', 'verifier', 'learner', 'learner-shard', 'evaluator'];

  const table = document.getElementById('actors');
  const headRow = table.querySelector('thead tr');
  const tbody = table.querySelector('tbody');
  const filter = document.getElementById('actor-filter');
  const rows = new Map(); // actor -> {tr, cells, data}; kept even while an actor is absent
  let current = []; // actors of the latest snapshot
  let sortKey = 'kind';
  let sortDir = 1;

  // header
  const ths = {};
  for (const [key, label, fmt] of COLUMNS) {
    const th = document.createElement('th');
    th.dataset.key = key;
    th.className = fmt ? 'num' : '';
    th.innerHTML = `${label}<span class="sort-mark"></span>`;
    th.title = 'sort by ' + label;
    th.addEventListener('click', () => {
      if (sortKey === key) sortDir = -sortDir;
      else {
        sortKey = key;
        sortDir = 1;
      }
      showSortMarks();
      arrange();
    });
    ths[key] = th;
    headRow.appendChild(th);
  }

  function showSortMarks() {
    for (const [key, th] of Object.entries(ths)) {
      const on = key === sortKey;
      th.classList.toggle('sorted', on);
      th.querySelector('.sort-mark').textContent = on ? (sortDir > 0 ? ' ▲' : ' ▼') : '';
      if (on) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  function kindRank(kind) {
    const i = KIND_ORDER.indexOf(kind);
    return i < 0 ? KIND_ORDER.length : i;
  }

  function compareValues(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  // nulls last in either direction; ties broken by kind then actor (alphabetical)
  function compare(a, b) {
    const x = a[sortKey];
    const y = b[sortKey];
    const xNull = x === null || x === undefined || Number.isNaN(x);
    const yNull = y === null || y === undefined || Number.isNaN(y);
    if (xNull !== yNull) return xNull ? 1 : -1;
    let r = 0;
    if (!xNull) {
      r = compareValues(x, y) * sortDir;
    }
    return r || compareValues(a.kind || '', b.kind || '') || compareValues(a.actor, b.actor);
  }

  function makeRow(actor) {
    const tr = document.createElement('tr');
    tr.dataset.actor = actor;
    const cells = {};
    for (const [key, , fmt] of COLUMNS) {
      const td = document.createElement('td');
      td.dataset.key = key;
      if (fmt) td.className = 'num';
      cells[key] = td;
      tr.appendChild(td);
    }
    return { tr, cells, data: null };
  }

  function update(row, a) {
    row.data = a;
    for (const [key, , fmt] of COLUMNS) {
      V.setText(row.cells[key], fmt ? fmt(a[key]) : V.text(a[key]));
    }
    row.tr.classList.toggle('stale', V.isNum(a.lastSeenSecondsAgo) && a.lastSeenSecondsAgo > 5);
    row.cells.errors.classList.toggle('bad', V.isNum(a.errors) && a.errors > 0);
    row.cells.restarts.classList.toggle('bad', V.isNum(a.restarts) && a.restarts > 0);
    row.cells.state.classList.toggle('paused', a.state === 'paused');
    row.cells.actor.title = a.role ? 'role ' + a.role : '';
  }

  function matches(a, q) {
    if (!q) return true;
    return [a.actor, a.kind, a.node].some((s) => String(s || '').toLowerCase().includes(q));
  }

  // sort, filter and place the rows of the latest snapshot
  function arrange() {
    const q = filter.value.trim().toLowerCase();
    const sorted = current.slice().sort(compare);
    let shown = 0;
    const order = sorted.map((a) => {
      const row = rows.get(a.actor);
      row.tr.hidden = !matches(a, q);
      if (!row.tr.hidden) shown++;
      return row.tr;
    });
    V.placeInOrder(tbody, order);
    V.setText(document.getElementById('actor-shown'), q ? `${shown} of ${sorted.length} shown` : '');
  }

  function render(snap) {
    current = (snap.actors || []).filter((a) => a && a.actor != null);
    const present = new Set();
    for (const a of current) {
      present.add(a.actor);
      let row = rows.get(a.actor);
      if (!row) {
        row = makeRow(a.actor);
        rows.set(a.actor, row);
      }
      update(row, a);
    }
    for (const [actor, row] of rows) {
      if (!present.has(actor) && row.tr.parentNode) row.tr.remove();
    }
    arrange();

    const counts = new Map();
    for (const a of current) counts.set(a.kind, (counts.get(a.kind) || 0) + 1);
    const kinds = [...counts.keys()].sort((x, y) => kindRank(x) - kindRank(y) || compareValues(x, y));
    V.setHtml(document.getElementById('kind-counts'), kinds.map((k) =>
      `<span class="kind-count" data-kind="${V.esc(k)}">${V.esc(V.text(k))} <b>${counts.get(k)}</b></span>`).join(''));
    V.setText(document.getElementById('latest-version'), V.fmtInt(snap.latestVersion));
  }

  filter.addEventListener('input', arrange);
  showSortMarks();
  V.stream('/api/actors/stream', 'snapshot', render);
})();
