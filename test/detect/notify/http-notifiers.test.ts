/**
 * Slack and generic webhooks against a local HTTP receiver: the Block Kit
 * payload, retries through 429 and 500 until success (honouring
 * Retry-After), refusals not retried, one log line per change of state,
 * the rate limit with its summary, headers, timeouts; the webhook's secret
 * path never appears in the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotifierQueue } from '../../../src/detect/notify/queue';
import { SlackTransport, slackPayload } from '../../../src/detect/notify/slack';
import { WebhookTransport } from '../../../src/detect/notify/webhook';
import { MemoryLog, Receiver, sampleAlert, until } from './support';

const SECRET_PATH = '/services/T0000/B0000/secret-webhook-token';

function queue(t: SlackTransport | WebhookTransport, log: MemoryLog, over: Partial<ConstructorParameters<typeof NotifierQueue>[1]> = {}): NotifierQueue {
  return new NotifierQueue(t, { minSeverity: 'info', ratePerMinute: 0, queueSize: 100, backoffMs: 20, maxBackoffMs: 200, ...over }, log);
}

test('slack-gets-a-block-kit-message-after-429-and-500-answers', async () => {
  const rx = new Receiver([[429, 'rate_limited', { 'retry-after': '1' }], [500, 'rollup_error'], [200, 'ok']]);
  const base = await rx.start();
  try {
    const log = new MemoryLog();
    const q = queue(new SlackTransport(base + SECRET_PATH, 'blocks', 5000), log);
    q.offer(sampleAlert());
    await until(() => q.stats.delivered === 1, 10_000, 'delivery');
    const stats = await q.close(1000);
    assert.equal(rx.requests.length, 3);
    assert.equal(rx.requests[0].path, SECRET_PATH);
    assert.equal(rx.requests[0].headers['content-type'], 'application/json; charset=utf-8');
    const body = JSON.parse(rx.requests[2].body) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    assert.deepEqual(body, slackPayload(sampleAlert(), 'blocks'));
    assert.equal(body.text, '[HIGH] port-scan: 10.1.1.66 contacted 241 ports on 1 host(s) in 13 s, mostly Skype');
    assert.deepEqual(body.blocks.map((b) => b.type), ['header', 'section', 'section', 'context']);
    assert.match(body.blocks[2].fields?.[0].text ?? '', /\*Source\*\n`10\.1\.1\.66`/);
    assert.match(body.blocks[2].fields?.[3].text ?? '', /Skype_Teams 180, Unknown 61/);
    assert.equal(stats.delivered, 1);
    assert.equal(stats.failed, 0);
    // One line when it started failing (429 and 500 are the same state: busy), one when it recovered.
    assert.equal(log.lines.length, 2, log.lines.join('\n'));
    assert.match(log.lines[0], /^warn alerts to slack 127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+ answered HTTP 429 \(rate_limited\) \(E_NOTIFY_BUSY\); retrying with backoff/);
    assert.match(log.lines[1], /^info alerts to slack 127\.0\.0\.1:\d+: delivering again/);
    assert.ok(log.lines.every((l) => !l.includes('secret-webhook-token')));
  } finally {
    await rx.stop();
  }
});

test('retry-after-is-honoured', async () => {
  const rx = new Receiver([[429, 'slow down', { 'retry-after': '1' }], [200, 'ok']]);
  const base = await rx.start();
  try {
    const times: number[] = [];
    const q = queue(new WebhookTransport(base + '/hook', {}, 5000), new MemoryLog());
    const t0 = Date.now();
    q.offer(sampleAlert());
    await until(() => q.stats.delivered === 1, 10_000, 'delivery');
    times.push(Date.now() - t0);
    assert.ok(times[0] >= 950, `second attempt after ${times[0]} ms, asked to wait 1 s`);
    await q.close(1000);
  } finally {
    await rx.stop();
  }
});

test('a-refused-webhook-is-not-retried-and-is-logged-once', async () => {
  const rx = new Receiver([[404, 'no_service']]);
  const base = await rx.start();
  try {
    const log = new MemoryLog();
    const q = queue(new SlackTransport(base + SECRET_PATH, 'text', 5000), log);
    for (let i = 0; i < 3; i++) q.offer(sampleAlert({ src_addr: `10.0.0.${i}` }));
    await until(() => q.stats.failed === 3, 10_000, 'three refusals');
    const stats = await q.close(1000);
    assert.equal(rx.requests.length, 3, 'one attempt each');
    assert.equal(stats.delivered, 0);
    assert.equal(log.lines.length, 1, log.lines.join('\n'));
    assert.match(log.lines[0], /answered HTTP 404 \(no_service\) \(E_NOTIFY_REJECTED\); not retried: fix the notifier settings/);
    assert.deepEqual(JSON.parse(rx.requests[0].body), { text: ':red_circle: *[HIGH] port-scan*: 10.1.1.66 contacted 241 ports on 1 host(s) in 13 s, mostly Skype' });
  } finally {
    await rx.stop();
  }
});

test('the-rate-limit-lets-n-alerts-through-then-sends-one-summary', async () => {
  const rx = new Receiver([[200, 'ok']]);
  const base = await rx.start();
  try {
    const log = new MemoryLog();
    const q = queue(new SlackTransport(base + SECRET_PATH, 'blocks', 5000), log, { ratePerMinute: 3 });
    for (let i = 0; i < 10; i++) q.offer(sampleAlert({ src_addr: `10.0.0.${i}`, rule: i % 2 === 0 ? 'port-scan' : 'bittorrent' }));
    await until(() => q.stats.delivered === 3, 10_000, 'three deliveries');
    const stats = await q.close(5000);
    assert.equal(stats.suppressed, 7);
    assert.equal(stats.summaries, 1);
    assert.equal(rx.requests.length, 4);
    const summary = JSON.parse(rx.requests[3].body) as { text: string };
    assert.match(summary.text, /7 more alerts suppressed by the rate limit of 3 per minute \(bittorrent 4, port-scan 3; from 10\.0\.0\.3, 10\.0\.0\.4, 10\.0\.0\.5, 10\.0\.0\.6, 10\.0\.0\.7 and 2 more\)/);
    assert.deepEqual(log.lines, []);
  } finally {
    await rx.stop();
  }
});

test('the-summary-goes-out-as-soon-as-the-bucket-refills', async () => {
  const rx = new Receiver([[200, 'ok']]);
  const base = await rx.start();
  let now = 0;
  try {
    const q = queue(new WebhookTransport(base + '/x', {}, 5000), new MemoryLog(), { ratePerMinute: 60, burst: 1, now: () => now });
    q.offer(sampleAlert());
    q.offer(sampleAlert());
    q.offer(sampleAlert());
    await until(() => q.stats.delivered === 1, 10_000, 'first delivery');
    now += 1000;
    q.offer(sampleAlert({ src_addr: '10.9.9.9' }));
    await until(() => q.stats.delivered === 2, 10_000, 'summary');
    const second = JSON.parse(rx.requests[1].body) as { kind: string; message: string; counts: { suppressed: number } };
    assert.equal(second.kind, 'summary');
    assert.equal(second.counts.suppressed, 2);
    assert.equal(q.stats.suppressed, 3, 'the fourth alert found the bucket empty again after the summary');
    await q.close(2000);
  } finally {
    await rx.stop();
  }
});

test('the-generic-webhook-posts-the-alert-with-its-headers', async () => {
  const rx = new Receiver([[204, '']]);
  const base = await rx.start();
  try {
    const q = queue(new WebhookTransport(`${base}/hooks/flowtap?token=abc`, { Authorization: 'Bearer s3cret' }, 5000), new MemoryLog());
    const a = sampleAlert({ kind: 'policy', rule: 'tor' });
    q.offer(a);
    await until(() => q.stats.delivered === 1, 10_000, 'delivery');
    await q.close(1000);
    assert.equal(rx.requests[0].headers.authorization, 'Bearer s3cret');
    assert.deepEqual(JSON.parse(rx.requests[0].body), a);
    assert.equal(new WebhookTransport(`${base}/hooks/flowtap?token=abc`, {}, 1).name, `webhook ${base}`);
  } finally {
    await rx.stop();
  }
});

test('a-receiver-that-never-answers-times-out-and-the-alert-is-given-up-after-its-attempts', async () => {
  const rx = new Receiver(['hang']);
  const base = await rx.start();
  try {
    const log = new MemoryLog();
    const q = queue(new WebhookTransport(base + '/slow', {}, 200), log, { maxAttempts: 2 });
    q.offer(sampleAlert());
    await until(() => q.stats.failed === 1, 10_000, 'giving up');
    await q.close(500);
    assert.equal(rx.requests.length, 2);
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0], /no answer within 200 ms \(E_NOTIFY_TIMEOUT\)/);
  } finally {
    await rx.stop();
  }
});

test('a-full-queue-drops-the-oldest-alerts-and-close-counts-what-is-left', async () => {
  const rx = new Receiver(['hang']);
  const base = await rx.start();
  try {
    const log = new MemoryLog();
    const q = queue(new WebhookTransport(base + '/slow', {}, 5000), log, { queueSize: 3 });
    for (let i = 0; i < 10; i++) q.offer(sampleAlert({ src_addr: `10.0.0.${i}` }));
    const stats = await q.close(300);
    assert.equal(stats.dropped, 7);
    assert.equal(stats.undelivered, 3);
    assert.equal(log.lines.filter((l) => l.includes('the oldest are dropped')).length, 1);
  } finally {
    await rx.stop();
  }
});

test('alerts-below-the-notifier-minimum-severity-are-not-sent', async () => {
  const rx = new Receiver([[200, 'ok']]);
  const base = await rx.start();
  try {
    const q = queue(new WebhookTransport(base + '/x', {}, 5000), new MemoryLog(), { minSeverity: 'high' });
    q.offer(sampleAlert({ severity: 'medium' }));
    q.offer(sampleAlert({ severity: 'critical' }));
    const stats = await q.close(2000);
    assert.equal(stats.offered, 1);
    assert.equal(rx.requests.length, 1);
    assert.equal((JSON.parse(rx.requests[0].body) as { severity: string }).severity, 'critical');
  } finally {
    await rx.stop();
  }
});
