/**
 * The export stream: datagrams within the mtu, every record exactly once and
 * in order, templates first and refreshed by packet count and by time
 * (RFC 7011 §8.4, RFC 3954 §9), sequence numbers (IPFIX: data records before
 * the message; v9: packets before it), IPv4 and IPv6 in their own templates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageStream, minimumMtu, type MessageStreamOptions } from '../../../src/export/ipfix/message-stream';
import type { ExportProtocol } from '../../../src/export/ipfix/templates';
import type { FlowRecord } from '../../../src/flow/record';
import { decodeMessage, fullIPv6, ipv4, ipv6, uint, type DecodedMessage, type TemplateStore } from './decode';
import { makeRecord } from './records';

const T0 = 1_700_000_000_000;

function stream(protocol: ExportProtocol, over: Partial<MessageStreamOptions> = {}): MessageStream {
  return new MessageStream({ protocol, domain: 9, mtu: 1400, refreshPackets: 20, refreshSeconds: 60, ...over }, T0);
}

function records(n: number, start = 0): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = start; i < start + n; i++) {
    const v6 = i % 3 === 2;
    out.push(
      makeRecord({
        flow_id: i + 1,
        ip_version: v6 ? 6 : 4,
        src_addr: v6 ? `2001:db8::${(i + 1).toString(16)}` : `10.0.${(i >> 8) & 255}.${i & 255}`,
        dst_addr: v6 ? '2001:db8:ffff::1' : '192.0.2.1',
        src_port: 1024 + i,
        out_pkts: i + 1,
        protocol_name: i % 2 === 0 ? 'TLS.YouTube' : 'DNS',
      }),
    );
  }
  return out;
}

/** Decodes datagrams in order with one template store (as a collector would). */
function decodeAll(datagrams: readonly Buffer[], store: TemplateStore = new Map()): DecodedMessage[] {
  return datagrams.map((d) => decodeMessage(Buffer.from(d), store));
}

/** Source ports of the decoded data records, in order (the records' identity in these tests). */
function ports(msgs: readonly DecodedMessage[]): number[] {
  return msgs.flatMap((m) => m.sets.flatMap((s) => s.records.map((r) => uint(r.get('7')))));
}

for (const protocol of ['ipfix', 'netflow9'] as const) {
  test(`${protocol}: every record is sent once, in order, in datagrams no larger than the mtu`, () => {
    for (const mtu of [minimumMtu(protocol), 576, 1400, 9000]) {
      const s = stream(protocol, { mtu });
      const batch = records(500);
      const { datagrams, invalid } = s.pack(batch, T0);
      assert.equal(invalid, 0);
      for (const d of datagrams) assert.ok(d.length <= mtu, `datagram of ${d.length} bytes > mtu ${mtu}`);
      const msgs = decodeAll(datagrams);
      assert.deepEqual(ports(msgs), batch.map((r) => r.src_port));
      if (mtu === 1400) assert.ok(datagrams.length < 80, `${datagrams.length} datagrams for 500 records`);
    }
  });

  test(`${protocol}: IPv4 and IPv6 flows go to templates 256 and 257 with their addresses`, () => {
    const batch = records(9);
    const msgs = decodeAll(stream(protocol).pack(batch, T0).datagrams);
    const recs = msgs.flatMap((m) => m.sets.filter((s) => s.id >= 256).flatMap((s) => s.records.map((r) => ({ set: s.id, r }))));
    assert.equal(recs.length, 9);
    recs.forEach(({ set, r }, i) => {
      const want = batch[i];
      if (want.ip_version === 4) {
        assert.equal(set, 256);
        assert.equal(ipv4(r.get('8')), want.src_addr);
      } else {
        assert.equal(set, 257);
        assert.equal(ipv6(r.get('27')), fullIPv6(want.src_addr));
        assert.equal(ipv6(r.get('28')), fullIPv6(want.dst_addr));
      }
    });
  });

  test(`${protocol}: templates lead the first datagram and come again after the configured number of datagrams`, () => {
    const s = stream(protocol, { refreshPackets: 3, refreshSeconds: 0 });
    const msgs = decodeAll(s.pack(records(400), T0).datagrams);
    assert.ok(msgs.length > 8);
    msgs.forEach((m, i) => {
      const hasTemplates = m.templateRecords > 0;
      assert.equal(hasTemplates, i % 4 === 0, `datagram ${i}`);
      if (hasTemplates) {
        assert.deepEqual(m.sets[0].templates.map((t) => t.id), [256, 257]);
        assert.equal(m.sets[0].id, protocol === 'ipfix' ? 2 : 0);
      }
    });
  });

  test(`${protocol}: templates come again when the refresh interval has passed, and after forceTemplates()`, () => {
    const s = stream(protocol, { refreshPackets: 0, refreshSeconds: 60 });
    const store: TemplateStore = new Map();
    const withTemplates = (now: number): boolean => decodeAll(s.pack(records(1), now).datagrams, store)[0].templateRecords > 0;
    assert.equal(withTemplates(T0), true);
    assert.equal(withTemplates(T0 + 1000), false);
    assert.equal(withTemplates(T0 + 59_999), false);
    assert.equal(withTemplates(T0 + 60_000), true);
    assert.equal(withTemplates(T0 + 61_000), false);
    s.forceTemplates();
    assert.equal(withTemplates(T0 + 62_000), true);
    assert.equal(withTemplates(T0 + 63_000), false);
  });

  test(`${protocol}: the header carries the observation domain, the export time and the sequence number`, () => {
    const s = stream(protocol, { mtu: 600 });
    const all: DecodedMessage[] = [];
    const store: TemplateStore = new Map();
    all.push(...decodeAll(s.pack(records(50), T0 + 5_500).datagrams, store));
    all.push(decodeMessage(Buffer.from(s.templatesOnly(T0 + 6_000)), store));
    all.push(...decodeAll(s.pack(records(30, 50), T0 + 7_000).datagrams, store));
    let dataBefore = 0;
    all.forEach((m, i) => {
      assert.equal(m.domain, 9);
      assert.ok(m.exportTime === Math.floor((T0 + 5_500) / 1000) || m.exportTime === Math.floor((T0 + 6_000) / 1000) || m.exportTime === Math.floor((T0 + 7_000) / 1000));
      if (protocol === 'ipfix') {
        assert.equal(m.version, 10);
        assert.equal(m.sequence, dataBefore, `IPFIX message ${i}: sequence counts data records sent before it`);
      } else {
        assert.equal(m.version, 9);
        assert.equal(m.sequence, i, `v9 packet ${i}: sequence counts packets sent before it`);
        assert.equal(m.lengthOrCount, m.dataRecords + m.templateRecords);
        assert.ok(m.sysUpTime >= 5_500);
      }
      dataBefore += m.dataRecords;
    });
    assert.equal(dataBefore, 80);
  });

  test(`${protocol}: a record whose address does not match its ip_version is left out and reported`, () => {
    const batch = [...records(3), makeRecord({ flow_id: 77, src_addr: 'not-an-address' }), ...records(2, 3)];
    const r = stream(protocol).pack(batch, T0);
    assert.equal(r.invalid, 1);
    assert.match(r.reason ?? '', /flow 77/);
    assert.equal(ports(decodeAll(r.datagrams)).length, 5);
  });
}

test('an empty batch makes no datagram', () => {
  assert.equal(stream('ipfix').pack([], T0).datagrams.length, 0);
});

test('the IPFIX sequence number wraps at 2^32', () => {
  const s = stream('ipfix');
  (s as unknown as { sequence: number }).sequence = 2 ** 32 - 2;
  const store: TemplateStore = new Map();
  const msgs = [...decodeAll(s.pack(records(5), T0).datagrams, store), ...decodeAll(s.pack(records(1), T0).datagrams, store)];
  assert.equal(msgs[0].sequence, 2 ** 32 - 2);
  assert.equal(msgs[1].sequence, 3);
});
