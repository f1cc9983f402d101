/**
 * Byte-level encoding of IPFIX messages (RFC 7011) and NetFlow v9 packets
 * (RFC 3954): template and data set layout, lengths, enterprise field
 * specifiers, variable-length strings, v9 padding. Expected bytes are
 * written out by hand from the RFC figures, not produced by the encoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IE, type InformationElement } from '../../../src/export/ipfix/elements';
import { MessageWriter, encodeRecord, writeString, writeUnsigned, writeIPv6, writeIPv4 } from '../../../src/export/ipfix/encode';
import { Source, VARIABLE_LENGTH, templatesFor, type Template } from '../../../src/export/ipfix/templates';
import { decodeMessage, ipv4, text, uint } from './decode';
import { makeRecord } from './records';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const ipNextHopIPv4Address: InformationElement = { name: 'ipNextHopIPv4Address', pen: 0, id: 15, type: 'ipv4Address', v9: 15 };

/** RFC 7011 Appendix A.2.1: template 256 with five IETF elements (the test fills the next hop from vlan_id). */
const rfcTemplate: Template = {
  id: 256,
  ipVersion: 4,
  fields: [
    { ie: IE.sourceIPv4Address, length: 4, source: Source.SrcAddr },
    { ie: IE.destinationIPv4Address, length: 4, source: Source.DstAddr },
    { ie: ipNextHopIPv4Address, length: 4, source: Source.Vlan },
    { ie: IE.packetDeltaCount, length: 4, source: Source.OutPkts },
    { ie: IE.octetDeltaCount, length: 4, source: Source.OutBytes },
  ],
};

const header = { exportTimeSec: 0x5f5e1000, sequence: 7, domain: 0x01020304, sysUpTimeMs: 1234 };

test('an IPFIX template set has set id 2, its length, then template id, field count and one id/length pair per field', () => {
  const w = new MessageWriter('ipfix', 64);
  const buf = Buffer.alloc(200);
  w.begin(buf, 0, 200);
  assert.equal(w.addTemplates([rfcTemplate]), true);
  const len = w.finish(header);
  assert.equal(len, 16 + 28);
  assert.deepEqual(
    buf.subarray(0, len),
    hex(`000a 002c 5f5e1000 00000007 01020304
         0002 001c 0100 0005
         0008 0004 000c 0004 000f 0004 0002 0004 0001 0004`),
  );
});

test('an enterprise-specific field specifier sets the top bit of the element id and is followed by the enterprise number', () => {
  const t: Template = {
    id: 300,
    ipVersion: 4,
    fields: [
      { ie: IE.reverseOctetDeltaCount, length: 8, source: Source.InBytes },
      { ie: IE.ntopL7ProtoName, length: VARIABLE_LENGTH, source: Source.AppName },
    ],
  };
  const w = new MessageWriter('ipfix', 512);
  const buf = Buffer.alloc(200);
  w.begin(buf, 0, 200);
  w.addTemplates([t]);
  const len = w.finish(header);
  assert.deepEqual(buf.subarray(16, len), hex(`0002 0018 012c 0002  8001 0008 00007279  8077 ffff 00008b30`));
});

test('data records of one template share a data set whose id is the template id (RFC 7011 Appendix A.3 values)', () => {
  const w = new MessageWriter('ipfix', 64);
  const buf = Buffer.alloc(200);
  w.begin(buf, 0, 200);
  const rows: [string, string, number, number][] = [
    ['192.0.2.12', '192.0.2.254', 5009, 5344385],
    ['192.0.2.27', '192.0.2.23', 748, 388934],
    ['192.0.2.56', '192.0.2.65', 5, 6534],
  ];
  for (const [s, d, p, o] of rows) assert.equal(w.addRecord(rfcTemplate, makeRecord({ src_addr: s, dst_addr: d, out_pkts: p, out_bytes: o, vlan_id: 0xc0000201 })), 'ok');
  const len = w.finish({ ...header, sequence: 0 });
  assert.equal(w.dataRecords, 3);
  assert.deepEqual(
    buf.subarray(16, len),
    hex(`0100 0040
         c000020c c00002fe c0000201 00001391 00518c81
         c000021b c0000217 c0000201 000002ec 0005ef46
         c0000238 c0000241 c0000201 00000005 00001986`),
  );
});

test('variable-length strings take one length byte below 255 and 255 plus two length bytes from 255 on (RFC 7011 §7)', () => {
  const buf = Buffer.alloc(400);
  assert.equal(writeString('HTTP', buf, 0, VARIABLE_LENGTH), 5);
  assert.deepEqual(buf.subarray(0, 5), hex('04 48545450'));
  assert.equal(writeString('', buf, 0, VARIABLE_LENGTH), 1);
  assert.equal(buf[0], 0);
  const long = 'x'.repeat(300);
  assert.equal(writeString(long, buf, 0, VARIABLE_LENGTH, 300), 303);
  assert.deepEqual(buf.subarray(0, 3), hex('ff 012c'));
  assert.equal(buf.subarray(3, 303).toString(), long);
  assert.equal(writeString('y'.repeat(254), buf, 0, VARIABLE_LENGTH, 300), 255);
  assert.equal(buf[0], 254);
  assert.equal(writeString('y'.repeat(255), buf, 0, VARIABLE_LENGTH, 300), 258);
  assert.deepEqual(buf.subarray(0, 3), hex('ff 00ff'));
});

test('string values are cut at the limit on a UTF-8 character boundary', () => {
  const buf = Buffer.alloc(64, 0xee);
  assert.equal(writeString('ab€', buf, 0, VARIABLE_LENGTH, 4), 3);
  assert.deepEqual(buf.subarray(0, 3), hex('02 6162'));
  assert.equal(writeString('TLS.YouTube', buf, 0, 6), 6);
  assert.deepEqual(buf.subarray(0, 6), Buffer.from('TLS.Yo'));
  assert.equal(writeString('DNS', buf, 0, 6), 6);
  assert.deepEqual(buf.subarray(0, 6), hex('444e53 000000'));
  assert.equal(writeString('a€', buf, 0, 3), 3);
  assert.deepEqual(buf.subarray(0, 3), hex('61 0000'));
});

test('unsigned values above 2^32 are written in full in 8-byte fields', () => {
  const buf = Buffer.alloc(8);
  writeUnsigned(5_000_000_000, buf, 0, 8);
  assert.deepEqual(buf, hex('00000001 2a05f200'));
  writeUnsigned(2 ** 53 - 1, buf, 0, 8);
  assert.deepEqual(buf, hex('001fffff ffffffff'));
  writeUnsigned(0x1234, buf, 0, 2);
  assert.deepEqual(buf.subarray(0, 2), hex('1234'));
});

test('addresses are written in network byte order and bad ones are refused', () => {
  const buf = Buffer.alloc(16);
  assert.equal(writeIPv4('192.0.2.1', buf, 0), true);
  assert.deepEqual(buf.subarray(0, 4), hex('c0000201'));
  for (const bad of ['192.0.2', '192.0.2.256', '1.2.3.4.5', '', 'a.b.c.d', '01.2.3.4', '1.2.3.-4']) assert.equal(writeIPv4(bad, buf, 0), false, bad);
  assert.equal(writeIPv6('2001:db8::1', buf, 0), true);
  assert.deepEqual(buf, hex('20010db8000000000000000000000001'));
  assert.equal(writeIPv6('::ffff:192.0.2.1', buf, 0), true);
  assert.deepEqual(buf, hex('00000000000000000000ffffc0000201'));
  assert.equal(writeIPv6('::', buf, 0), true);
  assert.deepEqual(buf, Buffer.alloc(16));
  for (const bad of ['2001:db8::1::2', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', ':1::', 'g::1', '192.0.2.1']) assert.equal(writeIPv6(bad, buf, 0), false, bad);
});

test('a record whose address is not of the template IP version is not encoded', () => {
  const [v4, v6] = templatesFor('ipfix');
  const buf = Buffer.alloc(1024);
  assert.equal(encodeRecord(v4, makeRecord({ src_addr: '2001:db8::1' }), buf, 0), -1);
  assert.equal(encodeRecord(v6, makeRecord(), buf, 0), -1);
});

test('the IPFIX IPv4 record carries the 5-tuple, biflow counters, times, flags and the application', () => {
  const [v4] = templatesFor('ipfix');
  const w = new MessageWriter('ipfix', 1024);
  const buf = Buffer.alloc(1400);
  w.begin(buf, 0, 1400);
  w.addTemplates(templatesFor('ipfix'));
  const r = makeRecord({ protocol_name: 'TLS.YouTube', detected_protocol: 124, master_protocol: 91, vlan_id: 42, in_tcp_flags: 0x12, out_bytes: 5_000_000_000 });
  assert.equal(w.addRecord(v4, r), 'ok');
  const len = w.finish(header);
  const m = decodeMessage(buf.subarray(0, len));
  assert.equal(m.version, 10);
  assert.equal(m.templateRecords, 2);
  const rec = m.sets[1].records[0];
  assert.equal(m.sets[1].id, 256);
  assert.equal(ipv4(rec.get('8')), '192.0.2.20');
  assert.equal(ipv4(rec.get('12')), '203.0.113.80');
  assert.equal(uint(rec.get('7')), 50412);
  assert.equal(uint(rec.get('11')), 443);
  assert.equal(uint(rec.get('4')), 6);
  assert.equal(uint(rec.get('152')), 1710408630201);
  assert.equal(uint(rec.get('153')), 1710408630301);
  assert.equal(uint(rec.get('1')), 5_000_000_000);
  assert.equal(uint(rec.get('2')), 12);
  assert.equal(uint(rec.get('29305/1')), 4622);
  assert.equal(uint(rec.get('29305/2')), 7);
  assert.equal(uint(rec.get('6')), 27);
  assert.equal(uint(rec.get('29305/6')), 0x12);
  assert.equal(uint(rec.get('58')), 42);
  assert.equal(uint(rec.get('136')), 3);
  assert.equal(uint(rec.get('148')), 8);
  assert.deepEqual(rec.get('95'), hex('14 00008b30 007c'));
  assert.equal(uint(rec.get('35632/118')), 124);
  assert.equal(text(rec.get('96')), 'TLS.YouTube');
  assert.equal(text(rec.get('35632/119')), 'TLS.YouTube');
});

test('a NetFlow v9 packet has the 20-byte header, template flowset 0, and every flowset padded to 4 bytes', () => {
  const templates = templatesFor('netflow9');
  const w = new MessageWriter('netflow9', 1024);
  const buf = Buffer.alloc(1400, 0xaa);
  w.begin(buf, 0, 1400);
  w.addTemplates(templates);
  w.addRecord(templates[0], makeRecord({ icmp_type: 3, icmp_code: 1, ip_protocol: 1, protocol: 'ICMP' }));
  w.addRecord(templates[1], makeRecord({ ip_version: 6, src_addr: '2001:db8::20', dst_addr: 'fe80::1' }));
  const len = w.finish(header);
  assert.equal(len % 4, 0);
  assert.deepEqual(buf.subarray(0, 20), hex('0009 0004 000004d2 5f5e1000 00000007 01020304'));
  const m = decodeMessage(buf.subarray(0, len));
  assert.deepEqual(m.sets.map((s) => s.id), [0, 256, 257]);
  for (const s of m.sets) {
    assert.equal(s.length % 4, 0, `flowset ${s.id} length ${s.length}`);
    assert.ok(s.padding < 4);
  }
  const recordLength = templates[0].fields.reduce((n, f) => n + f.length, 0);
  assert.equal(m.sets[1].length, 4 + recordLength + ((4 - ((4 + recordLength) % 4)) % 4));
  const padStart = m.sets[1].length - m.sets[1].padding;
  const set1 = buf.subarray(m.sets[0].length + 20, m.sets[0].length + 20 + m.sets[1].length);
  assert.ok(set1.subarray(padStart).every((b) => b === 0), 'padding is zero');
  const v4 = m.sets[1].records[0];
  assert.equal(uint(v4.get('32')), 0x0301);
  assert.equal(uint(v4.get('6')), 27);
  assert.equal(uint(v4.get('23')), 4622);
  assert.equal(uint(v4.get('24')), 7);
  assert.equal(text(v4.get('57591')), 'TLS');
  assert.equal(v4.get('57591')?.length, 40);
  assert.equal(uint(v4.get('57590')), 91);
  assert.equal(v4.get('148'), undefined);
  assert.equal(m.sets[2].records.length, 1);
});

test('a record that does not fit in what is left of the message is refused without writing', () => {
  const [v4] = templatesFor('ipfix');
  const w = new MessageWriter('ipfix', 1024);
  const buf = Buffer.alloc(200);
  w.begin(buf, 0, 200);
  let n = 0;
  while (w.addRecord(v4, makeRecord()) === 'ok') n++;
  const before = w.length;
  assert.equal(w.addRecord(v4, makeRecord()), 'full');
  assert.equal(w.length, before);
  assert.ok(before <= 200);
  const len = w.finish(header);
  const store = new Map([[256, v4.fields.map((f) => ({ pen: f.ie.pen, id: f.ie.id, length: f.length }))]]);
  assert.equal(decodeMessage(buf.subarray(0, len), store).dataRecords, n);
  assert.ok(n >= 1);
});
