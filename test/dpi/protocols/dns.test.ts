import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as dns } from '../../../src/dpi/protocols/dns';

const only = [dns];

// dns.pcap frames 4 and 5: A query for e7.whatsapp.net and its 8-address answer.
const QUERY = hex('784301000001000000000000026537087768617473617070036e65740000010001');
const ANSWER = hex(`
784381800001000800000000026537087768617473617070036e65740000010001
c00c00010001000001eb0004a92ddbeb c00c00010001000001eb0004a92f288e c00c00010001000001eb0004a92df879
c00c00010001000001eb00046ca8b0ea c00c00010001000001eb0004a92df8bd c00c00010001000001eb0004a92df8b4
c00c00010001000001eb0004a935514f c00c00010001000001eb0004a92ddbe8`);
// dns_fragmented.pcap frame 48: DNSKEY query for weberlab.de over TCP (2-byte length, EDNS OPT record).
const TCP_QUERY = hex('003480e4012000010000000000010877656265726c61620264650000300001000029100000008000000c000a00081b9af622ab2c9740');

/** Builds a DNS message: header fields, one question, then raw records. */
function message(id: number, flags: number, name: string, qtype: number, counts: [number, number, number], records = ''): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(counts[0], 6);
  h.writeUInt16BE(counts[1], 8);
  h.writeUInt16BE(counts[2], 10);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(qtype, 0);
  q.writeUInt16BE(1, 2);
  return Buffer.concat([h, ...labels, Buffer.from([0]), q, hex(records)]);
}

function tcp(m: Buffer): Buffer {
  const l = Buffer.alloc(2);
  l.writeUInt16BE(m.length);
  return Buffer.concat([l, m]);
}

test('dns: query and answer on UDP 53 give the name, type, RCODE and addresses', () => {
  const r = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: QUERY }, { dir: 1, payload: ANSWER }]);
  assert.equal(r.name, 'DNS.WhatsApp');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'e7.whatsapp.net');
  assert.equal(r.meta.dns_query_type, 1);
  assert.equal(r.meta.dns_rcode, 0);
  assert.deepEqual(r.meta.dns_answers, ['169.45.219.235', '169.47.40.142', '169.45.248.121', '108.168.176.234',
    '169.45.248.189', '169.45.248.180', '169.53.81.79', '169.45.219.232']);
  assert.deepEqual(r.undeclared, []);
});

test('dns: a query over TCP 53 split from its length is read from the stream', () => {
  const r = dissect({ serverPort: 53, dissectors: only }, [{ payload: TCP_QUERY.subarray(0, 2) }, { payload: TCP_QUERY.subarray(2) }]);
  assert.equal(r.name, 'DNS');
  assert.equal(r.meta.server_name, 'weberlab.de');
  assert.equal(r.meta.dns_query_type, 48);
});

test('dns: a TCP answer with CNAME and AAAA records is read', () => {
  const ans = message(7, 0x8180, 'www.example.org', 28, [2, 0, 0],
    'c00c 0005 0001 0000012c 0006 03636466c010' + 'c02d 001c 0001 0000012c 0010 20010db8000000000000000000000001');
  const r = dissect({ serverPort: 53, dissectors: only }, [
    { payload: tcp(message(7, 0x0100, 'www.example.org', 28, [0, 0, 0])) },
    { dir: 1, payload: tcp(ans) },
  ]);
  assert.equal(r.name, 'DNS');
  assert.deepEqual(r.meta.dns_answers, ['cdf.example.org', '2001:db8::1']);
});

test('dns: NXDOMAIN raises Error Code; odd characters and long first labels are flagged', () => {
  const nx = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [
    { payload: message(1, 0x0100, 'no.such.example', 1, [0, 0, 0]) },
    { dir: 1, payload: message(1, 0x8183, 'no.such.example', 1, [0, 1, 0], 'c010 0006 0001 00000e10 0004 01020304') },
  ]);
  assert.equal(nx.meta.dns_rcode, 3);
  assert.ok(nx.risks.includes('Error Code'));
  const odd = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: message(2, 0x0100, 'A b.Example.COM', 1, [0, 0, 0]) }]);
  assert.equal(odd.meta.server_name, 'a_b.example.com');
  assert.ok(odd.risks.includes('Non-Printable/Invalid Chars Detected'));
  const long = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: message(3, 0x0100, `${'a'.repeat(56)}.example.net`, 16, [0, 0, 0]) }]);
  assert.ok(long.risks.includes('Susp DNS Traffic'));
});

test('dns: off port 53 only a well-formed query answered with the same ID is DNS', () => {
  const q = message(0x1234, 0x0100, 'host.example.com', 1, [0, 0, 0]);
  const a = message(0x1234, 0x8180, 'host.example.com', 1, [1, 0, 0], 'c00c 0001 0001 0000003c 0004 c0000201');
  const pair = dissect({ l4: 'udp', serverPort: 5300, dissectors: only }, [{ payload: q }, { dir: 1, payload: a }]);
  assert.equal(pair.name, 'DNS');
  assert.deepEqual(pair.meta.dns_answers, ['192.0.2.1']);
  const alone = dissect({ l4: 'udp', serverPort: 5300, dissectors: only }, [{ payload: q }]);
  assert.notEqual(alone.confidence, 'dpi');
  const otherId = message(0x4321, 0x8180, 'host.example.com', 1, [0, 0, 0]);
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5300, dissectors: only }, [{ payload: q }, { dir: 1, payload: otherId }]).confidence, 'dpi');
});

test('dns: near misses: other binary data on 53, mDNS on 5353, NetBIOS names off port', () => {
  // QR=0 with a status opcode and answer/authority records: not a query nDPI or we accept.
  const junk = hex('abcd 1234 0001 0005 0003 0000 0000000000000000');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: junk }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 53, dissectors: only }, [{ payload: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]).confidence, 'dpi');
  const mdns = message(0, 0, '_googlecast._tcp.local', 12, [0, 0, 0]);
  const mdnsAnswer = message(0, 0x8400, '_googlecast._tcp.local', 12, [1, 0, 0], 'c00c 000c 0001 00001194 0002 c00c');
  assert.notEqual(dissect({ l4: 'udp', clientPort: 5353, serverPort: 5353, dissectors: only }, [{ payload: mdns }, { dir: 1, payload: mdnsAnswer }]).confidence, 'dpi');
  const nbns = hex('f0f9011000010000000000002046444544434f4542464346434542454f454445424643434f45504643454841410000200001');
  assert.notEqual(dissect({ l4: 'udp', clientPort: 40000, serverPort: 40001, dissectors: only }, [{ payload: nbns }, { dir: 1, payload: nbns }]).confidence, 'dpi');
});

test('dns: every truncation of a query and of an answer, over UDP and TCP, is handled', () => {
  for (const b of prefixes(QUERY)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name.startsWith('DNS'));
    if (b.length < 12) assert.notEqual(r.confidence, 'dpi');
  }
  const answer = ANSWER.subarray(0, 33 + 32);
  answer[7] = 2;
  for (const b of prefixes(answer)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 53, dissectors: only }, [{ payload: QUERY }, { dir: 1, payload: b }]);
    assert.ok(r.name.startsWith('DNS'));
  }
  for (const b of prefixes(tcp(QUERY))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 53, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name.startsWith('DNS'));
  }
});
