/**
 * Alerting as the command line assembles it: flags applied over the
 * configuration (--scan-threshold, --slack-webhook, --syslog ...), bad
 * flag values refused naming the flag, an unwritable --alerts file refused
 * at start, alerts reaching listeners, async iterables and the JSON Lines
 * file, and the end-of-run summary lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Probe } from '../../src/probe';
import { alertingSummaryLines, applyAlertFlags, createAlerting } from '../../src/detect/alerting';
import { defaultAlertsConfig } from '../../src/detect/rules-config';
import type { Alert } from '../../src/detect/alert';
import { FlowtapError, UsageError } from '../../src/util/errors';
import { ethIpv4, tcp } from '../cli/helpers';
import { nullSink } from './helpers';
import { scratch } from '../support/common';

test('command-line-flags-adjust-the-configuration', () => {
  const cfg = applyAlertFlags(undefined, {
    alerts: '-', scanThreshold: 250, sweepThreshold: 40, alertWindowSeconds: 30,
    slackWebhook: 'https://hooks.slack.com/services/T/B/x', syslog: 'tcp://[2001:db8::5]:6514', webhook: 'http://127.0.0.1:9/x',
  });
  assert.equal(cfg.scans.portScan.threshold, 250);
  assert.equal(cfg.scans.hostSweep.threshold, 40);
  assert.equal(cfg.windowMs, 30_000);
  assert.equal(cfg.notify.slack[0].webhookUrl, 'https://hooks.slack.com/services/T/B/x');
  assert.equal(cfg.notify.slack[0].ratePerMinute, 20);
  assert.deepEqual([cfg.notify.syslog[0].transport, cfg.notify.syslog[0].host, cfg.notify.syslog[0].port], ['tcp', '2001:db8::5', 6514]);
  assert.equal(applyAlertFlags(undefined, { syslog: 'udp://siem.example.net' }).notify.syslog[0].port, 514);
  assert.equal(cfg.notify.webhook.length, 1);
  // The configuration passed in is not modified.
  const base = defaultAlertsConfig();
  applyAlertFlags(base, { scanThreshold: 300 });
  assert.equal(base.scans.portScan.threshold, 100);
});

test('bad-flag-values-are-refused-naming-the-flag', () => {
  const bad: [Parameters<typeof applyAlertFlags>[1], RegExp][] = [
    [{ scanThreshold: 1 }, /--scan-threshold must be an integer from 2 to 5000, got 1/],
    [{ sweepThreshold: 1.5 }, /--sweep-threshold/],
    [{ alertWindowSeconds: 0 }, /--alert-window must be from 1 to 3600 seconds/],
    [{ slackWebhook: 'hooks.slack.com/services/x' }, /--slack-webhook needs an http:\/\/ or https:\/\/ URL/],
    [{ syslog: 'siem:514' }, /--syslog must look like udp:\/\/host\[:port\] or tcp:\/\/host\[:port\], got 'siem:514'/],
  ];
  for (const [flags, re] of bad) {
    assert.throws(() => applyAlertFlags(undefined, flags), (e: unknown) => e instanceof UsageError && e.code === 'E_USAGE' && re.test(e.message));
  }
});

test('an-unwritable-alerts-file-is-refused-at-start', () => {
  assert.throws(() => createAlerting(defaultAlertsConfig(), { alertsFile: join(scratch(), 'no-such-dir', 'a.jsonl') }),
    (e: unknown) => e instanceof FlowtapError && e.code === 'E_OUTPUT' && /--alerts .*a\.jsonl: cannot open for writing \(ENOENT\)/.test(e.message));
});

test('alerts-reach-listeners-streams-and-the-jsonl-file', async () => {
  const file = join(scratch(), 'alerts-stream.jsonl');
  const alerting = createAlerting(applyAlertFlags(undefined, { scanThreshold: 20 }), { alertsFile: file, seed: 5 });
  const heard: Alert[] = [];
  alerting.on((a) => heard.push(a));
  const stream = alerting.stream();
  const streamed: Alert[] = [];
  const reader = (async () => {
    for await (const a of stream) streamed.push(a);
  })();
  const probe = new Probe(nullSink, { detector: alerting.detector });
  const t0 = Date.UTC(2024, 1, 1);
  for (let i = 0; i < 50; i++) {
    const f = ethIpv4({ src: '10.7.7.7', dst: '10.8.8.8', proto: 6, data: tcp(40000, 100 + i, 0x02) });
    probe.onPacket(1, f, 0, f.length, f.length, t0 + i * 10);
  }
  probe.finish();
  const summary = await alerting.close();
  await reader;
  assert.equal(heard.length, 1);
  assert.deepEqual(streamed, heard);
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Alert);
  assert.deepEqual(lines, JSON.parse(JSON.stringify(heard)));
  assert.equal(lines[0].src_addr, '10.7.7.7');
  const text = alertingSummaryLines(summary);
  assert.equal(text[0], 'alerts: 1 (port-scan 1); sources tracked 1');
  assert.match(text[1], /^ {2}file .*alerts-stream\.jsonl: 1 delivered$/);
});
