/**
 * Syslog against local sockets: the RFC 5424 message field by field (PRI
 * from facility and severity, version, timestamp, host, app, procid, msgid,
 * one structured-data element with escaped values, the BOM only before a
 * non-ASCII message), one datagram per alert over UDP (within 2048 octets),
 * RFC 6587 octet counting over TCP, and reconnection when the collector
 * drops the connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatSyslog, SyslogTransport, UDP_MAX } from '../../../src/detect/notify/syslog';
import type { SyslogConfig } from '../../../src/detect/rules-config';
import { sampleAlert, until } from './support';

function cfg(transport: 'udp' | 'tcp', port: number, over: Partial<SyslogConfig> = {}): SyslogConfig {
  return {
    id: 'syslog', minSeverity: 'info', ratePerMinute: 0, queueSize: 10, timeoutMs: 2000,
    host: '127.0.0.1', port, transport, facility: 16, appName: 'flowtap', hostname: 'probe-1', sdId: 'flowtap@32473', ...over,
  };
}

// RFC 5424 section 6 ABNF, for one message whose MSGID and SD-ID are known.
const SD_PARAM = '[^= \\]"]{1,32}="(?:[^"\\\\\\]]|\\\\["\\\\\\]])*"';
const RFC5424 = new RegExp(
  '^<(\\d{1,3})>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,6})?(?:Z|[+-]\\d\\d:\\d\\d)) ([\\x21-\\x7e]{1,255}) ([\\x21-\\x7e]{1,48}) ([\\x21-\\x7e]{1,128}) ([\\x21-\\x7e]{1,32}) ' +
  `(\\[flowtap@32473(?: ${SD_PARAM})*\\]) ([\\s\\S]*)$`,
);

function sdParams(sd: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^= \]"]+)="((?:[^"\\\]]|\\["\\\]])*)"/g;
  for (let m = re.exec(sd); m !== null; m = re.exec(sd)) out[m[1]] = m[2].replace(/\\(["\\\]])/g, '$1');
  return out;
}

test('an-alert-becomes-one-rfc-5424-message-with-structured-data', () => {
  const a = sampleAlert({ message: 'scan by "x" [y] \\ done' });
  const text = formatSyslog(a, { facility: 16, appName: 'flowtap', hostname: 'probe-1', procId: '4242', sdId: 'flowtap@32473' }).toString('utf8');
  const m = RFC5424.exec(text);
  assert.ok(m, text);
  assert.equal(m[1], String(16 * 8 + 3), 'local0 (16) * 8 + Error (3) for a high alert');
  assert.equal(m[2], '2024-05-02T10:00:13.000Z');
  assert.equal(m[3], 'probe-1');
  assert.equal(m[4], 'flowtap');
  assert.equal(m[5], '4242');
  assert.equal(m[6], 'port-scan');
  const p = sdParams(m[7]);
  assert.equal(p.rule, 'port-scan');
  assert.equal(p.severity, 'high');
  assert.equal(p.src_addr, '10.1.1.66');
  assert.equal(p.window_start, '1714644000000');
  assert.equal(p.raised_at, '1714644013000');
  assert.equal(p.dst_ports, '241');
  assert.equal(p.applications, 'Skype_Teams 180, Unknown 61');
  assert.equal(p.community_ids, '1:CKjIu74Mo1jEpAo0GJdffO8dfX8= 1:HqG4YVVR9baSIxQyB5LdC0nEPZ4=');
  assert.equal(m[8], 'scan by "x" [y] \\ done', 'an ASCII message has no BOM');
  // Severity mapping and the BOM before UTF-8 text.
  const crit = formatSyslog(sampleAlert({ severity: 'critical', message: 'scan — mostly Skype' }), { facility: 4, appName: 'a', hostname: 'h', procId: '1', sdId: 'flowtap@32473' });
  const cm = RFC5424.exec(crit.toString('utf8'));
  assert.ok(cm);
  assert.equal(cm[1], String(4 * 8 + 2));
  assert.equal(cm[8], '\ufeffscan — mostly Skype');
  assert.deepEqual([...crit.subarray(crit.length - Buffer.byteLength('\ufeffscan — mostly Skype'), crit.length - Buffer.byteLength('scan — mostly Skype'))], [0xef, 0xbb, 0xbf]);
  for (const [sev, code] of [['medium', 4], ['low', 5], ['info', 6]] as const) {
    assert.equal(RFC5424.exec(formatSyslog(sampleAlert({ severity: sev }), { facility: 1, appName: 'a', hostname: 'h', procId: '1', sdId: 'flowtap@32473' }).toString())?.[1], String(8 + code));
  }
});

test('a-long-alert-is-cut-to-fit-one-udp-datagram-without-breaking-utf-8', () => {
  const long = sampleAlert({ message: 'é'.repeat(3000), community_ids: new Array(5).fill('1:CKjIu74Mo1jEpAo0GJdffO8dfX8=') });
  const b = formatSyslog(long, { facility: 16, appName: 'flowtap', hostname: 'probe-1', procId: '1', sdId: 'flowtap@32473' }, UDP_MAX);
  assert.ok(b.length <= UDP_MAX);
  const text = b.toString('utf8');
  assert.ok(!text.includes('\ufffd'), 'no broken character');
  const m = RFC5424.exec(text);
  assert.ok(m);
  assert.equal(sdParams(m[7]).community_ids, undefined, 'optional parameters go first');
  assert.equal(sdParams(m[7]).src_addr, '10.1.1.66');
});

test('udp-delivers-one-datagram-per-alert', async () => {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const t = new SyslogTransport(cfg('udp', (sock.address() as AddressInfo).port));
  try {
    assert.equal(t.name, `syslog udp://127.0.0.1:${(sock.address() as AddressInfo).port}`);
    await t.send(sampleAlert());
    await t.send(sampleAlert({ rule: 'bittorrent', severity: 'medium', kind: 'policy' }));
    await until(() => got.length === 2, 5000, 'two datagrams');
    const m1 = RFC5424.exec(got[0].toString('utf8'));
    const m2 = RFC5424.exec(got[1].toString('utf8'));
    assert.ok(m1 && m2);
    assert.equal(m1[6], 'port-scan');
    assert.equal(m2[6], 'bittorrent');
    assert.equal(m2[1], String(16 * 8 + 4));
    assert.equal(m1[5], String(process.pid));
  } finally {
    await t.close();
    sock.close();
  }
});

test('tcp-uses-octet-counting-and-reconnects-after-the-collector-drops-it', async () => {
  const frames: string[] = [];
  let connections = 0;
  let first: net.Socket | null = null;
  const server = net.createServer((s) => {
    connections++;
    first ??= s;
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) return;
        const len = Number(buf.subarray(0, sp).toString('ascii'));
        assert.match(buf.subarray(0, sp).toString('ascii'), /^[1-9]\d*$/, 'MSG-LEN is a positive decimal');
        if (buf.length < sp + 1 + len) return;
        frames.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t = new SyslogTransport(cfg('tcp', (server.address() as AddressInfo).port));
  try {
    await t.send(sampleAlert());
    await t.send(sampleAlert({ message: 'second — with UTF-8' }));
    await until(() => frames.length === 2, 5000, 'two frames');
    assert.equal(connections, 1, 'one connection for both');
    for (const f of frames) assert.ok(RFC5424.exec(f), f);
    assert.ok(frames[1].endsWith('\ufeffsecond — with UTF-8'));
    (first as net.Socket | null)?.destroy();
    // Give the client a moment to see the connection close (a send may also find out by failing: then it is retried).
    await new Promise((r) => setTimeout(r, 100));
    let sent = false;
    for (let i = 0; i < 5 && !sent; i++) {
      try {
        await t.send(sampleAlert({ rule: 'tor' }));
        sent = true;
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'E_NOTIFY_CONNECT');
      }
    }
    await until(() => frames.some((f) => RFC5424.exec(f)?.[6] === 'tor'), 5000, 'the frame after reconnecting');
    assert.equal(connections, 2);
  } finally {
    await t.close();
    server.close();
  }
});

test('an-unreachable-collector-is-a-connection-error', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const t = new SyslogTransport(cfg('tcp', port));
  await assert.rejects(t.send(sampleAlert()), (e: { code?: string; message: string }) => e.code === 'E_NOTIFY_CONNECT' && /127\.0\.0\.1:\d+: connect ECONNREFUSED/.test(e.message));
  await t.close();
});
