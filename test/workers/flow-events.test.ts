/**
 * The alert detector fed from worker flow events (src/workers/flow-events.ts),
 * in one process and without threads, so the comparison is exact: the
 * packets of a capture are split among N Probes by address pair, with the
 * expiry ticks the dispatcher gives every worker, each Probe's events go
 * through a FlowEventWriter (batches) into one FlowEventReplay and a
 * detector; its alerts must be those of a detector watching a single Probe.
 * Captures: a host sweep spread over every worker, the generated port scan,
 * and corpus captures the sample configuration's policy rules fire on
 * (labels, server names and risks read through the mirror).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Probe } from '../../src/probe';
import { openCaptureInput } from '../../src/capture/file-source';
import { createAlerting } from '../../src/detect/alerting';
import type { Alert } from '../../src/detect/alert';
import type { AlertsConfig } from '../../src/detect/rules-config';
import type { RecordSink } from '../../src/export/sink';
import { FlowEventReplay, FlowEventWriter } from '../../src/workers/flow-events';
import { workerOf } from '../../src/workers/partition';
import { CORPUS, ethIpv4, ROOT, scratch, tcp } from '../cli/helpers';
import { pcapFile, type PcapRecord } from '../capture/helpers';
import { exampleConfig } from '../detect/helpers';

const NOWHERE: RecordSink = { writeFlow() {}, async close() {} };

async function packets(file: string, each: (lt: number, buf: Buffer, off: number, caplen: number, wire: number, ts: number) => void): Promise<void> {
  try {
    const src = await openCaptureInput(file);
    await src.run({ onPacket: each });
  } catch {
    // Corrupt corpus captures count up to where they stop.
  }
}

async function oneThread(file: string, cfg: AlertsConfig): Promise<Alert[]> {
  const alerting = createAlerting(cfg, { seed: 3 });
  const alerts: Alert[] = [];
  alerting.on((a) => alerts.push(a));
  const probe = new Probe(NOWHERE, { detector: alerting.detector });
  await packets(file, (...a) => probe.onPacket(...a));
  probe.finish();
  await alerting.close();
  return alerts;
}

async function workers(file: string, cfg: AlertsConfig, n: number): Promise<{ alerts: Alert[]; spread: number[] }> {
  const alerting = createAlerting(cfg, { seed: 3 });
  const alerts: Alert[] = [];
  alerting.on((a) => alerts.push(a));
  const replay = new FlowEventReplay(alerting.detector, n);
  const writers = Array.from({ length: n }, (_, w) => new FlowEventWriter(w, n, (rows, strings) => replay.add(w, rows, strings)));
  const probes = writers.map((detector) => new Probe(NOWHERE, { detector, packetClockExpiry: false }));
  const spread = new Array<number>(n).fill(0);
  let nextTick = -Infinity;
  await packets(file, (lt, buf, off, caplen, wire, ts) => {
    // The dispatcher's packet clock: every worker gets the tick.
    if (ts >= nextTick) {
      nextTick = ts + 1000;
      for (const p of probes) p.expire(ts);
    }
    const w = workerOf(lt, buf, off, caplen, n);
    spread[w]++;
    probes[w].onPacket(lt, buf, off, caplen, wire, ts);
  });
  probes.forEach((p, w) => {
    p.finish();
    replay.end(w);
  });
  await alerting.close();
  return { alerts, spread };
}

function sweep(): string {
  const recs: PcapRecord[] = [];
  const t0 = 1_714_644_000;
  for (let i = 0; i < 150; i++) {
    const sec = t0 + Math.floor(i / 5);
    const frac = (i % 5) * 200_000;
    const dst = `198.51.100.${i + 1}`;
    recs.push({ sec, frac, data: ethIpv4({ src: '192.0.2.99', dst, proto: 6, data: tcp(40000 + i, 80, 0x02) }) });
    recs.push({ sec, frac: frac + 1000, data: ethIpv4({ src: dst, dst: '192.0.2.99', proto: 6, data: tcp(80, 40000 + i, 0x14) }) });
  }
  const file = join(scratch(), 'events-sweep.pcap');
  writeFileSync(file, pcapFile({}, recs));
  return file;
}

test('a host sweep spread over 2, 3 and 5 workers raises the alert of one thread, with the same evidence', async () => {
  const file = sweep();
  const cfg = exampleConfig();
  const want = await oneThread(file, cfg);
  assert.ok(want.some((a) => a.triggers?.includes('host-sweep') === true), JSON.stringify(want));
  for (const n of [2, 3, 5]) {
    const got = await workers(file, cfg, n);
    assert.ok(got.spread.every((x) => x > 0), `every worker got packets: ${got.spread.join(', ')}`);
    assert.deepEqual(got.alerts, want, `${n} workers`);
  }
});

test('the generated port scan raises the same alerts through the events', async () => {
  const file = join(scratch(), 'events-scan.pcap');
  const g = spawnSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'detect', 'gen-syn-scan.js'), file], { encoding: 'utf8' });
  assert.equal(g.status, 0, g.stderr);
  const cfg = exampleConfig();
  const want = await oneThread(file, cfg);
  assert.ok(want.some((a) => a.rule === 'port-scan'));
  assert.deepEqual((await workers(file, cfg, 3)).alerts, want);
});

const skip = existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`;

/**
 * What must not depend on the thread count: which rule fired on which
 * source, and the flow that first matched. The counts and the evidence
 * gathered up to the moment of raising can differ when events of two
 * workers carry the same millisecond (an expiry ends flows of both at once).
 */
function decided(a: Alert): unknown {
  return { rule: a.rule, severity: a.severity, kind: a.kind, src_addr: a.src_addr, triggers: a.triggers, flow: a.flow };
}

test('policy rules read labels, server names and risks through the mirror: the same alerts on corpus captures', { skip }, async () => {
  const cfg = exampleConfig();
  let compared = 0;
  for (const name of ['bittorrent.pcap', 'tor.pcap', 'custom_categories.pcapng', 'mysql.pcapng', 'pgsql.pcap', 'mssql_tds.pcap', 'gnutella.pcap', 'ssh.pcap']) {
    const file = join(CORPUS, name);
    if (!existsSync(file)) continue;
    const want = await oneThread(file, cfg);
    compared += want.length;
    for (const n of [2, 3]) assert.deepEqual((await workers(file, cfg, n)).alerts.map(decided), want.map(decided), `${name}, ${n} workers`);
  }
  assert.ok(compared >= 5, `${compared} alerts compared`);
});
