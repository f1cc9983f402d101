/**
 * SYN scans in capture files, through the whole pipeline (capture reader,
 * probe, detector, JSON Lines output): a 1,000-port scan spread over 30 s
 * (written by test/fixtures/detect/gen-syn-scan.js) and a real nmap
 * capture (test/fixtures/detect/make-nmap-capture.sh) each raise exactly
 * one scan alert, naming the scanner, within 60 s of the scan's first
 * packet; the ordinary traffic beside the generated scan raises nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleConfig, firstPacketFrom, runCapture, DETECT_FIXTURES } from './helpers';
import { scratch } from '../support/common';
import type { Alert } from '../../src/detect/alert';

const gen = require(join(DETECT_FIXTURES, 'gen-syn-scan.js')) as { build(): Buffer; SCANNER: string; FIRST_SYN_MS: number; PORTS: number };

const NMAP = join(DETECT_FIXTURES, 'nmap-syn-scan.pcap');

function scanAlerts(alerts: Alert[]): Alert[] {
  return alerts.filter((a) => a.kind === 'scan');
}

test('a-1000-port-syn-scan-over-30-s-raises-exactly-one-scan-alert-within-60-s', async () => {
  const pcap = join(scratch(), 'gen-syn-scan.pcap');
  writeFileSync(pcap, gen.build());
  const out = join(scratch(), 'gen-alerts.jsonl');
  const { alerts } = await runCapture(pcap, exampleConfig(), { alertsFile: out });
  assert.equal(alerts.length, 1, JSON.stringify(alerts, null, 1));
  const [a] = scanAlerts(alerts);
  assert.equal(a.rule, 'port-scan');
  assert.equal(a.src_addr, gen.SCANNER);
  const first = firstPacketFrom(pcap, gen.SCANNER);
  assert.equal(first, gen.FIRST_SYN_MS);
  assert.ok(a.raised_at >= first && a.raised_at - first <= 60_000, `raised ${a.raised_at - first} ms after the first SYN`);
  assert.ok((a.counts.dst_ports ?? 0) >= 100, 'over the threshold');
  assert.equal(a.counts.dst_hosts, 1);
  assert.ok(a.message.startsWith(`${gen.SCANNER} contacted `));
  // The same alert, as the JSON line --alerts writes.
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]) as Record<string, unknown>;
  for (const k of ['rule', 'severity', 'src_addr', 'window_start', 'raised_at']) assert.ok(k in line, `${k} in the JSON line`);
  assert.deepEqual(line, JSON.parse(JSON.stringify(a)));
});

test('a-real-nmap-syn-scan-capture-raises-exactly-one-scan-alert-within-60-s', { skip: existsSync(NMAP) ? false : `${NMAP} is missing: run test/fixtures/detect/make-nmap-capture.sh (root, nmap, tcpdump)` }, async () => {
  const { alerts } = await runCapture(NMAP, exampleConfig());
  const scans = scanAlerts(alerts);
  assert.equal(scans.length, 1, JSON.stringify(alerts, null, 1));
  assert.equal(alerts.length, 1, 'and nothing else');
  const a = scans[0];
  assert.equal(a.src_addr, '10.213.0.1');
  assert.equal(a.rule, 'port-scan');
  assert.ok(a.triggers?.includes('failed-connections'), 'the refused connections join the same alert');
  const first = firstPacketFrom(NMAP, '10.213.0.1');
  assert.ok(a.raised_at >= first && a.raised_at - first <= 60_000, `raised ${a.raised_at - first} ms after the first SYN`);
  assert.ok(Math.abs((a.counts.dst_ports ?? 0) - 1000) <= 60, `about 1000 ports: ${a.counts.dst_ports}`);
  assert.ok((a.counts.tcp_failed ?? 0) >= 990, 'nearly every port refused');
});
