// The analytics dashboard: signs in with an API key (kept for this tab only) and asks the query
// API once a second for the series, the summary and the top events of the chosen range.
(() => {
  const $ = (id) => document.getElementById(id);
  const charts = {};
  let key = sessionStorage.getItem('backbone-key');

  async function get(path) {
    const response = await fetch('/v1/analytics' + path, {headers: {Authorization: 'Bearer ' + key}});
    const body = await response.json();
    if (!response.ok) {
      throw Object.assign(new Error(body.message || ('HTTP ' + response.status)), {status: response.status});
    }
    return body;
  }

  function query() {
    const minutes = Number($('range').value);
    const minute = 60000;
    const to = Math.ceil((Date.now() + 1) / minute) * minute;
    const interval = minutes > 360 ? 'hour' : 'minute';
    return {interval, range: `&from=${to - minutes * minute}&to=${to}`};
  }

  function draw(id, series, field, label, color) {
    const xs = series.points.map((point) => Date.parse(point.start) / 1000);
    const ys = series.points.map((point) => point[field]);
    if (!charts[id]) {
      charts[id] = new uPlot({
        width: Math.max(300, $(id).clientWidth), height: 180,
        series: [{}, {label, stroke: color, fill: color + '22', width: 2}],
      }, [xs, ys], $(id));
    } else {
      charts[id].setData([xs, ys]);
    }
    return ys;
  }

  async function refresh() {
    const {interval, range} = query();
    const name = encodeURIComponent($('name').value || '*');
    const currency = encodeURIComponent($('currency').value || 'EUR');
    try {
      const [events, revenue, denials, summary, top] = await Promise.all([
        get(`/series?name=${name}&interval=${interval}${range}`),
        get(`/series?name=revenue.${currency}&interval=${interval}${range}`),
        get(`/series?name=audit.denied&interval=${interval}${range}`),
        get(`/summary?name=${name}${range}`),
        get(`/top?n=10${range}`),
      ]);
      const counts = draw('events-chart', events, 'count', 'events', '#2563eb');
      const latest = counts.length ? counts[counts.length - 1] : 0;
      $('events-latest').textContent = `· latest ${latest}`;
      $('events-latest').dataset.latest = String(latest);
      $('events-latest').dataset.total = String(counts.reduce((sum, count) => sum + count, 0));
      draw('revenue-chart', revenue, 'sum', 'revenue', '#059669');
      draw('denials-chart', denials, 'count', 'denials', '#dc2626');
      $('events-total').textContent = summary.count.toLocaleString();
      $('distinct-users').textContent = summary.distinctUsers.toLocaleString();
      $('p99').textContent = summary.quantiles.p99 === undefined ? '–' : summary.quantiles.p99.toLocaleString();
      $('top').replaceChildren(...top.names.map((row) => {
        const item = document.createElement('li');
        item.textContent = `${row.name}: ${row.count.toLocaleString()}`;
        return item;
      }));
      const stale = events.standby ? ` (from a standby, ${events.lagRecords} records behind)` : '';
      $('served').textContent = `Served by ${events.servedBy}${stale} at ${new Date().toLocaleTimeString()}`;
      $('status').textContent = 'live';
    } catch (error) {
      if (error.status === 401 || error.status === 403) {
        signOut(error.message);
      } else {
        $('status').textContent = 'retrying: ' + error.message;
      }
    }
  }

  function signOut(message) {
    key = null;
    sessionStorage.removeItem('backbone-key');
    $('dashboard').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message || '';
    $('status').textContent = '';
  }

  function signIn(secret) {
    key = secret;
    sessionStorage.setItem('backbone-key', secret);
    $('signin').hidden = true;
    $('dashboard').hidden = false;
    $('signin-error').textContent = '';
    refresh();
  }

  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn($('key').value.trim());
  });
  $('signout').addEventListener('click', () => signOut(''));
  ['range', 'name', 'currency'].forEach((id) => $(id).addEventListener('change', refresh));
  if (key) {
    signIn(key);
  }
  setInterval(() => {
    if (key) {
      refresh();
    }
  }, 1000);
})();
