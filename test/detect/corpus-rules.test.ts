/**
 * The sample configuration (the alerts: section of
 * config/flowtap.example.yaml) over nDPI's test captures: its BitTorrent,
 * Tor, SSH-to-the-outside and
 * database-not-via-a-bastion rules fire on the captures that hold such
 * traffic, naming the right source; and over the whole corpus no scan
 * alert is raised except on the peer-to-peer capture whose client talks to
 * hundreds of peers (gnutella.pcap). scripts/alerts-corpus-report.js prints
 * the full picture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Probe } from '../../src/probe';
import { openCaptureInput } from '../../src/capture/file-source';
import { createAlerting } from '../../src/detect/alerting';
import type { Alert } from '../../src/detect/alert';
import type { RecordSink } from '../../src/export/sink';
import { protocolName } from '../../src/dpi/label';
import { CORPUS } from '../cli/helpers';
import { exampleConfig } from './helpers';

const skip = existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`;

/** Alerts of the sample configuration over one corpus capture, and the labels its flows got. */
async function run(name: string): Promise<{ alerts: Alert[]; labels: Set<string> }> {
  const alerting = createAlerting(exampleConfig(), { seed: 3 });
  const alerts: Alert[] = [];
  alerting.on((a) => alerts.push(a));
  const labels = new Set<string>();
  const sink: RecordSink = {
    writeFlow(_t, f, _r, dpi) {
      if (dpi !== null) labels.add(protocolName(dpi.app[f], dpi.master[f]));
    },
    async close() {},
  };
  const probe = new Probe(sink, { detector: alerting.detector });
  try {
    const src = await openCaptureInput(join(CORPUS, name));
    await src.run(probe);
  } catch {
    // A corrupt capture (the corpus has fuzzed ones) counts up to where it stops.
  }
  probe.finish();
  await alerting.close();
  return { alerts, labels };
}

const fired = (alerts: Alert[], rule: string): string[] => [...new Set(alerts.filter((a) => a.rule === rule).map((a) => a.src_addr))].sort();

test('the-bittorrent-rule-fires-on-bittorrent-captures', { skip }, async () => {
  assert.deepEqual(fired((await run('bittorrent.pcap')).alerts, 'bittorrent'), ['192.168.1.3']);
  assert.deepEqual(fired((await run('bittorrent_tcp_miss.pcapng')).alerts, 'bittorrent'), ['192.168.122.34']);
});

test('the-ssh-out-rule-fires-on-ssh-to-an-outside-address-on-a-non-standard-port', { skip }, async () => {
  const { alerts } = await run('custom_categories.pcapng');
  const a = alerts.filter((x) => x.rule === 'remote-access-out');
  assert.equal(a.length, 1);
  assert.equal(a[0].src_addr, '2001:db8:1::1');
  assert.equal(a[0].flow?.protocol_name, 'SSH');
  assert.equal(a[0].flow?.dst_port, 20868);
  // SSH between internal hosts is not "out".
  assert.deepEqual(fired((await run('ssh.pcap')).alerts, 'remote-access-out'), []);
});

test('the-db-not-via-bastion-rule-fires-on-mysql-postgresql-and-ms-sql', { skip }, async () => {
  assert.deepEqual(fired((await run('mysql.pcapng')).alerts, 'db-not-via-bastion'), ['192.168.88.231']);
  assert.deepEqual(fired((await run('pgsql.pcap')).alerts, 'db-not-via-bastion'), ['127.0.0.1', '172.16.20.244']);
  const ms = (await run('mssql_tds.pcap')).alerts.filter((a) => a.rule === 'db-not-via-bastion');
  assert.deepEqual(fired(ms, 'db-not-via-bastion'), ['10.111.111.111']);
  assert.ok(ms.every((a) => a.flow?.protocol_name === 'MsSQL-TDS'));
});

test('the-tor-rule-fires-on-the-tor-capture', { skip }, async () => {
  const { alerts, labels } = await run('tor.pcap');
  assert.ok([...labels].includes('TLS.Tor'), `tor.pcap labels: ${[...labels].sort().join(', ')}`);
  assert.deepEqual(fired(alerts, 'tor'), ['192.168.1.252']);
});

test('no-scan-alert-on-ordinary-traffic-across-the-corpus', { skip, timeout: 300_000 }, async () => {
  const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).sort();
  assert.ok(files.length > 300, `${files.length} captures`);
  const withScan = new Map<string, Alert[]>();
  for (const f of files) {
    const scans = (await run(f)).alerts.filter((a) => a.kind === 'scan');
    if (scans.length > 0) withScan.set(f, scans);
  }
  assert.deepEqual([...withScan.keys()], ['gnutella.pcap'], JSON.stringify([...withScan], null, 1));
  const g = withScan.get('gnutella.pcap') ?? [];
  assert.equal(g.length, 1);
  assert.equal(g[0].src_addr, '10.0.2.15');
  assert.match(g[0].message, /mostly Gnutella/);
});
