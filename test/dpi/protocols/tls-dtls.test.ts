import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, TestPacket } from '../harness';
import { dissectors } from '../../../src/dpi/protocols/tls/index';
import { fixture } from './tls-fixtures';

const only = dissectors;
const udp = (port: number) => ({ l4: 'udp' as const, serverPort: port, dissectors: only });

/** Re-sends one DTLS handshake message as fragments of at most max bytes, one record per datagram. */
function fragment(datagram: Buffer, max: number): Buffer[] {
  const rec = datagram.subarray(0, 13);
  const hs = datagram.subarray(13, 25);
  const body = datagram.subarray(25, 13 + datagram.readUInt16BE(11));
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += max) {
    const piece = body.subarray(off, Math.min(body.length, off + max));
    const h = Buffer.from(hs);
    h.writeUIntBE(off, 6, 3);
    h.writeUIntBE(piece.length, 9, 3);
    const r = Buffer.from(rec);
    r.writeUInt16BE(12 + piece.length, 11);
    out.push(Buffer.concat([r, h, piece]));
  }
  return out;
}

test('dtls: a handshake with a fragmented certificate gives nDPI\'s fingerprints and certificate', () => {
  // dtls_certificate_fragments.pcap: values are nDPI's for this flow.
  const r = dissect(udp(44443), fixture('dtls-opera-handshake.txt'));
  assert.equal(r.name, 'DTLS');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.tls_version, 'DTLSv1.2');
  assert.equal(r.meta.ja3c, '3c3d129780d0066cd8936a6291a8d44f');
  assert.equal(r.meta.ja4, 'dd2d800500_9cedc1f1428b_a1e935682795');
  assert.equal(r.meta.ja3s, 'd45798bc098cd930de7eb2f5f866e994 (WEAK)');
  assert.equal(r.meta.tls_cipher, 'TLS_RSA_WITH_AES_256_CBC_SHA');
  assert.equal(r.meta.tls_issuer, 'C=NO, ST=Oslo, L=Oslo, O=Opera Software ASA, OU=Opera Max, CN=Opera Max CA');
  assert.equal(r.meta.tls_subject, 'C=NO, ST=Oslo, L=Oslo, O=Opera Software ASA, OU=Opera Max, CN=*.opera-mini.net, ' +
    'C=NO, ST=Oslo, L=Oslo, O=Opera Software ASA, OU=Opera Max, CN=Opera Max CA');
  assert.equal(r.meta.tls_server_names, '*.samsungmax.com,*.opera-mini.net');
  assert.equal(r.meta.tls_cert_sha1, '2F:5F:33:93:DE:4E:8B:EA:87:19:43:1A:7A:28:C2:33:FB:10:B3:A0');
  for (const risk of ['Weak TLS Cipher', 'TLS (probably) Not Carrying HTTPS', 'Missing SNI TLS Extn']) assert.ok(r.risks.includes(risk), risk);
  assert.deepEqual(r.undeclared, []);
});

test('dtls: ClientHellos with session id and cookie (after HelloVerifyRequest) are read', () => {
  // dtls_session_id_and_coockie_both.pcap
  const r = dissect(udp(44443), fixture('dtls-cookie-handshake.txt'));
  assert.equal(r.name, 'DTLS');
  assert.equal(r.meta.ja3c, 'e15c510766789ed8f49de0e37951c1da');
  assert.equal(r.meta.ja4, 'dd2d010000_653ffb6f323e_e3b0c44298fc');
  assert.equal(r.meta.ja3s, 'a1d48eca741e476d8ee735578a26bdbd');
  assert.equal(r.meta.tls_cipher, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
});

test('dtls: a ClientHello in fragments, out of order and repeated, is reassembled', () => {
  const ch = fixture('dtls-opera-handshake.txt')[0].payload as Buffer;
  const parts = fragment(ch, 100);
  assert.ok(parts.length >= 3);
  const pk: TestPacket[] = [parts[2], parts[0], parts[0], ...parts.slice(3), parts[1]].map((p) => ({ payload: p }));
  const r = dissect(udp(4433), pk);
  assert.equal(r.name, 'DTLS');
  assert.equal(r.meta.ja3c, '3c3d129780d0066cd8936a6291a8d44f');
});

test('dtls: STUN first, then the DTLS handshake, is DTLS', () => {
  const stun = hex('0001 0000 2112a442 000102030405060708090a0b');
  const r = dissect(udp(3478), [{ payload: stun }, ...fixture('dtls-cookie-handshake.txt')]);
  assert.equal(r.name, 'DTLS');
  assert.equal(r.meta.ja3c, 'e15c510766789ed8f49de0e37951c1da');
});

test('dtls: a flow caught mid-session is DTLS from an application data record', () => {
  const app = Buffer.concat([hex('17 fefd 0001 000000000007 0020'), Buffer.alloc(32, 0x33)]);
  const r = dissect(udp(443), [{ payload: app }, { dir: 1, payload: app }]);
  assert.equal(r.name, 'DTLS');
});

test('dtls: near miss: other UDP payloads and damaged records are not DTLS', () => {
  const rtp = hex('80 00 1234 00000001 deadbeef') ;
  assert.notEqual(dissect(udp(5004), [{ payload: Buffer.concat([rtp, Buffer.alloc(40)]) }]).confidence, 'dpi');
  const bad = Buffer.concat([hex('16 fefd 0000 000000000000 0400'), Buffer.alloc(40, 1)]);
  assert.notEqual(dissect(udp(443), [{ payload: bad }, { payload: bad }]).confidence, 'dpi');
  const quic = Buffer.concat([hex('c3 00000001 08'), Buffer.alloc(60, 2)]);
  assert.notEqual(dissect(udp(443), [{ payload: quic }]).confidence, 'dpi');
});

test('dtls: every truncation of a ClientHello datagram is handled without mislabelling', () => {
  const ch = fixture('dtls-opera-handshake.txt')[0].payload as Buffer;
  for (const b of prefixes(ch)) {
    const r = dissect(udp(4433), [{ payload: b }]);
    if (b.length < ch.length) assert.equal(r.name, 'Unknown', `prefix ${b.length}`);
    else assert.equal(r.name, 'DTLS');
  }
});
