// The Parley gateway's dashboard. It holds no data: every few seconds it asks this gateway's
// admin API (/admin/summary, /admin/keys, /admin/upstreams, /admin/requests) with the admin key,
// which the user types in or passes in the URL fragment (#key=..., never sent to the server),
// and which stays in this tab's sessionStorage. Everything is written with textContent, never
// as HTML, so names from the configuration cannot inject markup.
(() => {
  'use strict';

  const STORAGE = 'parley.gateway.adminKey';
  const REFRESH_MS = 3000;
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let running = false;

  // ---- the key

  function keyFromFragment() {
    const m = /(?:^#|&)key=([^&]*)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(STORAGE, decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search); // out of the address bar and history
    }
  }

  function key() {
    return sessionStorage.getItem(STORAGE);
  }

  // ---- formatting

  function usd(v) {
    if (v === 0) return '$0';
    return '$' + (Math.abs(v) >= 0.01 ? v.toFixed(4) : v.toFixed(6));
  }

  function ms(v) {
    return v < 10 ? v.toFixed(1) : String(Math.round(v));
  }

  function int(v) {
    return Number(v).toLocaleString('en-US');
  }

  function set(id, value, text) {
    const el = $(id);
    el.dataset.value = String(value);
    el.textContent = text === undefined ? String(value) : text;
  }

  function status(text, state) {
    const el = $('status');
    el.textContent = text;
    el.dataset.state = state;
  }

  function cell(tr, text, cls, value) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '–' : String(text);
    if (cls) td.className = cls;
    if (value !== undefined) td.dataset.value = String(value);
    tr.appendChild(td);
    return td;
  }

  function fill(tableId, rows, build) {
    const body = $(tableId).tBodies[0];
    const fresh = document.createDocumentFragment();
    rows.forEach((row) => {
      const tr = document.createElement('tr');
      build(tr, row);
      fresh.appendChild(tr);
    });
    body.replaceChildren(fresh);
  }

  // ---- the admin API

  class AuthError extends Error {}

  async function get(path) {
    const r = await fetch(path, {
      headers: { Authorization: 'Bearer ' + key() },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (r.status === 401 || r.status === 403) {
      throw new AuthError('the admin key was refused (' + r.status + ')');
    }
    if (!r.ok) {
      let message = 'HTTP ' + r.status;
      try {
        message = (await r.json()).error.message;
      } catch (ignored) { /* not JSON */ }
      throw new Error(path + ': ' + message);
    }
    return r.json();
  }

  // ---- rendering

  function renderSummary(s) {
    set('requests-total', s.requests.total, int(s.requests.total));
    set('requests-in-flight', s.requests.in_flight);
    set('streams-open', s.requests.streams_open);
    set('request-rate', s.last_minute.requests_per_second, s.last_minute.requests_per_second.toFixed(2));
    set('requests-last-minute', s.last_minute.requests, int(s.last_minute.requests));
    set('errors-total', s.requests.errors, int(s.requests.errors));
    set('server-errors-total', s.requests.server_errors, int(s.requests.server_errors));
    set('errors-last-minute', s.last_minute.errors, int(s.last_minute.errors));
    for (const p of ['p50', 'p90', 'p99']) {
      set('latency-' + p, s.latency_ms[p], s.latency_ms.samples ? ms(s.latency_ms[p]) : '–');
      set('ttft-' + p, s.ttft_ms[p], s.ttft_ms.samples ? ms(s.ttft_ms[p]) : '–');
    }
    set('latency-samples', s.latency_ms.samples);
    set('ttft-samples', s.ttft_ms.samples);
    set('spend-total', s.spend.total_usd, usd(s.spend.total_usd));
    set('spend-requests', s.spend.requests, int(s.spend.requests));

    const chart = $('rate-chart');
    const per = s.last_minute.per_second;
    const max = Math.max(1, ...per);
    while (chart.children.length < per.length) chart.appendChild(document.createElement('span'));
    per.forEach((n, i) => {
      const bar = chart.children[i];
      bar.style.height = (100 * n / max) + '%';
      bar.title = n + ' requests';
    });

    fill('spend-by-model', s.spend.by_model, (tr, m) => {
      tr.dataset.model = m.model;
      cell(tr, m.model);
      cell(tr, int(m.requests), 'n', m.requests);
      cell(tr, int(m.input_tokens), 'n', m.input_tokens);
      cell(tr, int(m.output_tokens), 'n', m.output_tokens);
      cell(tr, usd(m.today_usd), 'n', m.today_usd);
      cell(tr, usd(m.total_usd), 'n', m.total_usd).dataset.field = 'total';
    });
  }

  function budget(k) {
    if (!k.budget) return '–';
    const parts = [];
    if (k.budget.daily !== null) parts.push(usd(k.budget.daily) + '/day (' + usd(k.budget.daily - k.spend.today_usd) + ' left)');
    if (k.budget.monthly !== null) parts.push(usd(k.budget.monthly) + '/month (' + usd(k.budget.monthly - k.spend.month_usd) + ' left)');
    if (k.budget.total !== null) parts.push(usd(k.budget.total) + ' in all (' + usd(k.budget.total - k.spend.total_usd) + ' left)');
    return parts.length ? parts.join(', ') : 'none';
  }

  function limits(k) {
    if (!k.limits) return '–';
    const parts = [];
    if (k.limits.rpm) parts.push(k.limits.rpm + ' rpm');
    if (k.limits.tpm) parts.push(int(k.limits.tpm) + ' tpm');
    if (k.limits.concurrency) parts.push(k.limits.concurrency + ' at once');
    return parts.length ? parts.join(', ') : 'none';
  }

  function renderKeys(k) {
    $('spend-by-key-empty').hidden = k.virtual_keys;
    fill('spend-by-key', k.keys, (tr, key) => {
      tr.dataset.key = key.name;
      cell(tr, key.name + (key.configured ? '' : ' (removed)'));
      cell(tr, key.owner);
      cell(tr, key.team);
      cell(tr, int(key.usage.requests), 'n', key.usage.requests);
      cell(tr, int(key.usage.input_tokens), 'n', key.usage.input_tokens);
      cell(tr, int(key.usage.output_tokens), 'n', key.usage.output_tokens);
      cell(tr, usd(key.spend.today_usd), 'n', key.spend.today_usd);
      cell(tr, usd(key.spend.month_usd), 'n', key.spend.month_usd);
      cell(tr, usd(key.spend.total_usd), 'n', key.spend.total_usd).dataset.field = 'total';
      cell(tr, budget(key));
      cell(tr, limits(key));
    });
  }

  function renderUpstreams(u) {
    fill('upstreams', u.upstreams, (tr, up) => {
      tr.dataset.route = up.route;
      cell(tr, up.names.join(', '));
      cell(tr, up.provider);
      cell(tr, up.default_model);
      // With Redis, the state every instance shares; this instance's own while Redis cannot say.
      const shared = up.breaker ? up.breaker.shared : null;
      const state = !up.breaker ? 'none' : shared && shared.state ? shared.state : up.breaker.state;
      const note = !shared ? '' : shared.state ? 'shared, ' : 'Redis down, ';
      const b = cell(tr, up.breaker ? state.replace('_', '-') + ' (' + note + up.breaker.opened + (shared ? ' opened here)' : ' opened)')
          : 'none',
          state === 'open' ? 'bad' : state === 'half_open' ? 'warn' : state === 'closed' ? 'ok' : '');
      b.dataset.field = 'breaker';
      b.dataset.value = state;
      const rl = up.rate_limit;
      cell(tr, rl ? rl.limits + '; ' + rl.in_flight + ' in flight, ' + rl.waiting + ' waiting' : 'none');
      cell(tr, int(up.metrics.calls), 'n', up.metrics.calls);
      cell(tr, int(up.metrics.errors), up.metrics.errors ? 'n bad' : 'n', up.metrics.errors);
      cell(tr, int(up.metrics.retries), 'n', up.metrics.retries);
      cell(tr, ms(up.metrics.mean_latency_ms) + ' ms', 'n', up.metrics.mean_latency_ms);
      cell(tr, usd(up.metrics.cost_usd), 'n', up.metrics.cost_usd);
    });
  }

  function renderRequests(r) {
    fill('recent-requests', r.requests, (tr, q) => {
      tr.dataset.requestId = q.request_id;
      cell(tr, q.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
      cell(tr, q.request_id);
      cell(tr, q.method + ' ' + q.path);
      cell(tr, q.key);
      cell(tr, q.route);
      cell(tr, q.model);
      cell(tr, q.status, q.status >= 500 || q.status === 499 ? 'n bad' : q.status >= 400 ? 'n warn' : 'n', q.status);
      cell(tr, q.input_tokens === undefined ? '–' : q.input_tokens + ' / ' + q.output_tokens, 'n');
      cell(tr, q.cost_usd === undefined ? '–' : usd(q.cost_usd), 'n', q.cost_usd);
      cell(tr, q.latency_ms + ' ms', 'n', q.latency_ms);
      cell(tr, q.ttft_ms === undefined ? '–' : q.ttft_ms + ' ms', 'n', q.ttft_ms);
    });
  }

  // ---- the loop

  async function refresh() {
    if (running) return;
    running = true;
    clearTimeout(timer);
    try {
      if (!key()) {
        $('main').hidden = true;
        status('Enter the admin key to see the numbers', 'idle');
        return;
      }
      const [summary, keys, upstreams, requests] = await Promise.all([
        get('/admin/summary'), get('/admin/keys'), get('/admin/upstreams'), get('/admin/requests?limit=50')]);
      renderSummary(summary);
      renderKeys(keys);
      renderUpstreams(upstreams);
      renderRequests(requests);
      $('main').hidden = false;
      document.body.dataset.loaded = 'true';
      document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
      status('Updated ' + new Date().toLocaleTimeString(), 'ok');
    } catch (e) {
      if (e instanceof AuthError) {
        sessionStorage.removeItem(STORAGE);
        $('main').hidden = true;
        document.body.dataset.loaded = 'false';
      }
      status('Could not update: ' + e.message, 'error');
    } finally {
      running = false;
      if (key()) timer = setTimeout(refresh, REFRESH_MS);
    }
  }

  function start() {
    keyFromFragment();
    $('key-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = $('key-input').value.trim();
      $('key-input').value = '';
      if (v) {
        sessionStorage.setItem(STORAGE, v);
        refresh();
      }
    });
    $('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(STORAGE);
      clearTimeout(timer);
      $('main').hidden = true;
      document.body.dataset.loaded = 'false';
      status('Key forgotten', 'idle');
    });
    refresh();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
