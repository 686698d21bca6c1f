// common.js: shared by every console page. Builds the header (nav, rollouts
// control, last-update time), the error banner, fetch/POST and SSE helpers
// and number formatting. Exposes everything as window.Verity.
(function () {
  'use strict';

  const PAGES = [
    ['cluster', 'Cluster'],
    ['actors', 'Actors'],
    ['training', 'Training'],
    ['trajectories', 'Trajectories'],
    ['verifiers', 'Verifiers'],
  ];
  const AUTH_MESSAGE = 'console token missing or wrong: open /?token=...';
  const STREAM_LOST = 'live updates lost, reconnecting';
  const DASH = '–';

  // ---- formatting -------------------------------------------------------

  const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const MiB = 1024 * 1024;
  const GiB = 1024 * MiB;

  function isNum(x) {
    return typeof x === 'number' && Number.isFinite(x);
  }

  // 1234567 -> "1,234,567"
  function fmtInt(x) {
    return isNum(x) ? intFormat.format(Math.round(x)) : DASH;
  }

  // 3 significant digits; values >= 1000 shown as grouped integers.
  function fmtFloat(x) {
    if (!isNum(x)) return DASH;
    if (Math.abs(x) >= 1000) return fmtInt(x);
    return String(Number(x.toPrecision(3)));
  }

  // Integers stay integers, everything else gets 3 significant digits.
  function fmtNum(x) {
    return Number.isInteger(x) ? fmtInt(x) : fmtFloat(x);
  }

  function fmtBytes(b) {
    if (!isNum(b)) return DASH;
    if (b >= GiB) return (b / GiB).toFixed(2) + ' GiB';
    return (b / MiB).toFixed(b >= 100 * MiB ? 0 : 1) + ' MiB';
  }

  // fraction 0..1 -> "53%"
  function fmtPct(f, digits = 0) {
    return isNum(f) ? (f * 100).toFixed(digits) + '%' : DASH;
  }

  // seconds -> "45 s", "3m 07s", "2h 05m", "3d 4h"
  function fmtDuration(s) {
    if (!isNum(s)) return DASH;
    const t = Math.floor(s);
    const pad = (n) => String(n).padStart(2, '0');
    if (t < 60) return t + ' s';
    if (t < 3600) return Math.floor(t / 60) + 'm ' + pad(t % 60) + 's';
    if (t < 86400) return Math.floor(t / 3600) + 'h ' + pad(Math.floor(t / 60) % 60) + 'm';
    return Math.floor(t / 86400) + 'd ' + (Math.floor(t / 3600) % 24) + 'h';
  }

  // seconds ago -> "0.4 s"
  function fmtAgo(s) {
    if (!isNum(s)) return DASH;
    return (s < 10 ? s.toFixed(1) : fmtInt(s)) + ' s';
  }

  // [5, 6] -> "5–6", [5] -> "5"
  function fmtVersions(vs) {
    const nums = (Array.isArray(vs) ? vs : []).filter(isNum);
    if (!nums.length) return DASH;
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    return lo === hi ? String(lo) : lo + '–' + hi;
  }

  function text(x) {
    return x === null || x === undefined || x === '' ? DASH : String(x);
  }

  // ---- DOM helpers ------------------------------------------------------

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({
      '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
    })[c]);
  }

  // Only touch the DOM when the value really changed.
  function setText(node, value) {
    if (node.textContent !== value) node.textContent = value;
  }

  function setHtml(node, html) {
    if (node._html !== html) {
      node._html = html;
      node.innerHTML = html;
    }
  }

  // Put `items` (DOM nodes, in order) into `parent`, moving only what is out
  // of place, so existing elements are kept.
  function placeInOrder(parent, items) {
    items.forEach((node, i) => {
      if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] || null);
    });
  }

  // ---- error banner -----------------------------------------------------

  const errors = new Map(); // key -> message
  let banner = null;

  function renderErrors() {
    if (!banner) return;
    const keys = [...errors.keys()].sort((a, b) => (b === 'auth') - (a === 'auth')); // auth first
    banner.replaceChildren(...keys.map((key) => errors.get(key)).map((msg) => {
      const div = document.createElement('div');
      div.textContent = msg;
      return div;
    }));
    banner.hidden = errors.size === 0;
  }

  function setError(key, message) {
    if (errors.get(key) === message) return;
    errors.set(key, message);
    renderErrors();
  }

  function clearError(key) {
    if (errors.delete(key)) renderErrors();
  }

  // ---- HTTP -------------------------------------------------------------

  async function handle(res) {
    const body = await res.text();
    let data = null;
    try {
      data = body ? JSON.parse(body) : null;
    } catch (e) {
      data = null;
    }
    if (res.status === 401 || res.status === 403) {
      setError('auth', AUTH_MESSAGE);
      const err = new Error(AUTH_MESSAGE);
      err.auth = true;
      throw err;
    }
    clearError('auth');
    if (!res.ok) {
      const msg = (data && (data.message || data.error)) || (res.status + ' ' + res.statusText);
      throw new Error(msg);
    }
    return data;
  }

  async function getJson(url) {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return handle(res);
  }

  // Every POST carries the X-Verity-Console header; `body` is sent as JSON.
  async function post(url, body) {
    const headers = { 'X-Verity-Console': '1', Accept: 'application/json' };
    const opts = { method: 'POST', credentials: 'same-origin', headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return handle(await fetch(url, opts));
  }

  // ---- live streams -----------------------------------------------------

  function markUpdate() {
    const node = document.getElementById('last-update');
    if (node) node.textContent = new Date().toLocaleTimeString([], { hour12: false });
  }

  // Opens an EventSource on `url` and calls onData(json) for every event
  // named `eventName`. EventSource retries by itself; if the browser gives up
  // (e.g. an HTTP error answer) we open a new one after a pause.
  // Returns {close()}.
  function stream(url, eventName, onData) {
    let es = null;
    let retry = null;
    let closed = false;

    function onMessage(ev) {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch (e) {
        setError('stream', 'bad data from server: ' + e.message);
        return;
      }
      clearError('stream');
      markUpdate();
      try {
        onData(data);
        clearError('render');
      } catch (e) {
        console.error(e);
        setError('render', 'page error: ' + e.message);
      } finally {
        document.body.dataset.live = 'true';
      }
    }

    function open() {
      es = new EventSource(url);
      es.addEventListener(eventName, onMessage);
      es.addEventListener('message', onMessage); // unnamed events, just in case
      es.onerror = () => {
        if (closed) return;
        setError('stream', STREAM_LOST);
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          retry = setTimeout(open, 3000);
        }
      };
    }

    open();
    return {
      close() {
        closed = true;
        clearTimeout(retry);
        if (es) es.close();
        clearError('stream');
      },
    };
  }

  // ---- header and rollouts control --------------------------------------

  function buildHeader() {
    const page = document.body.dataset.page;
    const links = PAGES.map(([id, label]) =>
      `<a data-page="${id}" href="/${id}"${id === page ? ' class="active" aria-current="page"' : ''}>${label}</a>`
    ).join('');
    const header = document.createElement('header');
    header.className = 'topbar';
    header.innerHTML = `
      <h1 class="brand">Verity console</h1>
      <nav>${links}</nav>
      <div class="rollouts">
        <span class="label">Rollouts</span>
        <span id="rollouts-state" class="state-unknown">unknown</span>
        <button id="rollouts-toggle" type="button">Pause rollouts</button>
      </div>
      <div class="updated">updated <span id="last-update">${DASH}</span></div>`;
    banner = document.createElement('div');
    banner.id = 'error-banner';
    banner.setAttribute('role', 'alert');
    banner.hidden = true;
    document.body.prepend(header, banner);
    renderErrors();
  }

  function initRollouts() {
    const stateEl = document.getElementById('rollouts-state');
    const button = document.getElementById('rollouts-toggle');
    let seq = 0; // bumped on every click so polls started earlier are ignored
    let busy = false;

    function show(r) {
      const state = r && typeof r.state === 'string' ? r.state : 'unknown';
      const paused = r && typeof r.paused === 'boolean' ? r.paused : state === 'paused';
      setText(stateEl, state);
      stateEl.className = 'state-' + state;
      stateEl.title = state === 'unknown' ? 'no task source reachable' : '';
      button.dataset.paused = String(paused);
      setText(button, paused ? 'Resume rollouts' : 'Pause rollouts');
    }

    async function poll() {
      if (busy) return;
      busy = true;
      const mine = seq;
      try {
        const r = await getJson('/api/rollouts');
        if (mine === seq) show(r);
      } catch (e) {
        if (mine === seq) {
          setText(stateEl, 'unknown');
          stateEl.className = 'state-unknown';
          stateEl.title = e.message;
        }
      } finally {
        busy = false;
      }
    }

    button.addEventListener('click', async () => {
      const resume = button.dataset.paused === 'true';
      seq++;
      button.disabled = true;
      try {
        const r = await post(resume ? '/api/rollouts/resume' : '/api/rollouts/pause');
        seq++;
        show(r);
        clearError('rollouts');
      } catch (e) {
        if (!e.auth) setError('rollouts', `could not ${resume ? 'resume' : 'pause'} rollouts: ${e.message}`);
      } finally {
        button.disabled = false;
      }
    });

    poll();
    setInterval(poll, 1000);
  }

  buildHeader();
  initRollouts();

  window.Verity = {
    DASH, isNum, fmtInt, fmtFloat, fmtNum, fmtBytes, fmtPct, fmtDuration, fmtAgo, fmtVersions, text,
    esc, setText, setHtml, placeInOrder, setError, clearError, getJson, post, stream,
  };
})();
