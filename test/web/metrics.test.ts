/**
 * The metrics endpoint, scraped over real HTTP (Node's client and curl):
 * /metrics parsed strictly as Prometheus text format 0.0.4 (HELP and TYPE
 * once per family and before its samples, samples of a family together,
 * metric and label names, label value escapes, float values), /healthz's
 * JSON and status codes, 404/405, and listen address parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { formatMetrics, parseListen, startMetricsServer, type Metrics } from '../../src/web/metrics';
import { UsageError } from '../../src/util/errors';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  help: string;
  type: string;
  samples: Sample[];
}

/** A strict parser of the text exposition format; throws on anything out of spec. */
function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const families = new Map<string, Family>();
  let current: string | null = null;
  const closed = new Set<string>();
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const lines = text.slice(0, -1).split('\n');
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line)) !== null) {
      const [, name, help] = m;
      assert.ok(!families.has(name), `HELP for ${name} twice`);
      assert.ok(!/\\[^\\n]/.test(help.replace(/\\\\/g, '')), `bad escape in HELP of ${name}`);
      if (current !== null) closed.add(current);
      families.set(name, { help, type: '', samples: [] });
      current = name;
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line)) !== null) {
      const [, name, type] = m;
      const f = families.get(name);
      assert.ok(f !== undefined && current === name, `TYPE for ${name} must follow its HELP`);
      assert.equal(f.type, '', `TYPE for ${name} twice`);
      assert.equal(f.samples.length, 0, `TYPE for ${name} after its samples`);
      f.type = type;
    } else if ((m = new RegExp(`^(${NAME})(\\{.*\\})? (\\S+)$`).exec(line)) !== null) {
      const name: string = m[1];
      const rawLabels: string | undefined = m[2];
      const rawValue: string = m[3];
      assert.ok(name === current, `sample ${name} outside its family (current ${current})`);
      assert.ok(!closed.has(name));
      const f = families.get(name) as Family;
      assert.notEqual(f.type, '', `sample of ${name} before its TYPE`);
      if (f.type === 'counter') assert.ok(name.endsWith('_total'), `counter ${name} should end in _total`);
      const labels: Record<string, string> = {};
      if (rawLabels !== undefined) {
        const body = rawLabels.slice(1, -1);
        const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/y;
        let pos = 0;
        while (pos < body.length) {
          re.lastIndex = pos;
          const lm = re.exec(body);
          assert.ok(lm !== null, `bad labels in: ${line}`);
          assert.ok(!(lm[1] in labels), `label ${lm[1]} twice`);
          labels[lm[1]] = lm[2].replace(/\\(\\|"|n)/g, (_, c: string) => (c === 'n' ? '\n' : c));
          pos = re.lastIndex;
        }
      }
      assert.match(rawValue, /^(NaN|[+-]Inf|[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)$/, `bad value in: ${line}`);
      const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
      f.samples.push({ name, labels, value });
    } else {
      assert.fail(`not an exposition line: ${JSON.stringify(line)}`);
    }
  }
  for (const [name, f] of families) assert.notEqual(f.type, '', `${name} has no TYPE`);
  return families;
}

function sample(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name);
  assert.ok(f !== undefined, `no family ${name}`);
  const s = f.samples.find((x) => Object.keys(labels).every((k) => x.labels[k] === labels[k]) && Object.keys(x.labels).length === Object.keys(labels).length);
  assert.ok(s !== undefined, `no sample ${name}${JSON.stringify(labels)}`);
  return s.value;
}

const METRICS: Metrics = {
  status: 'degraded',
  packets: 1_234_567,
  bytes: 987_654_321_012,
  filtered: 3,
  malformed: 2,
  flowsActive: 42,
  flowsTotal: 1000,
  records: 958,
  capture: [
    { interface: 'eth1', up: true, received: 1_300_000, kernelDrops: 17, interfaceDrops: 1, helperDrops: 0, restarts: 0 },
    { interface: 'eth2', up: false, received: 5, kernelDrops: 0, interfaceDrops: 0, helperDrops: 120, restarts: 2 },
  ],
  sinks: [
    { name: 'fluentd', state: 'up', delivered: 950, errors: 0, dropped: 0, pending: 8, spooledBytes: 0, lagSeconds: 0.25, retries: 0, rejected: 0 },
    { name: 'weird "name"\\with\nnewline', state: 'retrying', delivered: 10, errors: 4, dropped: 1, spooledBytes: 4096, lagSeconds: 12.5 },
  ],
  info: { version: '0.1.0' },
};

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/metrics serves every family in the 0.0.4 text format, with the values given', async () => {
  const srv = await startMetricsServer('127.0.0.1:0', () => METRICS);
  try {
    const r = await get(`${srv.url}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
    const f = parseExposition(r.body);
    assert.equal(sample(f, 'flowtap_packets_total'), 1_234_567);
    assert.equal(sample(f, 'flowtap_bytes_total'), 987_654_321_012);
    assert.equal(sample(f, 'flowtap_flows_active'), 42);
    assert.equal(f.get('flowtap_flows_active')?.type, 'gauge');
    assert.equal(sample(f, 'flowtap_flows_total'), 1000);
    assert.equal(sample(f, 'flowtap_records_total'), 958);
    assert.equal(sample(f, 'flowtap_capture_drops_total', { interface: 'eth1', kind: 'kernel' }), 17);
    assert.equal(sample(f, 'flowtap_capture_drops_total', { interface: 'eth1', kind: 'interface' }), 1);
    assert.equal(sample(f, 'flowtap_capture_drops_total', { interface: 'eth2', kind: 'helper' }), 120);
    assert.equal(sample(f, 'flowtap_capture_up', { interface: 'eth2' }), 0);
    assert.equal(sample(f, 'flowtap_capture_restarts_total', { interface: 'eth2' }), 2);
    assert.equal(sample(f, 'flowtap_sink_delivered_total', { sink: 'fluentd' }), 950);
    assert.equal(sample(f, 'flowtap_sink_lag_seconds', { sink: 'fluentd' }), 0.25);
    const weird = 'weird "name"\\with\nnewline';
    assert.equal(sample(f, 'flowtap_sink_errors_total', { sink: weird }), 4);
    assert.equal(sample(f, 'flowtap_sink_spooled_bytes', { sink: weird }), 4096);
    assert.equal(sample(f, 'flowtap_sink_dropped_total', { sink: weird }), 1);
    assert.equal(sample(f, 'flowtap_sink_up', { sink: weird }), 0);
    assert.ok(r.body.includes('sink="weird \\"name\\"\\\\with\\nnewline"'));
    assert.equal(f.get('flowtap_sink_pending_records')?.samples.length, 1, 'a sink without the figure has no sample');
    assert.ok(sample(f, 'flowtap_uptime_seconds') >= 0);
    assert.ok(sample(f, 'process_resident_memory_bytes') > 0);
  } finally {
    await srv.close();
  }
});

test('curl scrapes the endpoint too', { skip: spawnSync('curl', ['--version']).error !== undefined ? 'curl is not installed' : false }, async () => {
  const srv = await startMetricsServer('127.0.0.1:0', () => METRICS);
  try {
    const curl = (path: string): Promise<{ status: number | null; stdout: string }> =>
      new Promise((resolve) => {
        const c = spawn('curl', ['-s', '--fail', `${srv.url}${path}`]);
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        c.on('close', (status: number | null) => resolve({ status, stdout: out }));
      });
    const metrics = await curl('/metrics');
    assert.equal(metrics.status, 0);
    assert.equal(sample(parseExposition(metrics.stdout), 'flowtap_records_total'), 958);
    const health = await curl('/healthz');
    assert.equal(health.status, 0);
    assert.equal(JSON.parse(health.stdout).status, 'degraded');
  } finally {
    await srv.close();
  }
});

test('/healthz answers JSON with the status; 200 unless down or collect fails (503)', async () => {
  let m: Metrics = METRICS;
  let fail = false;
  const srv = await startMetricsServer('0', () => {
    if (fail) throw new Error('probe gone');
    return m;
  });
  try {
    assert.equal(srv.address, '127.0.0.1');
    const ok = await get(`${srv.url}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(ok.type, 'application/json');
    const body = JSON.parse(ok.body) as Record<string, unknown>;
    assert.equal(body.status, 'degraded');
    assert.equal(body.version, '0.1.0');
    assert.equal(typeof body.uptime_s, 'number');
    assert.deepEqual(body.capture, [
      { interface: 'eth1', up: true, drops: 18, restarts: 0 },
      { interface: 'eth2', up: false, drops: 120, restarts: 2 },
    ]);
    m = { ...METRICS, status: 'down' };
    assert.equal((await get(`${srv.url}/healthz`)).status, 503);
    assert.equal(sample(parseExposition((await get(`${srv.url}/metrics`)).body), 'flowtap_up'), 0);
    fail = true;
    const failed = await get(`${srv.url}/healthz`);
    assert.equal(failed.status, 503);
    assert.equal(JSON.parse(failed.body).error, 'probe gone');
  } finally {
    await srv.close();
  }
});

test('other paths are 404, other methods 405, HEAD has no body', async () => {
  const srv = await startMetricsServer('127.0.0.1:0', () => METRICS);
  try {
    assert.equal((await get(`${srv.url}/`)).status, 404);
    assert.equal((await get(`${srv.url}/metrics`, 'POST')).status, 405);
    const head = await get(`${srv.url}/metrics`, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get(`${srv.url}/metrics?x=1`)).status, 200);
  } finally {
    await srv.close();
  }
});

test('a minimal probe (no capture, no sinks) still gives a valid exposition; special values are spelled as Prometheus does', () => {
  const f = parseExposition(formatMetrics({ packets: 0, bytes: 0, flowsActive: 0, flowsTotal: 0, records: 0 }, 1.5));
  assert.equal(f.has('flowtap_capture_drops_total'), false);
  assert.equal(sample(f, 'flowtap_uptime_seconds'), 1.5);
  const g = parseExposition(formatMetrics({ packets: 0, bytes: 0, flowsActive: 0, flowsTotal: 0, records: 0, sinks: [{ name: 's', delivered: 0, errors: 0, dropped: 0, spooledBytes: 0, lagSeconds: Infinity }] }, 0));
  assert.equal(sample(g, 'flowtap_sink_lag_seconds', { sink: 's' }), Infinity);
});

test('listen addresses: host:port, [v6]:port, :port (every address), a port alone (127.0.0.1); mistakes are usage errors', async () => {
  assert.deepEqual(parseListen('10.0.0.1:9100'), { host: '10.0.0.1', port: 9100 });
  assert.deepEqual(parseListen('[::1]:9100'), { host: '::1', port: 9100 });
  assert.deepEqual(parseListen(':9100'), { host: '::', port: 9100 });
  assert.deepEqual(parseListen('9100'), { host: '127.0.0.1', port: 9100 });
  for (const bad of ['::1:9100', 'host:', 'host:99999', 'host:http', '']) assert.throws(() => parseListen(bad), UsageError, bad);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as { port: number }).port;
  try {
    await assert.rejects(startMetricsServer(`127.0.0.1:${port}`, () => METRICS), (e: unknown) => e instanceof UsageError && e.message === `metrics endpoint: cannot listen on 127.0.0.1:${port}: the port is in use`);
    await assert.rejects(startMetricsServer({ host: '127.0.0.1', port }, () => METRICS), (e: unknown) => e instanceof UsageError && e.message === `metrics endpoint: cannot listen on 127.0.0.1:${port}: the port is in use`);
    const parsed = await startMetricsServer({ host: '::1', port: 0 }, () => METRICS).catch(() => null);
    if (parsed !== null) {
      assert.match(parsed.url, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await get(`${parsed.url}/healthz`)).status, 200);
      await parsed.close();
    }
  } finally {
    busy.close();
  }
});
