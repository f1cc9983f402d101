/**
 * The IPFIX / NetFlow v9 transport: options and URL checking (E_SINK_CONFIG),
 * its name, IPv6 and host-name collectors, a collector that is down (the
 * ICMP port-unreachable error turns into E_SINK_CONNECT; the probe keeps the
 * batch from being sent into the void), a collector that comes back (the
 * templates are sent again first), close(), records it cannot encode, and
 * log messages that leave the exporter's name to the layer above.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { IpfixTransport, type IpfixOptions } from '../../../src/export/ipfix/ipfix-transport';
import { SinkError } from '../../../src/export/sinks/transport';
import { createTransport } from '../../../src/export/sinks/factory';
import { Receiver } from './capture';
import { decodeMessage, ipv4, uint, type TemplateStore } from './decode';
import { makeRecord } from './records';

function configError(opts: Partial<IpfixOptions>, pattern: RegExp): void {
  assert.throws(
    () => new IpfixTransport({ protocol: 'ipfix', url: 'udp://127.0.0.1:4739', ...opts } as IpfixOptions),
    (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONFIG' && !e.retryable && pattern.test(e.message),
  );
}

test('a bad destination or option is an E_SINK_CONFIG error naming the flag and what to do', () => {
  configError({ url: 'collector:4739' }, /--ipfix collector:4739: only udp:\/\/ is supported/);
  configError({ url: 'not a url' }, /not a URL; use udp:\/\/host:port/);
  configError({ url: 'tcp://127.0.0.1:4739' }, /only udp:\/\/ is supported \(e\.g\. udp:\/\/collector:4739\)/);
  configError({ protocol: 'netflow9', url: 'http://h:1' }, /--netflow9 .*udp:\/\/collector:2055/);
  configError({ url: 'udp://h:0' }, /bad port/);
  configError({ url: 'udp://user:secret@h:4739' }, /give only udp:\/\/host:port/);
  configError({ url: 'udp://h:4739/path' }, /give only udp:\/\/host:port/);
  configError({ mtu: 100 }, /mtu must be an integer from \d+ to 65507/);
  configError({ mtu: 70000 }, /mtu/);
  configError({ observationDomain: -1 }, /observationDomain/);
  configError({ templateRefreshPackets: 1.5 }, /templateRefreshPackets/);
  configError({ protocol: 'sflow' as 'ipfix' }, /unknown flow export protocol sflow/);
});

test('a URL with user and password is refused without repeating the password', () => {
  try {
    new IpfixTransport({ protocol: 'ipfix', url: 'udp://user:topsecret@h:4739' });
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof SinkError);
    assert.doesNotMatch(e.message, /topsecret/);
  }
});

test('the name says protocol and destination, with the default port when the URL has none', () => {
  assert.equal(new IpfixTransport({ protocol: 'ipfix', url: 'udp://collector.example' }).name, 'ipfix udp://collector.example:4739');
  assert.equal(new IpfixTransport({ protocol: 'netflow9', url: 'udp://10.0.0.5' }).name, 'netflow9 udp://10.0.0.5:2055');
  assert.equal(new IpfixTransport({ protocol: 'ipfix', url: 'udp://[2001:db8::5]:9995' }).name, 'ipfix udp://[2001:db8::5]:9995');
  const t = new IpfixTransport({ protocol: 'ipfix', url: 'udp://h' });
  assert.equal(t.maxBatch, 1000);
  assert.equal(t.lingerMs, 1000);
});

async function received(rx: Receiver, n: number): Promise<Buffer[]> {
  await rx.waitFor(n);
  return rx.datagrams;
}

test('records reach an IPv6 collector, templates first, with the observation domain', async () => {
  const rx = await Receiver.open('::1');
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://[::1]:${rx.port}`, observationDomain: 77 });
  try {
    assert.equal(await t.send([makeRecord({ flow_id: 1 }), makeRecord({ flow_id: 2, src_addr: '192.0.2.99' })]), undefined);
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 2)).map((d) => decodeMessage(d, store));
    assert.equal(msgs[0].templateRecords, 2, 'the probe: templates alone');
    assert.equal(msgs[0].dataRecords, 0);
    assert.equal(msgs[1].dataRecords, 2);
    assert.equal(msgs[1].domain, 77);
    assert.deepEqual(msgs[1].sets[0].records.map((r) => ipv4(r.get('8'))), ['192.0.2.20', '192.0.2.99']);
  } finally {
    await t.close();
    await rx.close();
  }
});

test('a collector given by host name is resolved', async () => {
  const { address } = await lookup('localhost');
  const rx = await Receiver.open(address);
  const t = new IpfixTransport({ protocol: 'netflow9', url: `udp://localhost:${rx.port}` });
  try {
    await t.send([makeRecord()]);
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 2)).map((d) => decodeMessage(d, store));
    assert.equal(msgs[0].version, 9);
  } finally {
    await t.close();
    await rx.close();
  }
});

test('a host name that does not resolve is E_SINK_CONNECT (retryable), naming the host', async () => {
  const t = new IpfixTransport({ protocol: 'ipfix', url: 'udp://no-such-host.invalid:4739', connectTimeoutMs: 3000 });
  try {
    await assert.rejects(t.send([makeRecord()]), (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONNECT' && e.retryable && /no-such-host\.invalid/.test(e.message));
  } finally {
    await t.close();
  }
});

/** A UDP port nothing listens on (bound, then released). */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test('a collector that is down: the ICMP port-unreachable error makes send() reject with E_SINK_CONNECT', async () => {
  const port = await deadPort();
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${port}` });
  try {
    // The error arrives asynchronously after a datagram; the probe waits for it, so the first send
    // normally rejects, but a busy machine may deliver it later: allow a few sends.
    let err: unknown = null;
    for (let i = 0; i < 20 && err === null; i++) {
      try {
        await t.send([makeRecord()]);
        await new Promise((r) => setTimeout(r, 100));
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof SinkError, `no error after 20 sends: ${String(err)}`);
    assert.equal(err.code, 'E_SINK_CONNECT');
    assert.ok(err.retryable);
    assert.match(err.message, new RegExp(`ipfix udp://127.0.0.1:${port}: collector not reachable: port unreachable .*listens on UDP port ${port}`));
    // Still down: every further send probes again and rejects, without sending the batch.
    await assert.rejects(t.send([makeRecord()]), (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONNECT');
  } finally {
    await t.close();
  }
});

test('when the collector comes back, the next send delivers and starts with the templates again', async () => {
  const port = await deadPort();
  const t = new IpfixTransport({ protocol: 'netflow9', url: `udp://127.0.0.1:${port}`, templateRefreshPackets: 1000, templateRefreshSeconds: 3600 });
  let rx: Receiver | null = null;
  try {
    let down = false;
    for (let i = 0; i < 20 && !down; i++) {
      down = await t.send([makeRecord()]).then(
        () => false,
        () => true,
      );
    }
    assert.ok(down, 'the collector was seen down');
    rx = await Receiver.open('127.0.0.1', port);
    const r = makeRecord({ flow_id: 4242, src_port: 4242 });
    assert.equal(await t.send([r]), undefined);
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 2)).map((d) => decodeMessage(d, store));
    assert.ok(msgs[0].templateRecords > 0, 'templates come first');
    const data = msgs.flatMap((m) => m.sets.flatMap((s) => s.records));
    assert.deepEqual(data.map((d) => uint(d.get('7'))), [4242]);
  } finally {
    await t.close();
    await rx?.close();
  }
});

test('close() ends a send that is waiting, later sends reject, and close() can be called again', async () => {
  const rx = await Receiver.open();
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}`, probeMs: 60_000 });
  try {
    const pending = t.send([makeRecord()]);
    await rx.waitFor(1);
    await t.close();
    await assert.rejects(pending, (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONNECT' && /closed/.test(e.message));
    await assert.rejects(t.send([makeRecord()]), (e: unknown) => e instanceof SinkError && e.code === 'E_SINK_CONNECT');
    await t.close();
  } finally {
    await rx.close();
  }
});

test('sends are handled one after another, in call order', async () => {
  const rx = await Receiver.open();
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}` });
  try {
    const batches = [1, 2, 3, 4].map((b) => [makeRecord({ src_port: b * 10 }), makeRecord({ src_port: b * 10 + 1 })]);
    await Promise.all(batches.map((b) => t.send(b)));
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 5)).map((d) => decodeMessage(d, store));
    const ports = msgs.flatMap((m) => m.sets.flatMap((s) => s.records.map((r) => uint(r.get('7')))));
    assert.deepEqual(ports, [10, 11, 20, 21, 30, 31, 40, 41]);
  } finally {
    await t.close();
    await rx.close();
  }
});

test('a record that cannot be encoded is counted as rejected with a reason; the others go', async () => {
  const rx = await Receiver.open();
  const warnings: string[] = [];
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}` }, { info: () => undefined, warn: (m) => warnings.push(m) });
  try {
    const result = await t.send([makeRecord(), makeRecord({ flow_id: 99, ip_version: 6, src_addr: '192.0.2.1' }), makeRecord()]);
    assert.equal(result?.rejected, 1);
    assert.match(result?.reason ?? '', /flow 99: 192\.0\.2\.1 -> 203\.0\.113\.80 is not an IPv6 flow/);
    assert.equal(warnings.length, 1);
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 2)).map((d) => decodeMessage(d, store));
    assert.equal(msgs.reduce((n, m) => n + m.dataRecords, 0), 2);
  } finally {
    await t.close();
    await rx.close();
  }
});

test('an empty batch sends nothing and resolves', async () => {
  const rx = await Receiver.open();
  const t = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}` });
  try {
    assert.equal(await t.send([]), undefined);
    await t.send([makeRecord()]);
    const store: TemplateStore = new Map();
    const msgs = (await received(rx, 2)).map((d) => decodeMessage(d, store));
    assert.equal(msgs[0].templateRecords, 2);
  } finally {
    await t.close();
    await rx.close();
  }
});

test('log messages do not name the exporter: the sink factory adds the name, once', async () => {
  const rx = await Receiver.open();
  const own: string[] = [];
  const bare = new IpfixTransport({ protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}` }, { info: (m) => own.push(m), warn: (m) => own.push(m) });
  const named: string[] = [];
  const viaFactory = createTransport({ kind: 'ipfix', options: { protocol: 'ipfix', url: `udp://127.0.0.1:${rx.port}` } }, { info: (m) => named.push(m), warn: (m) => named.push(m) });
  try {
    const batch = [makeRecord(), makeRecord({ flow_id: 99, ip_version: 6, src_addr: '192.0.2.1' })];
    await bare.send(batch);
    await viaFactory.send(batch);
    assert.equal(own.length, 2, own.join('\n'));
    for (const m of own) assert.ok(!m.includes('ipfix udp://'), `no name in: ${m}`);
    assert.match(own[0], /^exporting from local port \d+$/);
    assert.match(own[1], /^1 records not exported: /);
    const name = `ipfix udp://127.0.0.1:${rx.port}`;
    assert.deepEqual(named.map((m) => m.split(name).length - 1), [1, 1], named.join('\n'));
    assert.ok(named.every((m) => m.startsWith(`${name}: `)));
  } finally {
    await bare.close();
    await viaFactory.close();
    await rx.close();
  }
});
