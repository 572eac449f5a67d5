// The dashboard: the page follows /api/follow?from=&to= (server-sent events). The server pushes
// every tile's answer it holds (a named query of queries/dashboard.sql), then each new answer as
// soon as a batch or a micro-batch moved the tables that tile reads: the page asks for nothing
// on a timer, and a tile keeps its last value while the server recomputes it. The range comes
// from the URL (?from=yyyy-mm-dd&to=yyyy-mm-dd) or the picker. With an "as of" (?as_of=moment,
// or ?run=<batch run id>) the page asks each tile once as the warehouse was then, and follows nothing.
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US');
const charts = {};

function iso(d) { return d.toISOString().slice(0, 10); }
function range() { return { from: document.getElementById('from').value, to: document.getElementById('to').value }; }
let asOfRun = new URLSearchParams(location.search).get('run');
function asOf() { return document.getElementById('asof').value.trim(); }

function initRange() {
  const params = new URLSearchParams(location.search);
  const to = params.get('to') || iso(new Date());
  const fromDefault = new Date(to + 'T00:00:00Z'); fromDefault.setUTCDate(fromDefault.getUTCDate() - 29);
  document.getElementById('to').value = to;
  document.getElementById('from').value = params.get('from') || iso(fromDefault);
  document.getElementById('asof').value = params.get('as_of') || '';
  document.querySelectorAll('#range input').forEach(i => i.addEventListener('change', () => {
    if (i.id === 'asof') asOfRun = null;
    remember(); look();
  }));
  document.getElementById('live').addEventListener('click', () => {
    document.getElementById('asof').value = ''; asOfRun = null; remember(); look();
  });
  document.querySelectorAll('#range button').forEach(b => b.addEventListener('click', () => {
    const end = new Date(); const start = new Date(); start.setUTCDate(end.getUTCDate() - (+b.dataset.days - 1));
    document.getElementById('from').value = iso(start); document.getElementById('to').value = iso(end);
    remember(); look();
  }));
}

function remember() {
  const r = range();
  const past = asOfRun ? `&run=${encodeURIComponent(asOfRun)}` : asOf() ? `&as_of=${encodeURIComponent(asOf())}` : '';
  history.replaceState(null, '', `?from=${r.from}&to=${r.to}${past}`);
}

function setKpi(id, value, text) {
  const el = document.getElementById(id);
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = value === null || value === undefined ? '–' : text;
}

function showError(id, e) {
  if (charts[id]) { charts[id].dispose(); delete charts[id]; }
  const el = document.getElementById(id);
  el.dataset.error = e.message;
  el.innerHTML = `<span class="error">no data yet: ${e.message.replace(/</g, '&lt;')}</span>`;
}

function table(id, answer, columns) {
  const el = document.getElementById(id);
  const head = columns.map(c => `<th class="${c.num ? 'n' : ''}">${c.label}</th>`).join('');
  const rows = answer.rows.map(r => '<tr>' + columns.map(c =>
    `<td class="${c.num ? 'n' : ''}" data-col="${c.key}" data-value="${r[c.key] ?? ''}">${c.fmt ? c.fmt(r[c.key]) : (r[c.key] ?? '')}</td>`).join('') + '</tr>').join('');
  el.innerHTML = `<thead><tr>${head}</tr></thead><tbody>${rows || '<tr><td>none in this range</td></tr>'}</tbody>`;
  el.dataset.rows = answer.rows.length;
}

function chart(id, option) {
  if (!charts[id]) charts[id] = echarts.init(document.getElementById(id));
  charts[id].setOption(option, true);
}

const tiles = {
  orders_summary: a => {
    const r = a.rows[0] || {};
    setKpi('kpi-successful_orders', r.successful_orders, count.format(r.successful_orders));
    setKpi('kpi-sales', r.sales, money.format(r.sales));
    setKpi('kpi-failed_order_pct', r.failed_order_pct, r.failed_order_pct === null || r.failed_order_pct === undefined ? '–' : r.failed_order_pct.toFixed(2) + ' %');
    document.getElementById('kpi-failed_note').textContent =
      `${count.format(r.failed_orders)} canceled of ${count.format(r.failed_orders + r.successful_orders)} decided orders; ${count.format(r.pending_orders)} pending`;
  },
  top_products: a => table('top_products', a, [{ key: 'name', label: 'Product' }, { key: 'units', label: 'Units sold', num: true, fmt: count.format },
    { key: 'sales', label: 'Sales', num: true, fmt: money.format }]),
  trending_products: a => table('trending_products', a, [{ key: 'name', label: 'Product' }, { key: 'units_added', label: 'Units added', num: true, fmt: count.format },
    { key: 'add_actions', label: 'Adds', num: true, fmt: count.format }]),
  sales_by_day: a => chart('chart-sales_by_day', {
    tooltip: { trigger: 'axis' }, legend: { data: ['sales', 'successful orders'] }, grid: { left: 60, right: 60 },
    xAxis: { type: 'category', data: a.rows.map(r => r.day) },
    yAxis: [{ type: 'value', name: 'sales ($)' }, { type: 'value', name: 'orders' }],
    series: [{ name: 'sales', type: 'bar', data: a.rows.map(r => r.sales) },
      { name: 'successful orders', type: 'line', yAxisIndex: 1, data: a.rows.map(r => r.successful_orders) }] }),
  sales_by_hour: a => chart('chart-sales_by_hour', {
    tooltip: { trigger: 'axis' }, xAxis: { type: 'category', data: a.rows.map(r => r.hour) }, yAxis: { type: 'value' },
    series: [{ name: 'sales', type: 'bar', data: a.rows.map(r => r.sales) }] }),
  best_categories: a => chart('chart-best_categories', {
    tooltip: {}, grid: { left: 130 }, yAxis: { type: 'category', inverse: true, data: a.rows.map(r => r.category) }, xAxis: { type: 'value' },
    series: [{ name: 'sales', type: 'bar', data: a.rows.map(r => r.sales) }] }),
  most_active_customers: a => table('most_active_customers', a, [{ key: 'customer', label: 'Customer' },
    { key: 'successful_orders', label: 'Orders', num: true, fmt: count.format }, { key: 'spent', label: 'Spent', num: true, fmt: money.format }]),
  customer_regions: a => {
    const top = a.rows.slice(0, 12);
    chart('chart-customer_regions', {
      tooltip: { formatter: p => `${top[p.dataIndex].state}, ${top[p.dataIndex].country}: ${money.format(p.value)}` },
      grid: { left: 120 }, yAxis: { type: 'category', inverse: true, data: top.map(r => r.state) }, xAxis: { type: 'value' },
      series: [{ name: 'sales', type: 'bar', data: top.map(r => r.sales) }] });
  },
  cart_conversion: a => {
    const r = a.rows[0] || {};
    setKpi('kpi-conversion_pct', r.conversion_pct, r.conversion_pct === null || r.conversion_pct === undefined ? '–' : r.conversion_pct.toFixed(2) + ' %');
    document.getElementById('kpi-conversion_note').textContent = `${count.format(r.carts_checked_out)} of ${count.format(r.carts_opened)} carts opened reached checkout`;
  },
  support_rates: a => {
    const r = a.rows[0] || {};
    setKpi('kpi-tickets', r.tickets, count.format(r.tickets));
    setKpi('kpi-resolve_rate_pct', r.resolve_rate_pct, r.resolve_rate_pct == null ? '–' : r.resolve_rate_pct.toFixed(1) + ' %');
    setKpi('kpi-close_rate_pct', r.close_rate_pct, r.close_rate_pct == null ? '–' : r.close_rate_pct.toFixed(1) + ' %');
    setKpi('kpi-avg_days_to_resolve', r.avg_days_to_resolve, r.avg_days_to_resolve == null ? '–' : r.avg_days_to_resolve.toFixed(1));
  },
  live_traffic: a => {
    const sum = k => a.rows.reduce((s, r) => s + r[k], 0);
    setKpi('kpi-live_sessions', sum('sessions'), count.format(sum('sessions')));
    setKpi('kpi-live_page_views', sum('page_views'), count.format(sum('page_views')));
    setKpi('kpi-live_store_actions', sum('store_actions'), count.format(sum('store_actions')));
    const last = a.rows.length ? a.rows[a.rows.length - 1].minute : null;
    document.getElementById('live-clock').textContent = last ? `(last minute ${last.slice(0, 16).replace('T', ' ')} UTC)` : '';
    chart('chart-live_traffic', {
      tooltip: { trigger: 'axis' }, legend: { data: ['sessions', 'page views', 'store actions'] },
      xAxis: { type: 'category', data: a.rows.map(r => r.minute.slice(11, 16)) }, yAxis: { type: 'value' },
      series: [['sessions', 'sessions'], ['page views', 'page_views'], ['store actions', 'store_actions']]
        .map(([n, k]) => ({ name: n, type: 'line', smooth: true, data: a.rows.map(r => r[k]) })) });
  },
  stock_alerts: a => {
    setKpi('kpi-stock_alerts', a.rows.length, count.format(a.rows.length));
    table('stock_alerts', a, [{ key: 'name', label: 'Product' }, { key: 'stock_level', label: 'In stock', num: true }]);
  },
  freshness: a => {
    const r = a.rows[0] || {};
    const el = document.getElementById('freshness');
    el.dataset.lastBatch = r.last_batch_at || ''; el.dataset.lastStream = r.last_stream_batch_at || '';
    el.dataset.latencyMs = r.stream_latency_ms == null ? '' : String(r.stream_latency_ms);
    el.dataset.newestEvent = r.newest_event_at || '';
    drawFreshness();
  },
};

// the header's ages move with the clock, not with the answers
function drawFreshness() {
  const el = document.getElementById('freshness');
  if (!el.dataset.loaded) return;
  if (el.dataset.asOf) { // a look at the past: the moment, and what the warehouse knew then
    el.textContent = `as of ${el.dataset.asOf} UTC (the warehouse then; nothing moves) · its last batch ` +
      `${el.dataset.lastBatch ? el.dataset.lastBatch.slice(0, 19).replace('T', ' ') : 'never'} UTC`;
    return;
  }
  const ago = t => t ? `${Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000))} s ago` : 'never';
  const latency = el.dataset.latencyMs;
  el.textContent = `last batch: ${ago(el.dataset.lastBatch)} · stream: newest event ${ago(el.dataset.newestEvent)}, ` +
    `last micro-batch ${ago(el.dataset.lastStream)}` +
    (latency ? `, event-to-gold latency ${(+latency / 1000).toFixed(1)} s` : '') +
    (banner ? ` · ${banner}` : '') + ` · last update ${lastUpdate || '–'} UTC`;
}
let banner = '', lastUpdate = '';

const targets = { orders_summary: 'kpi-successful_orders', top_products: 'top_products', trending_products: 'trending_products',
  sales_by_day: 'chart-sales_by_day', sales_by_hour: 'chart-sales_by_hour', best_categories: 'chart-best_categories',
  most_active_customers: 'most_active_customers', customer_regions: 'chart-customer_regions', cart_conversion: 'kpi-conversion_pct',
  support_rates: 'kpi-tickets', live_traffic: 'chart-live_traffic', stock_alerts: 'stock_alerts', freshness: 'freshness' };

// One answer pushed by the server: drawn at once. An error after a first value keeps the value
// (the tile says it is stale); an error before one says why there is nothing yet.
function draw(answer) {
  const el = document.getElementById(targets[answer.name]);
  if (!el) return;
  if (answer.error) {
    if (el.dataset.loaded === 'true') { el.dataset.stale = answer.error; }
    else { showError(targets[answer.name], new Error(answer.error)); el.dataset.loaded = 'error'; }
  } else {
    try {
      if (el.dataset.loaded === 'error') { el.innerHTML = ''; delete el.dataset.error; }
      tiles[answer.name](answer);
      el.dataset.loaded = 'true'; delete el.dataset.stale;
      el.dataset.updates = String(+(el.dataset.updates || 0) + 1);
      el.dataset.computedAt = answer.computed_at;
      if (answer.name === 'freshness') {
        if (answer.as_of) el.dataset.asOf = answer.as_of; else delete el.dataset.asOf;
      }
    } catch (e) { if (el.dataset.loaded !== 'true') { showError(targets[answer.name], e); el.dataset.loaded = 'error'; } }
  }
  lastUpdate = new Date().toISOString().slice(11, 19);
  drawFreshness();
  document.body.dataset.updates = String(+(document.body.dataset.updates || 0) + 1);
  if (Object.values(targets).every(id => document.getElementById(id).dataset.loaded)) {
    if (!document.body.dataset.ready) document.body.dataset.drawnMs = String(Math.round(performance.now()));
    document.body.dataset.ready = 'true';
  }
}

let source = null;
function follow() {
  if (source) source.close();
  const r = range();
  source = new EventSource(`api/follow?from=${r.from}&to=${r.to}`);
  source.onmessage = m => draw(JSON.parse(m.data));
  // EventSource reconnects by itself; the tiles keep what they show meanwhile
  source.onerror = () => { document.body.dataset.followErrors = String(+(document.body.dataset.followErrors || 0) + 1); };
}

// as of a moment: every tile asked once, as the warehouse was then. As of a batch run, the first
// answer says which moment that run stands for, and the other tiles are asked as of that moment
// (the server then resolves the run once, not once per tile).
function lookBack() {
  if (source) { source.close(); source = null; }
  const r = range();
  Object.values(targets).forEach(id => { const el = document.getElementById(id); delete el.dataset.loaded; delete el.dataset.stale; });
  delete document.body.dataset.ready;
  const ask = (name, past) => fetch(`api/query/${name}?from=${r.from}&to=${r.to}&${past}`)
    .then(a => a.json()).then(a => { draw(a.name ? a : { name, error: a.error }); return a; })
    .catch(e => { draw({ name, error: e.message }); return {}; });
  const others = Object.keys(targets).filter(name => name !== 'freshness');
  if (asOfRun) {
    ask('freshness', `run=${encodeURIComponent(asOfRun)}`).then(a => {
      const past = a.as_of ? `as_of=${encodeURIComponent(a.as_of)}` : `run=${encodeURIComponent(asOfRun)}`;
      others.forEach(name => ask(name, past));
    });
  } else {
    const past = `as_of=${encodeURIComponent(asOf())}`;
    ['freshness', ...others].forEach(name => ask(name, past));
  }
}

function look() {
  if (asOfRun || asOf()) lookBack();
  else {
    const f = document.getElementById('freshness'); delete f.dataset.asOf;
    follow();
  }
}

initRange();
fetch('api/info').then(r => r.json()).then(i => { banner = i.banner || ''; drawFreshness(); }).catch(() => {});
look();
setInterval(drawFreshness, 1000);
window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));
