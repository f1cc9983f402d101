import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dissect, hex, prefixes, DissectResult, TestPacket } from '../harness';
import { dissector as quic } from '../../../src/dpi/protocols/quic';
import {
  clientInitialKeys, clientInitialSecret, decodePacketNumber, headerMask, InitialKeys, packetKeys,
} from '../../../src/dpi/protocols/quic/initial';
import { initialSalt, V1, V2, versionName } from '../../../src/dpi/protocols/quic/versions';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { DissectContext, Verdict } from '../../../src/dpi/dissector';

const only = [quic];

function fixtureDir(): string {
  const candidates = [join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'dpi', 'quic'), join(process.cwd(), 'test', 'fixtures', 'dpi', 'quic')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

/** A hex fixture from test/fixtures/dpi/quic (its first line says which pcap and frame it comes from). */
function fixture(name: string): Buffer {
  return hex(readFileSync(join(fixtureDir(), name + '.hex'), 'latin1'));
}

function udp(packets: TestPacket[], serverPort = 443): DissectResult {
  return dissect({ l4: 'udp', serverPort, clientPort: 50000, dissectors: only }, packets);
}

function isQuic(r: DissectResult): boolean {
  return r.confidence === 'dpi' && (r.app === P.QUIC || r.master === P.QUIC);
}

// ---------------------------------------------------------------------------
// RFC 9001 Appendix A and RFC 9369 Appendix A: the client Initial example.

const RFC_DCID = hex('8394c8f03e515708');
/** The CRYPTO frame of RFC 9001 A.2 (a ClientHello for example.com, ALPN "alpn"); the payload is padded to 1162 bytes. */
const RFC_CRYPTO_FRAME = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a00080006001d00170018001000070005
  04616c706e000500050100000000003300260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806048000ffff`);
const RFC_PAYLOAD = Buffer.concat([RFC_CRYPTO_FRAME, Buffer.alloc(1162 - RFC_CRYPTO_FRAME.length)]);

/**
 * Protects a long header packet as RFC 9001 5 describes (the test's own
 * implementation, independent of the dissector): AEAD_AES_128_GCM with
 * nonce = iv xor pn, then header protection with an AES-ECB mask.
 * header: the unprotected header ending with a pnLen-byte packet number.
 */
function protect(keys: InitialKeys, header: Buffer, pn: number, pnLen: number, payload: Buffer): Buffer {
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const c = createCipheriv('aes-128-gcm', keys.key, nonce);
  c.setAAD(header);
  const ct = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
  const pkt = Buffer.concat([header, ct]);
  const pnOff = header.length - pnLen;
  const e = createCipheriv('aes-128-ecb', keys.hp, null);
  e.setAutoPadding(false);
  const mask = e.update(pkt.subarray(pnOff + 4, pnOff + 20));
  pkt[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) pkt[pnOff + i] ^= mask[1 + i];
  return pkt;
}

/** The 5 mask bytes header protection uses, in hex, for a sample. */
function maskOf(hp: Buffer, sample: Buffer): string {
  const m = new Uint8Array(16);
  headerMask(hp, sample, 0, m);
  return Buffer.from(m.subarray(0, 5)).toString('hex');
}

test('quic: RFC 9001 A.1 initial secrets and client keys', () => {
  const salt = initialSalt(V1);
  assert.ok(salt !== null);
  assert.equal(clientInitialSecret(salt, RFC_DCID).toString('hex'), 'c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea');
  const k = clientInitialKeys(salt, RFC_DCID, false);
  assert.equal(k.key.toString('hex'), '1f369613dd76d5467730efcbe3b1a22d');
  assert.equal(k.iv.toString('hex'), 'fa044b2f42a3fd3b46fb255c');
  assert.equal(k.hp.toString('hex'), '9f50449e04a0e810283a1e9933adedd2');
  // Server keys from the same initial secret, to check expandLabel on another label (A.1 "server in").
  const server = packetKeys(hex('3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b'), false);
  assert.equal(server.key.toString('hex'), 'cf3a5331653c364c88f0f379b6067e37');
  assert.equal(server.iv.toString('hex'), '0ac1493ca1905853b0bba03e');
  assert.equal(server.hp.toString('hex'), 'c206b8d9b9f0f37644430b490eeaa314');
});

test('quic: RFC 9001 A.2 header protection mask and the protected client Initial', () => {
  const k = clientInitialKeys(initialSalt(V1) as Buffer, RFC_DCID, false);
  assert.equal(maskOf(k.hp, hex('d1b1c98dd7689fb8ec11d242b123dc9b')), '437b9aec36');
  const pkt = protect(k, hex('c300000001088394c8f03e5157080000449e00000002'), 2, 4, RFC_PAYLOAD);
  assert.equal(pkt.length, 1200);
  assert.equal(pkt.subarray(0, 32).toString('hex'), 'c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11');
  assert.equal(pkt.subarray(-48).toString('hex'),
    '7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934');
  const r = udp([{ payload: pkt }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'example.com');
  assert.equal(r.meta.quic_version, 'V-1');
  assert.equal(r.meta.alpn_advertised, 'alpn');
  assert.equal(r.meta.tls_version, 'TLSv1.3');
  assert.match(String(r.meta.ja4), /^q13d0211al_/);
  assert.deepEqual(r.undeclared, []);
});

test('quic: RFC 9369 A.1/A.2 QUIC v2 keys, mask and client Initial', () => {
  const salt = initialSalt(V2) as Buffer;
  assert.equal(salt.toString('hex'), '0dede3def700a6db819381be6e269dcbf9bd2ed9');
  assert.equal(clientInitialSecret(salt, RFC_DCID).toString('hex'), '14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b');
  const k = clientInitialKeys(salt, RFC_DCID, true);
  assert.equal(k.key.toString('hex'), '8b1a0bc121284290a29e0971b5cd045d');
  assert.equal(k.iv.toString('hex'), '91f73e2351d8fa91660e909f');
  assert.equal(k.hp.toString('hex'), '45b95e15235d6f45a6b19cbcb0294ba9');
  assert.equal(maskOf(k.hp, hex('ffe67b6abcdb4298b485dd04de806071')), '94a0c95e80');
  const pkt = protect(k, hex('d36b3343cf088394c8f03e5157080000449e00000002'), 2, 4, RFC_PAYLOAD);
  assert.equal(pkt.subarray(0, 32).toString('hex'), 'd76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485');
  assert.equal(pkt.subarray(-80).toString('hex'),
    '6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19' +
    '9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b' +
    'a18b2faa745b6fe189cf772a9f84cbfc');
  const r = udp([{ payload: pkt }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.server_name, 'example.com');
  assert.equal(r.meta.quic_version, 'V-2');
});

test('quic: packet numbers are reconstructed as RFC 9000 A.3 shows', () => {
  assert.equal(decodePacketNumber(0xa82f30ea, 0x9b32, 16), 0xa82f9b32);
  assert.equal(decodePacketNumber(-1, 2, 32), 2);
  assert.equal(decodePacketNumber(255, 1, 8), 257);
});

test('quic: version names as nDPI prints them', () => {
  assert.equal(versionName(0x00000001), 'V-1');
  assert.equal(versionName(0x6b3343cf), 'V-2');
  assert.equal(versionName(0xff00001d), 'Draft-29');
  assert.equal(versionName(0xfaceb00e), 'MVFST-EXP');
  assert.equal(versionName(0x51303436), 'Q046');
  assert.equal(versionName(0x54303531), 'T051');
  assert.equal(versionName(0x1a2a3a4a), 'Ver-Negotiation');
});

// ---------------------------------------------------------------------------
// Corpus packets, one per version family.

interface Case {
  fixture: string;
  name: string;
  version: string;
  host?: string;
  ua?: string;
  alpn?: string;
  ja4?: string;
  port?: number;
}

const CASES: Case[] = [
  {
    fixture: 'v1-initial-ua', name: 'QUIC.GoogleClassroom', version: 'V-1', host: 'classroom.google.com', alpn: 'h3',
    ua: 'Chrome/97.0.4692.99 Windows NT 10.0; Win64; x64', ja4: 'q13d0310h0_55b375c5d22e_cd85d2d88918',
  },
  { fixture: 'draft29-initial', name: 'QUIC', version: 'Draft-29', host: 'server4', alpn: 'hq-29', ja4: 'q00d0308hq_55b375c5d22e_23ed935430f2' },
  {
    fixture: 'draft29-chaos-initial', name: 'QUIC.GoogleServices', version: 'Draft-29', host: 'update.googleapis.com', alpn: 'h3-29',
    ua: 'dev Chrome/92.0.4503.5 Windows NT 10.0; Win64; x64', ja4: 'q13d0310h3_55b375c5d22e_b064f0e3421d',
  },
  {
    fixture: 't051-initial', name: 'QUIC.Google', version: 'T051', host: 'www.google.com', alpn: 'h3-T051',
    ua: 'dev Chrome/86.0.4240.9 Windows NT 6.1; Win64; x64', ja4: 'q13d0308h3_55b375c5d22e_e7bc1e4f333e',
  },
  { fixture: 'q050-initial', name: 'QUIC.GoogleServices', version: 'Q050', host: 'www.googletagmanager.com', ua: 'Chrome/83.0.4103.101 Android 8.0.0; LDN-L21' },
  { fixture: 'q046-chlo', name: 'QUIC.YouTube', version: 'Q046', host: 'i.ytimg.com', ua: 'Chrome/80.0.3987.132 Windows NT 6.3; Win64; x64' },
  { fixture: 'q039-chlo', name: 'QUIC.YouTube', version: 'Q039', host: 's.youtube.com', ua: 'com.google.android.youtube Cronet/63.0.3223.7' },
  { fixture: 'q024-chlo', name: 'QUIC.GMail', version: 'Q024', host: 'mail.google.com', ua: 'beta Chrome/43.0.2357.45' },
  {
    fixture: 'mvfst-exp-initial', name: 'QUIC.FbookReelStory', version: 'MVFST-EXP', host: 'video.fmct2-3.fna.fbcdn.net', alpn: 'h3-fb-05',
    ja4: 'q00d0108h3_0f2cb44170f4_f4b4187450f5',
  },
];

for (const c of CASES) {
  test(`quic: corpus ${c.fixture} is ${c.name} ${c.version} with nDPI's metadata`, () => {
    const r = udp([{ payload: fixture(c.fixture) }], c.port);
    assert.equal(r.name, c.name);
    assert.equal(r.confidence, 'dpi');
    assert.equal(r.meta.quic_version, c.version);
    assert.equal(r.meta.server_name, c.host);
    assert.equal(r.meta.user_agent, c.ua);
    assert.equal(r.meta.alpn_advertised, c.alpn);
    assert.equal(r.meta.ja4, c.ja4);
    assert.deepEqual(r.undeclared, []);
  });
}

test('quic: the same Initial on an unusual port is still QUIC', () => {
  const r = udp([{ payload: fixture('draft29-initial') }], 8443);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.server_name, 'server4');
});

test('quic: a ClientHello spread over two Initial packets (corpus) is reassembled', () => {
  const a = fixture('split-ch-initial-1');
  const b = fixture('split-ch-initial-2');
  const r = udp([{ payload: a }, { payload: b }], 4443);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.quic_version, 'V-1');
  assert.equal(r.meta.alpn_advertised, 'h3-34;hq-34;h3-33;hq-33;h3-32;hq-32;h3-31;hq-31;h3-29;hq-29;h3-30;hq-30;h3-28;hq-28;h3-27;hq-27;h3;hq-interop');
  assert.equal(r.meta.ja4, 'q00d0307h3_55b375c5d22e_af0a630e9e67');
  assert.ok(r.risks.includes('Missing SNI TLS Extn'));
  assert.ok(r.risks.includes('ALPN/SNI Mismatch'));
  // The first packet alone leaves the ClientHello incomplete: QUIC, but no fingerprint yet.
  const half = udp([{ payload: a }], 4443);
  assert.equal(half.name, 'QUIC');
  assert.equal(half.meta.ja4, undefined);
});

// ---------------------------------------------------------------------------
// Synthetic Initials built with the RFC 9001 keys.

const DCID = hex('0123456789abcdef');

/** A ClientHello handshake message for host with ALPN h3 and a google_user_agent transport parameter. */
function clientHello(host: string, ua: string, alpnId = 'h3'): Buffer {
  const ext = (type: number, body: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(body.length, 2);
    return Buffer.concat([h, body]);
  };
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const name = Buffer.from(host, 'latin1');
  const sni = ext(0, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name]));
  const alpn = ext(0x10, Buffer.concat([u16(alpnId.length + 1), Buffer.from([alpnId.length]), Buffer.from(alpnId, 'latin1')]));
  const versions = ext(0x2b, Buffer.from([2, 3, 4]));
  const uab = Buffer.from(ua, 'latin1');
  const tp = ext(0x39, Buffer.concat([Buffer.from([0x71, 0x29, uab.length]), uab, Buffer.from([0x01, 0x02, 0x67, 0x10])]));
  const pad = ext(0x15, Buffer.alloc(600));
  const exts = Buffer.concat([sni, alpn, versions, tp, pad]);
  const body = Buffer.concat([
    Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0]), u16(6), Buffer.from([0x13, 0x01, 0x13, 0x02, 0x13, 0x03]),
    Buffer.from([1, 0]), u16(exts.length), exts,
  ]);
  return Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
}

function varint(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  return Buffer.from([0x80, (n >> 16) & 0x3f, (n >> 8) & 0xff, n & 0xff]);
}

function cryptoFrame(data: Buffer, at: number): Buffer {
  return Buffer.concat([Buffer.from([6]), varint(at), varint(data.length), data]);
}

/** A protected v1 client Initial carrying frames, padded so the packet is `size` bytes. */
function initial(frames: Buffer, pn: number, size: number, dcid = DCID): Buffer {
  const keys = clientInitialKeys(initialSalt(V1) as Buffer, dcid, false);
  const headNoLen = Buffer.concat([Buffer.from([0xc1, 0, 0, 0, 1, dcid.length]), dcid, Buffer.from([0, 0])]);
  const payloadLen = Math.max(frames.length, size - headNoLen.length - 2 - 2 - 16);
  const payload = Buffer.concat([frames, Buffer.alloc(payloadLen - frames.length)]);
  const length = 2 + payload.length + 16;
  const header = Buffer.concat([headNoLen, Buffer.from([0x40 | (length >> 8), length & 0xff]), Buffer.from([pn >> 8, pn & 0xff])]);
  return protect(keys, header, pn, 2, payload);
}

test('quic: CRYPTO frames out of order across two Initials, with PING and ACK frames, are reassembled', () => {
  const ch = clientHello('www.example.org', 'Synthetic/1.0 test');
  const cut = 300;
  const ack = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00]);
  const p1 = initial(Buffer.concat([Buffer.from([0x01]), cryptoFrame(ch.subarray(cut), cut)]), 0, 1250);
  const p2 = initial(Buffer.concat([ack, Buffer.from([0x00, 0x00, 0x01]), cryptoFrame(ch.subarray(0, cut), 0)]), 1, 1250);
  const r = udp([{ payload: p1 }, { payload: p2 }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.server_name, 'www.example.org');
  assert.equal(r.meta.user_agent, 'Synthetic/1.0 test');
  assert.equal(r.meta.alpn_advertised, 'h3');
  assert.equal(r.meta.quic_version, 'V-1');
});

test('quic: coalesced Initial packets in one datagram are all opened', () => {
  const ch = clientHello('coalesced.example', 'UA');
  const a = initial(cryptoFrame(ch.subarray(0, 200), 0), 0, 0);
  const b = initial(cryptoFrame(ch.subarray(200), 200), 1, 1200 - a.length);
  const r = udp([{ payload: Buffer.concat([a, b]) }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.server_name, 'coalesced.example');
});

test('quic: an Initial that authenticates is QUIC even below 1200 bytes', () => {
  const r = udp([{ payload: initial(cryptoFrame(clientHello('small.example', 'x'), 0), 0, 0) }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.server_name, 'small.example');
});

test('quic: a forcing-VN Initial, the VN answer and the next Initial give the real version and SNI', () => {
  // Long header, version 0x1a2a3a4a, DCID, empty SCID and token, Length 1200, then 1200 bytes.
  const vn = Buffer.concat([Buffer.from([0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 8]), DCID, Buffer.from([0, 0, 0x44, 0xb0]), Buffer.alloc(1200, 0x55)]);
  const answer = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 8]), DCID, Buffer.from([0, 0, 0, 1])]);
  const first = udp([{ payload: vn }]);
  assert.equal(first.name, 'QUIC');
  assert.equal(first.meta.quic_version, 'Ver-Negotiation');
  const r = udp([{ payload: vn }, { dir: 1, payload: answer }, { payload: initial(cryptoFrame(clientHello('after.vn', 'x'), 0), 0, 1250) }]);
  assert.equal(r.meta.quic_version, 'V-1');
  assert.equal(r.meta.server_name, 'after.vn');
});

test('quic: ALPN doq is DNS over QUIC', () => {
  const r = udp([{ payload: initial(cryptoFrame(clientHello('dns.example', 'x', 'doq'), 0), 0, 1250) }], 853);
  assert.equal(r.meta.alpn_advertised, 'doq');
  assert.equal(r.name, 'QUIC.DoH_DoT');
});

test('quic: RTP after a Q046 CHLO without SNI is a Snapchat call', () => {
  const chlo = fixture('q046-chlo');
  const i = chlo.indexOf(Buffer.from('SNI\0', 'latin1'));
  chlo.write('XNI', i, 'latin1');
  const rtp = hex('80e1000100000a0012345678');
  const quicShort = Buffer.concat([Buffer.from([0x43]), Buffer.alloc(40, 1)]);
  const r = udp([{ payload: chlo }, { dir: 1, payload: quicShort }, { payload: Buffer.concat([rtp, Buffer.alloc(100)]) }]);
  assert.equal(r.name, 'QUIC.SnapchatCall');
  assert.ok(r.risks.includes('Missing SNI TLS Extn'));
  // With an SNI the CHLO ends dissection: the RTP packet changes nothing.
  const plain = udp([{ payload: fixture('q046-chlo') }, { payload: Buffer.concat([rtp, Buffer.alloc(100)]) }]);
  assert.equal(plain.name, 'QUIC.YouTube');
});

test('quic: RTP after a v1 Initial for *.addlive.io is a Snapchat call', () => {
  const p1 = initial(cryptoFrame(clientHello('ep1.addlive.io', 'x'), 0), 0, 1250);
  const r = udp([{ payload: p1 }, { dir: 1, payload: Buffer.concat([Buffer.from([0x41]), Buffer.alloc(60, 9)]) },
    { payload: Buffer.concat([hex('8060abcd0000000100000002'), Buffer.alloc(80)]) }]);
  assert.equal(r.name, 'QUIC.SnapchatCall');
  assert.equal(r.meta.server_name, 'ep1.addlive.io');
});

// ---------------------------------------------------------------------------
// Flows without a decodable Initial.

test('quic: three client short headers to 443 with one connection ID are QUIC (quic_sh.pcap)', () => {
  // nDPI corpus quic_sh.pcap, frames 1, 2 and 5 (client) and 3 (server), UDP 37542 -> 443.
  const c1 = hex('5301dfc0fe62c640773cdecefe01c64578ae814660b62843b7af951054aee4f0e5a8512e9cfe14f1264e2f');
  const c2 = hex('4f01dfc0fe62c640773cdecefe01c64578ae81466044b212482bbdcd95bdf12ffe795af6f7a43bdeeac61ee9da48f4');
  const s1 = hex('40d246fb3b84429caf957844ffef4716d9a6576f84f6cf608ca09a6a');
  const c3 = hex('4501dfc0fe62c640773cdecefe01c64578ae814660d2ebff1e4c278002b92caa03c4903db08a4b6b13cf77');
  const r = udp([{ payload: c1 }, { payload: c2 }, { dir: 1, payload: s1 }, { payload: c3 }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.quic_version, undefined);
  // Two packets are not enough, and neither is another port.
  assert.notEqual(udp([{ payload: c1 }, { payload: c2 }]).confidence, 'dpi');
  assert.notEqual(udp([{ payload: c1 }, { payload: c2 }, { payload: c3 }], 8443).confidence, 'dpi');
  // The connection ID must stay the same.
  const other = Buffer.from(c3);
  other[3] ^= 0xff;
  assert.notEqual(udp([{ payload: c1 }, { payload: c2 }, { payload: other }]).confidence, 'dpi');
});

test('quic: a gQUIC REJ from the server is QUIC (gquic_only_from_server.pcap)', () => {
  const rej = fixture('gquic-rej');
  const r = dissect({ l4: 'udp', clientPort: 443, serverPort: 60524, dissectors: only }, [{ payload: rej }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.confidence, 'dpi');
});

test('quic: a 0-RTT packet not followed by an Initial is QUIC by the third packet', () => {
  const zero = Buffer.concat([Buffer.from([0xd0, 0, 0, 0, 1, 8]), DCID, Buffer.from([0, 0x40, 40]), Buffer.alloc(40, 0x33)]);
  const r = udp([{ payload: zero }, { payload: zero }, { payload: zero }]);
  assert.equal(r.name, 'QUIC');
  assert.equal(r.meta.quic_version, 'V-1');
  assert.notEqual(udp([{ payload: zero }]).confidence, 'dpi');
});

// ---------------------------------------------------------------------------
// Near misses and truncations.

test('quic: near miss: a DTLS ClientHello on UDP 443 is not QUIC', () => {
  const dtls = hex(`16fefd0000000000000000007c010000700000000000000070fefd0000000000000000000000000000000000000000000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000`);
  assert.notEqual(udp([{ payload: dtls }]).confidence, 'dpi');
});

test('quic: near miss: random UDP on 443, unknown versions and small reserved-version packets are not QUIC', () => {
  let x = 12345;
  const rnd = Buffer.alloc(1250);
  for (let i = 0; i < rnd.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    rnd[i] = x >>> 24;
  }
  for (const first of [0x00, 0x17, 0x45, 0x80, 0xc3, 0xff]) {
    const p = Buffer.from(rnd);
    p[0] = first;
    assert.notEqual(udp([{ payload: p }, { payload: p }, { payload: p }]).confidence, 'dpi', `first byte ${first}`);
  }
  // 1kxun.pcap: "ffff0000a0..." is not a QUIC draft; fuzz captures hold 0xaaaaaaaa versions in short datagrams.
  assert.notEqual(udp([{ payload: Buffer.concat([hex('ffff0000a0005cd998ddf5f3'), Buffer.alloc(1200)]) }]).confidence, 'dpi');
  assert.notEqual(udp([{ payload: Buffer.alloc(44, 0xaa) }]).confidence, 'dpi');
  // A long header with an IETF version and a 21-byte connection ID.
  const bad = Buffer.concat([Buffer.from([0xc0, 0, 0, 0, 1, 21]), Buffer.alloc(1250, 1)]);
  assert.notEqual(udp([{ payload: bad }]).confidence, 'dpi');
});

/**
 * A minimal DissectContext driving the dissector directly: the harness
 * builds a whole engine per flow (milliseconds), too slow for a flow per
 * truncation offset of 1300-byte packets.
 */
class FakeCtx {
  buf: Buffer = Buffer.alloc(0);
  off = 0;
  len = 0;
  cur = new Cursor();
  dir = 0;
  l4 = 17;
  srcPort = 50000;
  dstPort = 443;
  clientPort = 50000;
  serverPort = 443;
  dirIndex = 0;
  flowIndex = 0;
  c2sPackets = 0;
  s2cPackets = 0;
  tsMs = 0;
  ipVersion = 4;
  srcAddr = new Int32Array(8);
  srcAddrOff = 0;
  dstAddr = new Int32Array(8);
  dstAddrOff = 4;
  flow = undefined;
  state: unknown = undefined;
  labels: number[] = [];
  meta: Record<string, unknown> = {};
  detect(app: number): void {
    this.labels.push(app);
  }
  set(field: string, value: unknown, overwrite = false): void {
    if (overwrite || this.meta[field] === undefined) this.meta[field] = value;
  }
  risk(): void {
    return undefined;
  }
  feed(b: Buffer): Verdict {
    this.buf = b;
    this.len = b.length;
    this.cur.reset(b, 0, b.length);
    const v = quic.dissect(this as unknown as DissectContext);
    this.flowIndex++;
    this.dirIndex++;
    this.c2sPackets++;
    return v;
  }
}

test('quic: every truncation of an Initial, a CHLO, a REJ and a short header is handled without throwing or mislabelling', () => {
  // [packet, shortest prefix that may be labelled]: datagrams under 1200 bytes are not Initials;
  // a REJ is recognised from its message tag, 34 bytes in.
  const inputs: [Buffer, number][] = [
    [fixture('v1-initial-ua'), 1200], [fixture('t051-initial'), 1200], [fixture('q050-initial'), 1200], [fixture('q046-chlo'), 1200],
    [fixture('q024-chlo'), 1200], [fixture('gquic-rej'), 34],
    [hex('5301dfc0fe62c640773cdecefe01c64578ae814660b62843b7af951054aee4f0e5a8512e9cfe14f1264e2f'), 1000],
  ];
  for (const [full, min] of inputs) {
    for (const b of prefixes(full)) {
      const ctx = new FakeCtx();
      const v = ctx.feed(b);
      if (v !== Verdict.Exclude && v !== Verdict.Done) ctx.feed(b);
      assert.ok(ctx.labels.every((l) => l === P.QUIC), `len ${b.length}`);
      if (b.length < min) assert.equal(ctx.labels.length, 0, `len ${b.length} labelled`);
    }
  }
  // The same through the engine at a few lengths around the boundaries.
  const full = fixture('v1-initial-ua');
  for (const n of [0, 1, 5, 6, 7, 20, 40, 1199, 1200, full.length - 17, full.length - 1, full.length]) {
    const r = udp([{ payload: full.subarray(0, n) }]);
    assert.equal(r.confidence === 'dpi', n === full.length || n >= 1200, `len ${n}`);
    if (r.confidence === 'dpi') assert.ok(isQuic(r));
  }
});

test('quic: damaged Initials of every length do not throw', () => {
  const full = fixture('draft29-chaos-initial');
  for (let n = 0; n <= full.length; n++) {
    const b = Buffer.from(full);
    b[n % b.length] ^= 0x5a;
    const ctx = new FakeCtx();
    ctx.feed(b.subarray(0, n));
    assert.ok(ctx.labels.every((l) => l === P.QUIC));
  }
});
