import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, TestPacket } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissectors } from '../../../src/dpi/protocols/tls/index';
import { fixture, records, toRecords } from './tls-fixtures';

const only = dissectors;

// tls_cipher_lens.pcap frame 1: a TLS 1.0 ClientHello from an old Chrome (nDPI: ja3c
// 755cdaa3496eb8728247a639dee17aad, ja4 t10d360600_77f462745360_6072aad2e91d).
const CH_GOOGLE_IT = hex(`
  16 0301 00ae                       # record: handshake, TLS 1.0, 174 bytes
  01 0000aa                          # ClientHello, 170 bytes
  0301                               # legacy_version TLS 1.0
  52efc37bceda522242fc28a2b4f13d3dfb2e1479d1f7064903c9288f9f73d123   # random
  00                                 # session id: empty
  0048                               # 36 cipher suites
  00ffc00ac0140088008700390038c00fc00500840035c009c007c013c0110045004400330032c00ec00c
  c004c00200960041002f00050004c008c01200160013c00dc003feff000a
  01 00                              # compression: null
  0039                               # extensions, 57 bytes
  0000 0012 0010 00 000d 7777772e676f6f676c652e6974   # server_name www.google.it
  000a 0008 0006 0017 0018 0019      # supported_groups
  000b 0002 01 00                    # ec_point_formats
  0023 0000                          # session_ticket
  3374 0000                          # next_protocol_negotiation
  0005 0005 0100000000               # status_request
`);

test('tls: a ClientHello on any port is TLS, with SNI, version, JA3C and JA4 as nDPI prints them', () => {
  const r = dissect({ serverPort: 8443, dissectors: only }, [{ payload: CH_GOOGLE_IT }]);
  assert.equal(r.name, 'TLS.Google');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'www.google.it');
  assert.equal(r.meta.tls_version, 'TLSv1');
  assert.equal(r.meta.ja3c, '755cdaa3496eb8728247a639dee17aad');
  assert.equal(r.meta.ja4, 't10d360600_77f462745360_6072aad2e91d');
  assert.ok(r.risks.includes('Obsolete TLS (v1.1 or older)'));
  assert.deepEqual(r.undeclared, []);
});

test('tls: a full TLS 1.2 handshake gives hello, cipher, JA3S and certificate metadata', () => {
  // 443-safari.pcap: expected values are nDPI's for this flow.
  const r = dissect({ serverPort: 443, dissectors: only }, fixture('safari-handshake.txt'));
  assert.equal(r.name, 'TLS.ntop');
  assert.equal(r.meta.server_name, 'www.ntop.org');
  assert.equal(r.meta.alpn_advertised, 'h2;h2-16;h2-15;h2-14;spdy/3.1;spdy/3;http/1.1');
  assert.equal(r.meta.alpn_negotiated, 'h2');
  assert.equal(r.meta.tls_version, 'TLSv1.2');
  assert.equal(r.meta.ja3c, 'a69708a64f853c3bcc214c2c5faf84f3');
  assert.equal(r.meta.ja4, 't12d2010h2_2a284e3b0c56_f05fdf8c38a9');
  assert.equal(r.meta.ja3s, 'f9fcb52580329fb6a9b61d7542087b90');
  assert.equal(r.meta.tls_cipher, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  assert.equal(r.meta.tls_subject, 'CN=www.ntop.org');
  assert.equal(r.meta.tls_issuer, "C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3");
  assert.equal(r.meta.tls_server_names, 'www.ntop.org');
  assert.equal(r.meta.tls_cert_sha1, 'DB:A7:E4:3E:6D:BB:21:AB:68:47:35:E8:0B:8F:15:DF:DB:C7:C9:6F');
  assert.equal(r.meta.tls_not_before, Date.UTC(2019, 11, 17, 1, 17, 28));
  assert.equal(r.meta.tls_not_after, Date.UTC(2020, 2, 16, 1, 17, 28));
  // The harness clock (Nov 2023) is past the certificate's end.
  assert.ok(r.risks.includes('TLS Cert Expired'));
  assert.ok(!r.risks.includes('Self-signed Cert'));
  assert.deepEqual(r.undeclared, []);
});

test('tls: a TLS 1.3 Chrome ClientHello with GREASE and ECH', () => {
  // tls_ech.pcapng: nDPI prints ja3c 6820f114..., ja4 t13d1516h2_8daaf6152771_02713d6af862, ja3s eb1d94da...
  const r = dissect({ serverPort: 443, dissectors: only }, fixture('ech-handshake.txt'));
  assert.equal(r.name, 'TLS.Cloudflare');
  assert.equal(r.meta.server_name, 'performance.radar.cloudflare.com');
  assert.equal(r.meta.tls_supported_versions, 'GREASE;TLSv1.3;TLSv1.2');
  assert.equal(r.meta.tls_ech, 1);
  assert.equal(r.meta.ja3c, '6820f114cf3b0809ffdcb30cb277848a');
  assert.equal(r.meta.ja4, 't13d1516h2_8daaf6152771_02713d6af862');
  assert.equal(r.meta.ja3s, 'eb1d94daa7e0344597e756a1fb6e7054');
  assert.equal(r.meta.tls_version, 'TLSv1.3');
  assert.equal(r.meta.tls_cipher, 'TLS_AES_128_GCM_SHA256');
  assert.equal(r.meta.tls_subject, undefined);
});

test('tls: a ClientHello split across three segments is reassembled', () => {
  const ch = fixture('safari-handshake.txt')[0].payload as Buffer;
  const r = dissect({ serverPort: 443, dissectors: only }, [
    { payload: ch.subarray(0, 3) },
    { payload: ch.subarray(3, 100) },
    { payload: ch.subarray(100) },
  ]);
  assert.equal(r.name, 'TLS.ntop');
  assert.equal(r.meta.ja3c, 'a69708a64f853c3bcc214c2c5faf84f3');
});

test('tls: a ClientHello split across two records is reassembled', () => {
  const ch = fixture('safari-handshake.txt')[0].payload as Buffer;
  const body = records(ch)[0][1];
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: toRecords(22, body, 60, 0x0301) }]);
  assert.equal(r.meta.ja3c, 'a69708a64f853c3bcc214c2c5faf84f3');
  assert.equal(r.meta.server_name, 'www.ntop.org');
});

test('tls: a Certificate message spanning several records and segments is read', () => {
  const pk = fixture('safari-handshake.txt');
  const server = Buffer.concat(pk.filter((p) => p.dir === 1).map((p) => p.payload as Buffer));
  // Re-frame the server's handshake messages into 300-byte records, sent in 7 segments.
  const hs = Buffer.concat(records(server).filter(([t]) => t === 22).map(([, b]) => b));
  const reframed = toRecords(22, hs, 300);
  const seg: TestPacket[] = [pk[0]];
  const step = Math.ceil(reframed.length / 7);
  for (let p = 0; p < reframed.length; p += step) seg.push({ dir: 1, payload: reframed.subarray(p, p + step) });
  const r = dissect({ serverPort: 443, dissectors: only }, seg);
  assert.equal(r.meta.tls_cert_sha1, 'DB:A7:E4:3E:6D:BB:21:AB:68:47:35:E8:0B:8F:15:DF:DB:C7:C9:6F');
  assert.equal(r.meta.tls_subject, 'CN=www.ntop.org');
  assert.equal(r.meta.ja3s, 'f9fcb52580329fb6a9b61d7542087b90');
});

test('tls: TLS on the IMAPS port is labelled IMAPS, as nDPI does', () => {
  const r = dissect({ serverPort: 993, dissectors: only }, [{ payload: CH_GOOGLE_IT }]);
  assert.equal(r.app === P.IMAPS || r.master === P.IMAPS, true, r.name);
  const s = dissect({ serverPort: 465, dissectors: only }, [{ payload: CH_GOOGLE_IT }]);
  assert.equal(s.app === P.SMTPS || s.master === P.SMTPS, true, s.name);
});

test('tls: a flow caught after its handshake is TLS from whole application data records', () => {
  const app = Buffer.concat([hex('17 0303 0020'), Buffer.alloc(32, 0xa5), hex('17 0303 0010'), Buffer.alloc(16, 0x5a)]);
  const r = dissect({ serverPort: 5223, dissectors: only }, [{ payload: app }, { dir: 1, payload: app }]);
  assert.equal(r.name, 'TLS');
  assert.deepEqual(r.meta, {});
});

test('tls: a fatal alert in clear raises TLS Fatal Alert', () => {
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: CH_GOOGLE_IT }, { dir: 1, payload: hex('15 0301 0002 02 28') }]);
  assert.equal(r.name, 'TLS.Google');
  assert.ok(r.risks.includes('TLS Fatal Alert'));
});

test('tls: a ClientHello without SNI raises Missing SNI and, offering h2, ALPN/SNI Mismatch', () => {
  const body = records(fixture('safari-handshake.txt')[0].payload as Buffer)[0][1];
  // Rewrite the server_name extension (type 0) into an unknown one (0x7777).
  const i = body.indexOf(hex('0000 0011 000f 00 000c'));
  const copy = Buffer.from(body);
  copy.writeUInt16BE(0x7777, i);
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: toRecords(22, copy, 16384, 0x0301) }]);
  assert.equal(r.meta.server_name, undefined);
  assert.ok(r.risks.includes('Missing SNI TLS Extn'));
  assert.ok(r.risks.includes('ALPN/SNI Mismatch'));
});

test('tls: near miss: HTTP on port 443 is not TLS', () => {
  const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('tls: near miss: random bytes after a handshake record header are not TLS', () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let k = 0; k < 50; k++) {
    const body = Buffer.from(Array.from({ length: 200 }, rnd));
    const r = dissect({ serverPort: 443, dissectors: only }, [{ payload: Buffer.concat([hex('16 0301 00c8'), body]) }]);
    assert.notEqual(r.confidence, 'dpi', `random body ${k}`);
  }
  const junk = dissect({ serverPort: 443, dissectors: only }, [{ payload: hex('16 feff 0000 0000') }, { payload: Buffer.alloc(64, 1) }]);
  assert.notEqual(junk.confidence, 'dpi');
});

test('tls: every truncation of a ClientHello and of the server flight is handled without mislabelling', () => {
  const pk = fixture('safari-handshake.txt');
  const ch = pk[0].payload as Buffer;
  for (const b of prefixes(ch)) {
    const r = dissect({ serverPort: 8443, dissectors: only }, [{ payload: b }]);
    if (b.length < ch.length) assert.ok(r.name === 'Unknown', `prefix ${b.length}: ${r.name}`);
    else assert.equal(r.name, 'TLS.ntop');
  }
  const server = Buffer.concat(pk.filter((p) => p.dir === 1).map((p) => p.payload as Buffer));
  for (let n = 0; n <= server.length; n += 31) {
    const r = dissect({ serverPort: 8443, dissectors: only }, [{ payload: ch }, { dir: 1, payload: server.subarray(0, n) }]);
    assert.equal(r.name, 'TLS.ntop');
  }
});
