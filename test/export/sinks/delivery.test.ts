/**
 * The delivery layer (src/export/sinks/delivery.ts) against the scriptable
 * fake transport: every record arrives exactly once and in order whether the
 * destination is up, down at start, down for a while, never acknowledging,
 * slow or refusing; memory stays bounded; the spool carries records across
 * runs; drops happen only when the spool is full; messages are told once or
 * rate-limited; counters add up (received = delivered + rejected + dropped +
 * pending) at every check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '../../../src/flow/record';
import { Delivery, type DeliveryOptions, type SinkStats } from '../../../src/export/sinks/delivery';
import { SinkError } from '../../../src/export/sinks/transport';
import { segmentName } from '../../../src/export/sinks/spool';
import { backoffDelay } from '../../../src/export/sinks/backoff';
import { FakeTransport } from './fake-transport';
import { manyRecords } from './transport-contract';

interface Logged {
  info: string[];
  warn: string[];
  log: { info(m: string): void; warn(m: string): void };
}

function logged(): Logged {
  const info: string[] = [];
  const warn: string[] = [];
  return { info, warn, log: { info: (m) => info.push(m), warn: (m) => warn.push(m) } };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-delivery-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function options(dir: string, l: Logged, extra: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { spoolDir: join(dir, 'sink'), maxSpoolBytes: 1 << 30, memoryRecords: 50_000, retryMinMs: 5, retryMaxMs: 40, log: l.log, ...extra };
}

/** Waits (polling) until cond() holds; fails naming what it waited for. */
async function until(cond: () => boolean, what: string, ms = 45_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function balanced(s: SinkStats): void {
  assert.equal(s.received, s.delivered + s.rejected + s.dropped + s.pending, `counters add up: ${JSON.stringify(s)}`);
}

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

async function pushAll(d: Delivery, recs: readonly FlowRecord[], chunk = 1000, check?: () => void): Promise<void> {
  for (let i = 0; i < recs.length; i += chunk) {
    for (const r of recs.slice(i, i + chunk)) d.push(r);
    check?.();
    await yieldNow();
  }
}

const ids = (rs: readonly FlowRecord[]): number[] => rs.map((r) => r.flow_id);
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

function segments(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'sink')).filter((n) => n.startsWith('seg-'));
  } catch {
    return [];
  }
}

test('every record of a 100k-record run arrives exactly once and in order when the destination is up', { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 1000 });
    const d = new Delivery(t, options(dir, l));
    await d.start();
    const recs = await manyRecords(100_000);
    await pushAll(d, recs);
    const res = await d.drain(90_000);
    assert.deepEqual(res, { delivered: 100_000, spooled: 0, dropped: 0, timedOut: false });
    assert.deepEqual(ids(t.accepted), range(1, 100_000));
    assert.deepEqual(t.accepted[777], recs[777]);
    const s = d.stats();
    balanced(s);
    assert.equal(s.pending, 0);
    assert.equal(s.state, 'up');
    assert.equal(t.maxInFlight, 1, 'one send at a time');
    assert.equal(t.closeCalls, 1);
    assert.deepEqual(l.warn, []);
    assert.deepEqual(l.info, ['fake test://127.0.0.1:24224: all 100000 records delivered']);
  });
});

test('a producer faster than a slow destination: what does not fit in memory goes through the spool, and all arrives in order', { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 500 });
    t.delayMs = 2;
    const d = new Delivery(t, options(dir, l, { memoryRecords: 3000, segmentBytes: 256 * 1024 }));
    await d.start();
    const recs = await manyRecords(30_000);
    for (const r of recs) d.push(r);
    const s0 = d.stats();
    balanced(s0);
    assert.ok(s0.spilled >= 26_000, `spilled ${s0.spilled}`);
    assert.ok(s0.pending - s0.spilled <= 3000 + 500, 'memory holds at most memoryRecords (plus the batch in flight)');
    assert.ok(segments(dir).length > 1);
    const res = await d.drain(90_000);
    assert.equal(res.delivered, 30_000);
    assert.deepEqual(ids(t.accepted), range(1, 30_000));
    assert.equal(t.maxInFlight, 1);
    assert.deepEqual(segments(dir), [], 'delivered segments are deleted');
    balanced(d.stats());
  });
});

test('a destination down at start: told once, the same batch is retried, and everything arrives in order once it is back', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 200 });
    t.down = true;
    const d = new Delivery(t, options(dir, l));
    await d.start();
    const recs = await manyRecords(5000);
    for (const r of recs) d.push(r);
    await until(() => d.stats().errors >= 4, 'four failed sends');
    let s = d.stats();
    balanced(s);
    assert.equal(s.state, 'retrying');
    assert.equal(s.last_error_code, 'E_SINK_CONNECT');
    assert.equal(s.last_error, 'connect ECONNREFUSED 127.0.0.1:24224');
    assert.equal(s.delivered, 0);
    assert.equal(s.pending, 5000);
    assert.ok(t.sends.length >= 4);
    for (const b of t.sends) assert.equal(b, t.sends[0], 'a failed batch is retried as the same array');
    assert.deepEqual(l.warn, ['fake test://127.0.0.1:24224: unreachable (connect ECONNREFUSED 127.0.0.1:24224); buffering records and retrying']);

    t.down = false;
    await until(() => d.stats().delivered === 5000, 'all records delivered');
    s = d.stats();
    balanced(s);
    assert.equal(s.state, 'up');
    assert.ok(s.retries >= 3);
    assert.deepEqual(ids(t.accepted), range(1, 5000));
    assert.equal(l.info.length, 1);
    assert.match(l.info[0], /^fake test:\/\/127\.0\.0\.1:24224: back after \d+ ms; 5000 buffered records delivered$/);
    await d.drain(10_000);
  });
});

test('down for a while mid-run: records spill to disk, memory stays bounded, and all arrive in order afterwards', { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 500 });
    const memoryRecords = 2000;
    const d = new Delivery(t, options(dir, l, { memoryRecords, segmentBytes: 64 * 1024 }));
    await d.start();
    const recs = await manyRecords(23_000);
    await pushAll(d, recs.slice(0, 3000), 500);
    await until(() => d.stats().delivered === 3000, 'the first 3000 delivered');

    t.down = true;
    await pushAll(d, recs.slice(3000), 500, () => {
      const s = d.stats();
      balanced(s);
      assert.ok(s.pending - s.spilled <= memoryRecords + 500, `memory bounded: ${JSON.stringify(s)}`);
    });
    await until(() => d.stats().errors >= 2, 'failed sends');
    const down = d.stats();
    assert.equal(down.delivered, 3000 + (t.accepted.length - 3000));
    assert.ok(down.spilled >= 20_000 - memoryRecords - 500, `spilled ${down.spilled}`);
    assert.ok(down.spooled_bytes > 64 * 1024);
    assert.ok(segments(dir).length > 2, 'several segments');

    t.down = false;
    await until(() => d.stats().delivered === 23_000, 'all delivered');
    assert.deepEqual(ids(t.accepted), range(1, 23_000));
    assert.equal(t.maxInFlight, 1);
    assert.deepEqual(segments(dir), []);
    const s = d.stats();
    balanced(s);
    assert.equal(s.spooled_bytes, 0);
    assert.equal(l.info.filter((m) => /back after/.test(m)).length, 1);
    assert.match(l.info.find((m) => /back after/.test(m)) ?? '', /; \d+ buffered records delivered$/);
    await d.drain(10_000);
  });
});

for (const memoryRecords of [1000, 50_000]) {
  test(`a destination that never acknowledges (memory ${memoryRecords}): drain keeps everything in the spool, and the next run on that directory sends it first`, { timeout: 60_000 }, async () => {
    await withDir(async (dir) => {
      const l = logged();
      const t = new FakeTransport({ maxBatch: 100 });
      t.neverAck = true;
      const d = new Delivery(t, options(dir, l, { memoryRecords }));
      await d.start();
      const recs = await manyRecords(5100);
      for (const r of recs.slice(0, 5000)) d.push(r);
      await until(() => t.sends.length >= 1, 'a send under way');
      const res = await d.drain(300);
      assert.deepEqual(res, { delivered: 0, spooled: 5000, dropped: 0, timedOut: true });
      balanced(d.stats());
      assert.equal(t.closeCalls, 1);
      const spoolDir = join(dir, 'sink');
      assert.deepEqual(l.warn, [`fake test://127.0.0.1:24224: 5000 records could not be delivered before the 300 ms drain timeout; kept in ${spoolDir}, they are sent on the next run`]);
      d.push(recs[5000]);
      assert.equal(d.stats().dropped, 1, 'a push after drain is counted as dropped');

      const l2 = logged();
      const t2 = new FakeTransport({ maxBatch: 100 });
      const d2 = new Delivery(t2, options(dir, l2, { memoryRecords }));
      await d2.start();
      assert.deepEqual(l2.info, [`fake test://127.0.0.1:24224: 5000 records left in ${spoolDir} by an earlier run; sending them first`]);
      assert.equal(d2.stats().received, 5000);
      for (const r of recs.slice(5000)) d2.push(r);
      const res2 = await d2.drain(30_000);
      assert.deepEqual(res2, { delivered: 5100, spooled: 0, dropped: 0, timedOut: false });
      assert.deepEqual(ids(t2.accepted), range(1, 5100));
      assert.deepEqual(segments(dir), []);
      balanced(d2.stats());
    });
  });
}

test('spool full: new records are dropped, counted and told at most every 30 s; the kept ones arrive in order', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    let clock = 1_000_000;
    const t = new FakeTransport({ maxBatch: 50 });
    t.down = true;
    const d = new Delivery(t, options(dir, l, { memoryRecords: 100, maxSpoolBytes: 40_000, now: () => clock }));
    await d.start();
    const recs = await manyRecords(1010);
    for (const r of recs.slice(0, 1000)) d.push(r);
    let s = d.stats();
    balanced(s);
    assert.ok(s.dropped > 500, `dropped ${s.dropped}`);
    assert.ok(s.spooled_bytes <= 40_000);
    const full = (m: string): boolean => /spool .* is full|more records? dropped/.test(m);
    assert.equal(l.warn.filter(full).length, 1);
    assert.match(l.warn.find(full) ?? '', /^fake test:\/\/127\.0\.0\.1:24224: spool .*sink is full \(39\.1 KiB\) and memory too; dropping new records/);
    for (const r of recs.slice(1000, 1005)) d.push(r);
    assert.equal(l.warn.filter(full).length, 1, 'not told again within 30 s');
    clock += 31_000;
    for (const r of recs.slice(1005)) d.push(r);
    assert.equal(l.warn.filter(full).length, 2);
    const m = /: (\d+) more records dropped \(spool .* full or unwritable; (\d+) in all\)$/.exec(l.warn.filter(full)[1]);
    assert.ok(m !== null, l.warn.filter(full)[1]);
    assert.equal(1 + Number(m[1]), Number(m[2]), 'the second message counts the drops since the first');

    t.down = false;
    const res = await d.drain(30_000);
    s = d.stats();
    balanced(s);
    assert.equal(res.timedOut, false);
    assert.equal(s.delivered, 1010 - s.dropped);
    const got = ids(t.accepted);
    assert.deepEqual(got, got.slice().sort((a, b) => a - b), 'in order');
    assert.deepEqual(got.slice(0, 150), range(1, 150), 'the oldest records are the ones kept');
    assert.equal(l.warn[l.warn.length - 1], `fake test://127.0.0.1:24224: ${s.delivered} records delivered, ${s.dropped} dropped (spool full or not writable, or unreadable spool lines)`);
  });
});

test('a torn spool line left by a crash is skipped with a warning; the other records are delivered', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const recs = await manyRecords(4);
    mkdirSync(join(dir, 'sink'));
    const lines = recs.map((r) => JSON.stringify(r) + '\n');
    writeFileSync(join(dir, 'sink', segmentName(3)), lines.slice(0, 3).join('') + lines[3].slice(0, 100));
    const l = logged();
    const t = new FakeTransport();
    const d = new Delivery(t, options(dir, l));
    await d.start();
    assert.equal(d.stats().received, 4);
    const res = await d.drain(30_000);
    assert.deepEqual(res, { delivered: 3, spooled: 0, dropped: 1, timedOut: false });
    assert.deepEqual(t.accepted, recs.slice(0, 3));
    balanced(d.stats());
    assert.equal(l.warn.length, 2);
    assert.match(l.warn[0], /^fake test:\/\/127\.0\.0\.1:24224: spool .*seg-0000000000000003\.jsonl: skipped 1 unreadable line \(a torn last line at byte \d+/);
    assert.match(l.warn[1], /: 3 records delivered, 1 dropped \(/);
  });
});

test('a non-retryable error is told once, at once, and retried at the slowest pace until it is fixed', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport();
    t.down = true;
    t.error = new SinkError('E_SINK_AUTH', 'fluentd 127.0.0.1:24224 refused the shared key');
    const d = new Delivery(t, options(dir, l, { retryMinMs: 1, retryMaxMs: 15 }));
    await d.start();
    for (const r of await manyRecords(10)) d.push(r);
    await until(() => d.stats().errors >= 5, 'five failed sends');
    const s = d.stats();
    balanced(s);
    assert.equal(s.state, 'failing');
    assert.equal(s.last_error_code, 'E_SINK_AUTH');
    assert.deepEqual(l.warn, [
      "fake test://127.0.0.1:24224: fluentd 127.0.0.1:24224 refused the shared key [E_SINK_AUTH]; this will not clear by itself, check the sink's settings; records are kept and the send is retried every 15 ms",
    ]);
    t.down = false;
    await until(() => d.stats().delivered === 10, 'delivered after the fix');
    assert.equal(d.stats().state, 'up');
    await d.drain(10_000);
  });
});

test('a retryable outage that turns into a non-retryable one tells both, once each', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport();
    t.down = true;
    const d = new Delivery(t, options(dir, l, { retryMinMs: 1, retryMaxMs: 10 }));
    await d.start();
    for (const r of await manyRecords(10)) d.push(r);
    await until(() => d.stats().errors >= 3, 'three connect failures');
    t.error = new SinkError('E_SINK_TLS', 'certificate of collector.example:24224 has expired');
    await until(() => d.stats().errors >= 8, 'TLS failures');
    assert.equal(l.warn.length, 2);
    assert.match(l.warn[0], /unreachable/);
    assert.match(l.warn[1], /certificate of collector\.example:24224 has expired \[E_SINK_TLS\]; this will not clear by itself/);
    t.down = false;
    await d.drain(10_000);
    assert.deepEqual(ids(t.accepted), range(1, 10));
  });
});

test('records the destination refuses one by one are counted as rejected, not sent again, and told', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 10 });
    t.rejectPerBatch = 2;
    const d = new Delivery(t, options(dir, l, { now: () => 5000 }));
    await d.start();
    for (const r of await manyRecords(100)) d.push(r);
    const res = await d.drain(30_000);
    const s = d.stats();
    balanced(s);
    assert.equal(res.delivered, 80);
    assert.equal(s.rejected, 20);
    assert.equal(t.sends.length, 10, 'no batch sent twice');
    assert.deepEqual(l.warn, ['fake test://127.0.0.1:24224: the destination refused 2 records (mapper_parsing_exception: failed to parse field [src_port]); they are counted as rejected and not sent again']);
    assert.deepEqual(l.info, ['fake test://127.0.0.1:24224: all 80 records delivered (20 refused by the destination)']);
  });
});

test('a send that never settles is given up after sendTimeoutMs as E_SINK_TIMEOUT and the same batch sent again', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport();
    t.hangNext = 1;
    const d = new Delivery(t, options(dir, l, { sendTimeoutMs: 100 }));
    await d.start();
    for (const r of await manyRecords(10)) d.push(r);
    await until(() => d.stats().delivered === 10, 'delivered after the watchdog');
    const s = d.stats();
    balanced(s);
    assert.equal(s.errors, 1);
    assert.equal(s.last_error_code, 'E_SINK_TIMEOUT');
    assert.equal(t.sends[1], t.sends[0]);
    assert.deepEqual(l.warn, ['fake test://127.0.0.1:24224: not answering (no answer to a send within 100 ms); buffering records and retrying']);
    await d.drain(10_000);
  });
});

test('while the destination stays down, a reminder with the waiting records comes at most every 30 s', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    let clock = 50_000;
    const t = new FakeTransport();
    t.down = true;
    const d = new Delivery(t, options(dir, l, { now: () => clock, retryMinMs: 1, retryMaxMs: 5 }));
    await d.start();
    for (const r of await manyRecords(150)) d.push(r);
    await until(() => d.stats().errors >= 3, 'failures');
    assert.equal(l.warn.length, 1);
    clock += 31_000;
    let e = d.stats().errors;
    await until(() => d.stats().errors >= e + 3, 'more failures');
    assert.equal(l.warn.length, 2);
    assert.equal(
      l.warn[1],
      `fake test://127.0.0.1:24224: still failing after 31 s (connect ECONNREFUSED 127.0.0.1:24224 [E_SINK_CONNECT]); 150 records waiting (150 in memory, 0 in ${join(dir, 'sink')}, 0 bytes)`,
    );
    e = d.stats().errors;
    await until(() => d.stats().errors >= e + 3, 'more failures');
    assert.equal(l.warn.length, 2, 'no reminder before another 30 s passed');
    t.down = false;
    await d.drain(10_000);
    assert.match(l.info[0], /back after 31 s; 150 buffered records delivered/);
  });
});

test('a destination that flaps is told at most every 30 s, and so is its recovery', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    let clock = 10_000;
    const t = new FakeTransport({ maxBatch: 10, lingerMs: 0 });
    const d = new Delivery(t, options(dir, l, { now: () => clock, retryMinMs: 1, retryMaxMs: 5 }));
    await d.start();
    const recs = await manyRecords(40);
    for (let round = 0; round < 4; round++) {
      if (round === 3) clock += 31_000;
      t.failNext = 1;
      for (const r of recs.slice(round * 10, round * 10 + 10)) d.push(r);
      await until(() => d.stats().delivered === (round + 1) * 10, `round ${round} delivered`);
    }
    assert.equal(d.stats().errors, 4);
    assert.equal(l.warn.length, 2, l.warn.join('\n'));
    assert.ok(l.warn.every((m) => /unreachable \(connect ECONNREFUSED/.test(m)));
    assert.equal(l.info.length, 2, l.info.join('\n'));
    assert.ok(l.info.every((m) => /back after 0 ms; 10 buffered records delivered/.test(m)));
    await d.drain(10_000);
    assert.deepEqual(ids(t.accepted), range(1, 40));
  });
});

test('lag_ms is the age of the oldest undelivered record', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    let clock = 1000;
    const t = new FakeTransport({ maxBatch: 1, lingerMs: 0 });
    t.down = true;
    const d = new Delivery(t, options(dir, l, { now: () => clock, memoryRecords: 1 }));
    await d.start();
    const recs = await manyRecords(3);
    assert.equal(d.stats().lag_ms, 0);
    d.push(recs[0]);
    clock = 3000;
    d.push(recs[1]);
    d.push(recs[2]);
    clock = 6000;
    assert.equal(d.stats().lag_ms, 5000);
    t.down = false;
    await until(() => d.stats().delivered === 3, 'all delivered');
    assert.equal(d.stats().lag_ms, 0);
    await d.drain(10_000);
  });
});

test('a partial batch goes out after lingerMs, in one send', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100, lingerMs: 30 });
    const d = new Delivery(t, options(dir, l));
    await d.start();
    for (const r of await manyRecords(3)) d.push(r);
    assert.equal(t.sends.length, 0, 'not sent at once');
    await until(() => d.stats().delivered === 3, 'the partial batch delivered');
    assert.equal(t.sends.length, 1);
    assert.equal(t.sends[0].length, 3);
    await d.drain(10_000);
  });
});

test('drain() sends a partial batch at once: its linger time does not hold the end of a run up', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100, lingerMs: 3_600_000 });
    const d = new Delivery(t, options(dir, l));
    await d.start();
    for (const r of await manyRecords(3)) d.push(r);
    assert.equal(t.sends.length, 0, 'waiting for the linger time');
    const res = await d.drain(3_600_000);
    assert.deepEqual(res, { delivered: 3, spooled: 0, dropped: 0, timedOut: false });
    assert.equal(t.sends.length, 1);
  });
});

test('a second drain() with a shorter timeout cuts a running drain short, and both get the same result', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100 });
    t.neverAck = true;
    const d = new Delivery(t, options(dir, l));
    await d.start();
    for (const r of await manyRecords(250)) d.push(r);
    await until(() => t.sends.length >= 1, 'a send under way');
    const first = d.drain(3_600_000);
    await yieldNow();
    const second = d.drain(0);
    assert.equal(second, first, 'the same drain');
    const res = await first;
    assert.deepEqual(res, { delivered: 0, spooled: 250, dropped: 0, timedOut: true });
    assert.deepEqual(l.warn, [`fake test://127.0.0.1:24224: 250 records could not be delivered before the drain was stopped; kept in ${join(dir, 'sink')}, they are sent on the next run`]);
    balanced(d.stats());
  });
});

test('abort() cuts a running drain short: what is pending goes to the spool at once', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100 });
    t.neverAck = true;
    const d = new Delivery(t, options(dir, l, { drainSummary: false }));
    await d.start();
    for (const r of await manyRecords(40)) d.push(r);
    const draining = d.drain(3_600_000);
    await until(() => t.sends.length >= 1, 'a send under way');
    const res = await d.abort();
    assert.deepEqual(res, { delivered: 0, spooled: 40, dropped: 0, timedOut: true });
    assert.equal(await draining, res);
    assert.equal(t.closeCalls, 1);
    assert.ok(segments(dir).length > 0, 'kept in the spool');
  });
});

test('drain(0) says the records were kept at the end, naming no "0 ms" timeout', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100 });
    t.neverAck = true;
    const d = new Delivery(t, options(dir, l));
    await d.start();
    for (const r of await manyRecords(5)) d.push(r);
    await d.drain(0);
    assert.equal(l.warn.length, 1);
    assert.doesNotMatch(l.warn[0], /0 ms/);
    assert.equal(l.warn[0], `fake test://127.0.0.1:24224: 5 records could not be delivered at the end (no drain time); kept in ${join(dir, 'sink')}, they are sent on the next run`);
  });
});

test('drainSummary false: the drain tells nothing of its outcome (the caller prints its own summary)', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport({ maxBatch: 100 });
    const d = new Delivery(t, options(dir, l, { drainSummary: false }));
    await d.start();
    for (const r of await manyRecords(10)) d.push(r);
    assert.deepEqual(await d.drain(10_000), { delivered: 10, spooled: 0, dropped: 0, timedOut: false });
    assert.deepEqual([...l.info, ...l.warn], []);

    const l2 = logged();
    const t2 = new FakeTransport({ maxBatch: 100 });
    t2.neverAck = true;
    const d2 = new Delivery(t2, options(dir, l2, { drainSummary: false }));
    await d2.start();
    for (const r of await manyRecords(10)) d2.push(r);
    assert.equal((await d2.drain(0)).spooled, 10);
    assert.deepEqual([...l2.info, ...l2.warn], []);
  });
});

test('an unusable spool directory: start() rejects with E_CONFIG naming it; records beyond memory are dropped and counted', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    writeFileSync(join(dir, 'file'), 'x');
    const l = logged();
    const t = new FakeTransport();
    t.down = true;
    const d = new Delivery(t, { ...options(dir, l, { memoryRecords: 10 }), spoolDir: join(dir, 'file', 'sink') });
    await assert.rejects(d.start(), (err: Error & { code?: string }) => err.code === 'E_CONFIG' && err.message.includes(join(dir, 'file', 'sink')));
    for (const r of await manyRecords(25)) d.push(r);
    const s = d.stats();
    balanced(s);
    assert.equal(s.dropped, 15);
    assert.ok(l.warn.some((m) => /cannot write spool/.test(m)));
    assert.ok(l.warn.some((m) => /dropping new records/.test(m)));
    t.down = false;
    const res = await d.drain(10_000);
    assert.deepEqual(res, { delivered: 10, spooled: 0, dropped: 15, timedOut: false });
    assert.deepEqual(ids(t.accepted), range(1, 10));
  });
});

test('push never throws, even for a record that cannot be written as JSON', { timeout: 30_000 }, async () => {
  await withDir(async (dir) => {
    const l = logged();
    const t = new FakeTransport();
    t.down = true;
    const d = new Delivery(t, options(dir, l, { memoryRecords: 1 }));
    await d.start();
    const [a, b, c] = await manyRecords(3);
    (b as Record<string, unknown>).weird = BigInt(1);
    d.push(b);
    d.push(a);
    d.push(c);
    const s = d.stats();
    balanced(s);
    assert.equal(s.dropped, 1);
    t.down = false;
    await d.drain(10_000);
    assert.deepEqual(ids(t.accepted).slice(-2), [1, 3]);
  });
});

test('fuzz: random garbage files in the spool directory never stop delivery; readable records arrive in order, the rest are counted as dropped', { timeout: 60_000 }, async () => {
  const pool = await manyRecords(20);
  for (let seed = 1; seed <= 20; seed++) {
    let x = seed * 2654435761;
    const rand = (): number => {
      x = (Math.imul(x ^ (x >>> 13), 1274126177) + 0x9e3779b9) >>> 0;
      return x / 4294967296;
    };
    await withDir(async (dir) => {
      mkdirSync(join(dir, 'sink'));
      const expected: number[] = [];
      let id = 1;
      for (let f = 0; f < 3; f++) {
        const parts: Buffer[] = [];
        for (let p = 0; p < 15; p++) {
          if (rand() < 0.5) {
            parts.push(Buffer.from('\n' + JSON.stringify({ ...pool[p % pool.length], flow_id: id }) + '\n'));
            expected.push(id++);
          } else {
            const g = Buffer.alloc(Math.floor(rand() * 400));
            for (let i = 0; i < g.length; i++) g[i] = Math.floor(rand() * 256);
            parts.push(g);
          }
        }
        writeFileSync(join(dir, 'sink', segmentName(f + 1)), Buffer.concat(parts));
      }
      if (rand() < 0.5) writeFileSync(join(dir, 'sink', 'cursor'), Buffer.from([Math.floor(rand() * 256), 32, 10]));
      const l = logged();
      const t = new FakeTransport({ maxBatch: 1 + Math.floor(rand() * 10) });
      const d = new Delivery(t, options(dir, l));
      await d.start();
      const res = await d.drain(30_000);
      const s = d.stats();
      balanced(s);
      assert.equal(res.timedOut, false, `seed ${seed}`);
      assert.deepEqual(ids(t.accepted), expected, `seed ${seed}`);
      assert.equal(s.received, s.delivered + s.dropped, `seed ${seed}`);
      assert.deepEqual(segments(dir), [], `seed ${seed}`);
    });
  }
});

interface ChildRun {
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(mode: 'spill' | 'deliver', spoolDir: string): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'crash-child.js'), mode, spoolDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve({ signal, stdout, stderr });
    });
  });
}

test('killed (SIGKILL) while spilling and again while sending: the next run delivers every record that reached the spool, in order, at least once', { timeout: 90_000 }, async () => {
  await withDir(async (dir) => {
    const spoolDir = join(dir, 'sink');
    const a = await runChild('spill', spoolDir);
    assert.equal(a.signal, 'SIGKILL', a.stderr);
    const before = JSON.parse(a.stdout) as SinkStats;
    // The batch in flight (1..100) went to disk first, then the oldest of memory (101..2500); 2501..3000 were in memory.
    assert.equal(before.spilled, 2500);
    const segs = segments(dir).sort();
    assert.ok(segs.length >= 1);
    // A crash in the middle of a write leaves a torn last line.
    appendFileSync(join(spoolDir, segs[segs.length - 1]), '{"protocol":"TCP","src_addr":"192.0.');

    const b = await runChild('deliver', spoolDir);
    assert.equal(b.signal, 'SIGKILL', b.stderr);
    const sent = b.stdout.trim().split('\n').flatMap((l) => JSON.parse(l) as number[]);
    assert.deepEqual(sent, range(1, 700), 'the second run sent the oldest records first');

    const l = logged();
    const t = new FakeTransport({ maxBatch: 100 });
    const d = new Delivery(t, options(dir, l));
    await d.start();
    const res = await d.drain(30_000);
    const got = ids(t.accepted);
    const first = got[0];
    // The cursor is written at the first acknowledgement, then at most once a second: it names a delivered batch's end.
    assert.ok([101, 201, 301, 401, 501, 601, 701].includes(first), `resumes after a batch the killed run had delivered (${first})`);
    assert.deepEqual(got, range(first, 2501 - first), 'the rest, in order, once');
    assert.equal(res.dropped, 1, 'the torn line');
    assert.equal(res.timedOut, false);
    assert.ok(l.warn.some((m) => /torn last line/.test(m)));
    balanced(d.stats());
    assert.deepEqual(segments(dir), []);
  });
});

test('backoff delays stay between retryMinMs and retryMaxMs and grow with the attempt', () => {
  for (let attempt = 1; attempt <= 40; attempt++) {
    for (const r of [0, 0.5, 0.999]) {
      const ms = backoffDelay(attempt, 500, 30_000, () => r);
      assert.ok(ms >= 500 && ms <= 30_000, `attempt ${attempt}: ${ms}`);
    }
  }
  assert.equal(backoffDelay(1, 500, 30_000, () => 0.999), 500);
  assert.ok(backoffDelay(4, 500, 30_000, () => 0) >= 2000);
  assert.equal(backoffDelay(20, 500, 30_000, () => 0.9999999), 30_000);
  assert.ok(backoffDelay(20, 500, 30_000, () => 0) >= 15_000, 'jitter keeps at least half the step');
});
