// cluster.js: live table of the Akka cluster members (heap, CPU, threads,
// uptime) with a per-node Drain button. Rows are updated in place.
(function () {
  'use strict';
  const V = window.Verity;
  const CELLS = ['node', 'address', 'roles', 'status', 'reachable', 'heap', 'cpu', 'threads', 'uptime', 'action'];
  const NUMERIC = ['heap', 'cpu', 'threads', 'uptime'];
  const tbody = document.querySelector('#members tbody');
  const result = document.getElementById('action-result');
  const rows = new Map(); // address -> {tr, cells, button, member, drainAt}

  function makeRow(address) {
    const tr = document.createElement('tr');
    tr.dataset.address = address;
    const cells = {};
    for (const c of CELLS) {
      const td = document.createElement('td');
      td.className = 'c-' + c + (NUMERIC.includes(c) ? ' num' : '');
      cells[c] = td;
      tr.appendChild(td);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'drain';
    button.textContent = 'Drain';
    cells.action.appendChild(button);
    const row = { tr, cells, button, member: null, drainAt: 0 };
    button.addEventListener('click', () => drain(row));
    return row;
  }

  function showResult(message, kind) {
    result.textContent = message;
    result.className = kind;
    result.hidden = false;
  }

  async function drain(row) {
    const m = row.member;
    const name = m.node || m.address;
    if (!confirm(`Drain ${name}? It leaves the cluster gracefully.`)) return;
    row.drainAt = Date.now();
    row.button.disabled = true;
    showResult(`draining ${name}…`, 'pending');
    try {
      const r = await V.post('/api/nodes/drain', { address: m.address });
      showResult((r && r.message) || `drain of ${name} requested`, 'ok');
    } catch (e) {
      row.drainAt = 0;
      showResult(`drain of ${name} failed: ${e.message}`, 'bad');
    }
  }

  function heapHtml(m) {
    const used = m.heapUsedBytes;
    const max = m.heapMaxBytes;
    if (!V.isNum(used)) return V.DASH;
    const frac = V.isNum(max) && max > 0 ? Math.min(1, used / max) : null;
    const bar = frac === null ? '' :
      `<div class="bar${frac > 0.85 ? ' high' : ''}"><div style="width:${(frac * 100).toFixed(1)}%"></div></div>`;
    return `${V.fmtBytes(used)} / ${V.fmtBytes(max)}${bar}`;
  }

  function update(row, m, leader) {
    const c = row.cells;
    row.member = m;
    const reachable = m.reachable !== false;
    row.tr.classList.toggle('unreachable', !reachable);
    row.tr.classList.toggle('self', !!m.self);

    V.setHtml(c.node, V.esc(V.text(m.node)) + (m.self ? ' <span class="tag">this console</span>' : ''));
    V.setHtml(c.address, `<code>${V.esc(m.address)}</code>` + (m.address === leader ? ' <span class="tag leader">leader</span>' : ''));
    V.setHtml(c.roles, (m.roles || []).map((r) => `<span class="role">${V.esc(r)}</span>`).join(' '));
    V.setText(c.status, V.text(m.status));
    c.status.className = 'c-status status-' + String(m.status || 'unknown').toLowerCase();
    V.setText(c.reachable, reachable ? 'yes' : 'no');
    c.reachable.classList.toggle('bad', !reachable);

    const old = V.isNum(m.reportAgeSeconds) && m.reportAgeSeconds > 5;
    const reported = V.isNum(m.reportAgeSeconds) ? `reported ${V.fmtAgo(m.reportAgeSeconds)} ago` : 'not reported yet';
    V.setHtml(c.heap, heapHtml(m));
    c.heap.title = reported;
    V.setHtml(c.cpu, `${V.fmtPct(m.processCpuLoad)} <span class="muted">/ ${V.fmtPct(m.systemCpuLoad)}</span>`);
    c.cpu.title = `process / system CPU, ${V.fmtInt(m.availableProcessors)} cores, ${reported}`;
    c.heap.classList.toggle('old', old);
    c.cpu.classList.toggle('old', old);
    V.setText(c.threads, V.fmtInt(m.threads));
    V.setText(c.uptime, V.fmtDuration(m.uptimeSeconds));

    const recentlyDrained = Date.now() - row.drainAt < 10000;
    row.button.disabled = !!m.self || m.status !== 'Up' || recentlyDrained;
    row.button.title = m.self ? "the console's own node cannot be drained"
      : m.status !== 'Up' ? 'only members that are Up can be drained'
      : recentlyDrained ? 'drain requested' : `drain ${m.node || m.address}`;
  }

  function render(snap) {
    const members = (snap.members || []).slice().sort((a, b) =>
      String(a.node || '').localeCompare(String(b.node || ''), undefined, { numeric: true }) ||
      String(a.address).localeCompare(String(b.address)));
    const seen = new Set();
    const order = members.map((m) => {
      seen.add(m.address);
      let row = rows.get(m.address);
      if (!row) {
        row = makeRow(m.address);
        rows.set(m.address, row);
      }
      update(row, m, snap.leader);
      return row.tr;
    });
    for (const [address, row] of rows) {
      if (!seen.has(address)) {
        row.tr.remove();
        rows.delete(address);
      }
    }
    V.placeInOrder(tbody, order);

    const unreachable = members.filter((m) => m.reachable === false).length;
    V.setText(document.getElementById('member-count'), String(members.length));
    const bad = document.getElementById('member-unreachable');
    V.setText(bad, `${unreachable} unreachable`);
    bad.hidden = unreachable === 0;
    V.setText(document.getElementById('leader'), V.text(snap.leader));
    V.setText(document.getElementById('self-address'), V.text(snap.self));
  }

  V.stream('/api/cluster/stream', 'snapshot', render);
})();
