/**
 * The detector wired into the probe, fed hand-made packets: scan alerts
 * (port scan, host sweep, failed connections) with their evidence, one per
 * source per window and again only after the re-alert interval, allow-lists;
 * policy rules (application, direction, origin, host-name pattern, risk),
 * evaluated at classification and at flow end, deduplicated with a count of
 * what was suppressed; bounded memory under a flood of sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Probe } from '../../src/probe';
import type { Alert } from '../../src/detect/alert';
import { AlertDetector } from '../../src/detect/detector';
import { parseAlertsConfig } from '../../src/detect/rules-config';
import { createAlerting } from '../../src/detect/alerting';
import { ethIpv4, tcp, udp } from '../cli/helpers';
import { nullSink } from './helpers';
import { rng } from '../support/common';

const SYN = 0x02, ACK = 0x10, PSH = 0x08, RST = 0x04;
const T0 = Date.UTC(2024, 0, 10, 12, 0, 0);

/** A probe with a detector whose alerts are collected. */
function rig(section: Record<string, unknown>, flows: { maxFlows?: number } = {}): { probe: Probe; alerts: Alert[]; detector: AlertDetector; send: (ts: number, frame: Buffer) => void } {
  const cfg = parseAlertsConfig(section, () => '');
  const alerts: Alert[] = [];
  const detector = new AlertDetector(cfg, (a) => alerts.push(a), 11);
  const probe = new Probe(nullSink, { detector, flows });
  const send = (ts: number, frame: Buffer): void => probe.onPacket(1, frame, 0, frame.length, frame.length, ts);
  return { probe, alerts, detector, send };
}

function syn(src: string, dst: string, sport: number, dport: number): Buffer {
  return ethIpv4({ src, dst, proto: 6, data: tcp(sport, dport, SYN) });
}

function icmpEcho(src: string, dst: string, seq: number): Buffer {
  const m = Buffer.alloc(8);
  m[0] = 8;
  m.writeUInt16BE(0x77, 4);
  m.writeUInt16BE(seq, 6);
  return ethIpv4({ src, dst, proto: 1, data: m });
}

/** A TCP connection whose client sends `payload` after the handshake (and the server answers `answer`). */
function connection(send: (ts: number, f: Buffer) => void, ts: number, c: string, s: string, sport: number, dport: number, payload: Buffer, answer?: Buffer): void {
  send(ts, ethIpv4({ src: c, dst: s, proto: 6, data: tcp(sport, dport, SYN) }));
  send(ts + 1, ethIpv4({ src: s, dst: c, proto: 6, data: tcp(dport, sport, SYN | ACK) }));
  send(ts + 2, ethIpv4({ src: c, dst: s, proto: 6, data: tcp(sport, dport, ACK) }));
  send(ts + 3, ethIpv4({ src: c, dst: s, proto: 6, data: tcp(sport, dport, PSH | ACK, payload) }));
  if (answer !== undefined) send(ts + 4, ethIpv4({ src: s, dst: c, proto: 6, data: tcp(dport, sport, PSH | ACK, answer) }));
}

const BT_HANDSHAKE = Buffer.concat([Buffer.from('\x13BitTorrent protocol', 'latin1'), Buffer.alloc(8), Buffer.alloc(20, 0xab), Buffer.from('-TR2940-abcdefghijkl')]);

/** Advances the probe's clock (expiry and the detector's tick) to `until`, second by second. */
function runClock(probe: Probe, from: number, until: number): void {
  for (let t = from; t <= until; t += 1000) probe.expire(t);
}

test('a-port-scan-raises-one-alert-naming-the-scanner-hold-seconds-after-the-threshold', () => {
  const { probe, alerts, send } = rig({ hold: 10 });
  // 300 ports, one every 100 ms: the 100th distinct port comes at T0 + 9.9 s.
  for (let i = 0; i < 300; i++) send(T0 + i * 100, syn('10.1.1.66', '10.1.2.3', 40000, 1 + i));
  runClock(probe, T0 + 30_000, T0 + 90_000);
  probe.finish();
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  const a = alerts[0];
  assert.equal(a.rule, 'port-scan');
  assert.equal(a.kind, 'scan');
  assert.equal(a.src_addr, '10.1.1.66');
  assert.equal(a.severity, 'high');
  assert.equal(a.window_start, T0);
  const due = T0 + 9900 + 10_000;
  assert.ok(a.raised_at >= due && a.raised_at <= due + 1000, `raised_at ${a.raised_at - T0} ms after the first SYN`);
  assert.equal(a.window_end, a.raised_at);
  assert.ok(a.counts.dst_ports !== undefined && Math.abs(a.counts.dst_ports - 200) <= 12, `ports ${a.counts.dst_ports} (about 200 sent by then)`);
  assert.equal(a.counts.dst_hosts, 1);
  assert.equal(a.counts.flows, 200);
  assert.equal(a.approximate, true);
  assert.equal(a.community_ids.length, 5);
  for (const c of a.community_ids) assert.match(c, /^1:[A-Za-z0-9+/]{27}=$/);
  assert.deepEqual(a.triggers, ['port-scan']);
  assert.match(a.message, /^10\.1\.1\.66 contacted \d+ ports on 1 host\(s\) in 20 s, mostly Unknown$/);
});

test('a-continuing-scan-alerts-once-per-window-and-again-only-after-the-realert-interval', () => {
  const { probe, alerts, send } = rig({ window: 60, realert: 120, hold: 5 });
  // 10 new ports a second for 300 s.
  for (let i = 0; i < 3000; i++) send(T0 + i * 100, syn('10.1.1.66', '10.1.2.3', 40000, 1 + i));
  probe.finish();
  assert.equal(alerts.length, 3, alerts.map((a) => a.raised_at - T0).join(' '));
  for (let i = 1; i < alerts.length; i++) assert.ok(alerts[i].raised_at - alerts[i - 1].raised_at >= 120_000, 'not within the re-alert interval');
  assert.ok(alerts.every((a) => a.rule === 'port-scan' && a.src_addr === '10.1.1.66'));
});

test('allow-listed-or-unwatched-sources-are-not-reported-by-the-scan-detectors', () => {
  for (const scans of [{ allow: ['10.1.1.0/24'] }, { sources: ['10.9.0.0/16'] }]) {
    const { probe, alerts, send, detector } = rig({ scans });
    for (let i = 0; i < 500; i++) send(T0 + i * 10, syn('10.1.1.66', '10.1.2.3', 40000, 1 + i));
    probe.finish();
    assert.deepEqual(alerts, []);
    assert.equal(detector.stats().sources, 0);
  }
});

test('a-ping-sweep-raises-a-host-sweep-alert', () => {
  const { probe, alerts, send } = rig({ hold: 0 });
  for (let i = 0; i < 150; i++) send(T0 + i * 50, icmpEcho('192.168.7.9', `192.168.8.${i}`, i));
  probe.finish();
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule, 'host-sweep');
  // Raised at the threshold when there is no hold; above 16 hosts the count is an estimate (a few per cent).
  const hosts = alerts[0].counts.dst_hosts ?? 0;
  assert.ok(hosts >= 100 && hosts <= 105, `hosts ${hosts}`);
  assert.equal(alerts[0].approximate, true);
  assert.equal(alerts[0].counts.dst_ports, 0);
  const sent = (alerts[0].raised_at - T0) / 50 + 1;
  assert.ok(sent >= 94 && sent <= 106, `raised after ${sent} echo requests`);
  assert.equal(alerts[0].applications[0]?.name ?? 'ICMP', 'ICMP');
});

test('unanswered-connection-attempts-raise-a-failed-connections-alert-when-they-expire', () => {
  const { probe, alerts, send } = rig({ hold: 0, scans: { port_scan: false, host_sweep: false, failed_connections: { min_failed: 30, ratio: 0.5 } } });
  for (let i = 0; i < 40; i++) send(T0 + i * 100, syn('10.3.3.3', `10.4.0.${i + 1}`, 50000 + i, 445));
  // Five answered connections do not change the picture.
  for (let i = 0; i < 5; i++) connection(send, T0 + 5000 + i * 10, '10.3.3.3', '10.4.1.1', 51000 + i, 80, Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  runClock(probe, T0 + 5000, T0 + 40_000);
  assert.equal(alerts.length, 1, JSON.stringify(alerts));
  const a = alerts[0];
  assert.equal(a.rule, 'failed-connections');
  assert.equal(a.severity, 'medium');
  assert.equal(a.counts.tcp_failed, 30, 'raised when the 30th failure is counted');
  // Unanswered SYNs end after the 20 s opening timeout.
  assert.ok(a.raised_at >= T0 + 20_000 && a.raised_at <= T0 + 25_000, `raised at +${a.raised_at - T0} ms`);
  assert.match(a.message, /10\.3\.3\.3: 30 of \d+ TCP connection attempts failed/);
  probe.finish();
});

const BT_RULES = {
  hold: 5,
  realert: 120,
  rules: [{ name: 'bittorrent', severity: 'medium', message: '{src_addr} runs {protocol_name} ({count} flows), e.g. {dst_addr}:{dst_port}', match: { application: ['BitTorrent'] } }],
};

test('an-application-rule-fires-at-classification-once-per-source-and-counts-what-it-suppressed', () => {
  const { probe, alerts, send } = rig(BT_RULES);
  for (let i = 0; i < 3; i++) connection(send, T0 + i * 1000, '192.168.5.5', `198.51.100.${i + 1}`, 6000 + i, 51413, BT_HANDSHAKE, BT_HANDSHAKE);
  runClock(probe, T0 + 3000, T0 + 10_000);
  assert.equal(alerts.length, 1, 'three flows within the hold: one alert');
  const a = alerts[0];
  assert.equal(a.rule, 'bittorrent');
  assert.equal(a.kind, 'policy');
  assert.equal(a.src_addr, '192.168.5.5');
  assert.equal(a.counts.flows, 3);
  assert.equal(a.flow?.protocol_name, 'BitTorrent');
  assert.equal(a.flow?.dst_addr, '198.51.100.1');
  assert.equal(a.flow?.dst_port, 51413);
  assert.equal(a.flow?.confidence, 'dpi');
  assert.equal(a.community_ids.length, 3);
  assert.equal(a.message, '192.168.5.5 runs BitTorrent (3 flows), e.g. 198.51.100.1:51413');
  assert.ok(a.raised_at >= T0 + 5000 && a.raised_at <= T0 + 6000, `raised at +${a.raised_at - T0} ms, long before the flows end`);
  assert.deepEqual(a.applications, [{ name: 'BitTorrent', flows: 3 }]);
  // Within the re-alert interval: counted, not alerted.
  for (let i = 0; i < 4; i++) connection(send, T0 + 60_000 + i * 1000, '192.168.5.5', `198.51.100.${i + 10}`, 7000 + i, 51413, BT_HANDSHAKE);
  // After it: a new alert that says how many were suppressed.
  connection(send, T0 + 200_000, '192.168.5.5', '198.51.100.50', 8000, 51413, BT_HANDSHAKE);
  probe.finish();
  assert.equal(alerts.length, 2);
  assert.equal(alerts[1].counts.suppressed, 4);
  assert.equal(alerts[1].counts.flows, 1);
});

test('a-long-flow-is-alerted-at-classification-not-at-its-end', () => {
  const { probe, alerts, send } = rig(BT_RULES);
  connection(send, T0, '192.168.5.6', '198.51.100.7', 6881, 6881, BT_HANDSHAKE, BT_HANDSHAKE);
  // The flow goes on for ten minutes.
  for (let t = 10_000; t <= 600_000; t += 10_000) send(T0 + t, ethIpv4({ src: '192.168.5.6', dst: '198.51.100.7', proto: 6, data: tcp(6881, 6881, ACK) }));
  assert.equal(alerts.length, 1, 'alerted while the flow is still live');
  assert.ok(alerts[0].raised_at <= T0 + 20_000);
  probe.finish();
  assert.equal(alerts.length, 1, 'still one alert: the rule fires once per flow');
});

test('direction-origin-port-host-name-and-risk-conditions-select-the-flows', () => {
  const { probe, alerts, send } = rig({
    hold: 0,
    internal_networks: ['10.0.0.0/8'],
    networks: { bastions: ['10.0.0.5'] },
    rules: [
      { name: 'db-direct', severity: 'high', match: { dst_port: [3306, '5432-5433'], src_not: ['bastions'], direction: 'internal' } },
      { name: 'paste', severity: 'medium', message: '{src_addr} -> {server_name}', match: { server_name: ['*.pastebin.com'] } },
      { name: 'one-way', severity: 'low', match: { risk: ['Unidirectional Traffic'], l4: ['udp'] } },
    ],
  });
  connection(send, T0, '10.0.0.5', '10.0.9.9', 40001, 3306, Buffer.from('x'));
  connection(send, T0 + 10, '10.0.0.6', '10.0.9.9', 40002, 5433, Buffer.from('x'));
  connection(send, T0 + 20, '8.8.8.8', '10.0.9.9', 40003, 3306, Buffer.from('x'));
  connection(send, T0 + 30, '10.0.0.7', '10.0.9.9', 40004, 80, Buffer.from('GET / HTTP/1.1\r\nHost: files.pastebin.com\r\nUser-Agent: x\r\n\r\n'));
  connection(send, T0 + 40, '10.0.0.8', '10.0.9.9', 40005, 80, Buffer.from('GET / HTTP/1.1\r\nHost: pastebin.example.com\r\n\r\n'));
  send(T0 + 50, ethIpv4({ src: '10.0.0.9', dst: '192.0.2.1', proto: 17, data: udp(5000, 6000, Buffer.from('hello')) }));
  runClock(probe, T0 + 1000, T0 + 5000);
  const fired = (): string[] => alerts.map((a) => `${a.rule} ${a.src_addr}`).sort();
  assert.deepEqual(fired(), ['db-direct 10.0.0.6', 'paste 10.0.0.7']);
  assert.equal(alerts.find((a) => a.rule === 'paste')?.message, '10.0.0.7 -> files.pastebin.com');
  // Unidirectional Traffic is a risk of the whole flow: known when the flow ends (UDP idle 60 s).
  runClock(probe, T0 + 5000, T0 + 70_000);
  assert.deepEqual(fired(), ['db-direct 10.0.0.6', 'one-way 10.0.0.9', 'paste 10.0.0.7']);
  assert.deepEqual(alerts.find((a) => a.rule === 'one-way')?.flow?.risks, ['Unidirectional Traffic']);
  probe.finish();
});

test('a-throwing-listener-never-reaches-the-packet-path', async () => {
  const cfg = parseAlertsConfig({ hold: 0 }, () => '');
  const alerting = createAlerting(cfg, { seed: 1 });
  let calls = 0;
  alerting.on(() => {
    calls++;
    throw new Error('listener bug');
  });
  const probe = new Probe(nullSink, { detector: alerting.detector });
  for (let i = 0; i < 200; i++) {
    const f = syn('10.1.1.66', '10.1.2.3', 40000, 1 + i);
    probe.onPacket(1, f, 0, f.length, f.length, T0 + i);
  }
  probe.finish();
  assert.equal(calls, 1);
  await alerting.close();
});

test('a-flood-of-a-million-random-sources-keeps-memory-bounded', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const maxSources = 10_000;
  const { probe, send, detector, alerts } = rig({ max_sources: maxSources, hold: 0 }, { maxFlows: 4096 });
  const frame = syn('10.0.0.1', '10.200.0.1', 40000, 80);
  const r = rng(2024);
  gc();
  const before = process.memoryUsage();
  let peakTracked = 0;
  for (let i = 0; i < 1_000_000; i++) {
    // Random source address written into the frame in place (IPv4 source at offset 14 + 12).
    frame.writeUInt32BE(((Math.floor(r() * 0xffffffff) | 0x01000000) >>> 0), 26);
    send(T0 + i * 0.05, frame);
    if ((i & 0xffff) === 0) peakTracked = Math.max(peakTracked, detector.stats().sources);
  }
  gc();
  const after = process.memoryUsage();
  const s = detector.stats();
  assert.ok(s.sources <= maxSources && peakTracked <= maxSources, `tracked ${s.sources} (peak ${peakTracked})`);
  assert.ok(s.sourcesEvicted >= 1_000_000 - maxSources - 1000, `evicted ${s.sourcesEvicted}`);
  const grew = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1048576;
  assert.ok(grew < 64, `memory grew by ${grew.toFixed(1)} MiB`);
  assert.deepEqual(alerts, [], 'one flow per source: nothing to report');
  probe.finish();
});

test('refused-connections-count-as-failed-once-their-flows-close', () => {
  const { probe, alerts, send } = rig({ hold: 0, scans: { port_scan: false, host_sweep: false, failed_connections: { min_failed: 10, ratio: 0.9 } } });
  for (let i = 0; i < 12; i++) {
    send(T0 + i * 10, syn('10.5.5.5', '10.6.6.6', 30000 + i, 1000 + i));
    send(T0 + i * 10 + 1, ethIpv4({ src: '10.6.6.6', dst: '10.5.5.5', proto: 6, data: tcp(1000 + i, 30000 + i, RST | ACK) }));
  }
  runClock(probe, T0 + 1000, T0 + 10_000);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].rule, 'failed-connections');
  assert.ok(alerts[0].raised_at <= T0 + 7000, 'refused attempts end after the 5 s closed timeout');
  probe.finish();
});
