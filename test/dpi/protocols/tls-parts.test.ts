import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dissect, hex, prefixes, TestPacket } from '../harness';
import { dissectors } from '../../../src/dpi/protocols/tls/index';
import { parseClientHello, ClientHello } from '../../../src/dpi/protocols/tls/client-hello';
import { parseServerHello } from '../../../src/dpi/protocols/tls/server-hello';
import { parseCertificate } from '../../../src/dpi/protocols/tls/certificate';
import { ja3Client, ja3ClientString } from '../../../src/dpi/protocols/tls/ja3';
import { ja4 } from '../../../src/dpi/protocols/tls/ja4';
import { FpMemo } from '../../../src/dpi/protocols/tls/fp-memo';
import { cipherName } from '../../../src/dpi/protocols/tls/ciphers';
import { fixture, records, toRecords } from './tls-fixtures';

/** DER element: tag, definite length, contents. */
function der(tag: number, ...parts: (Buffer | string)[]): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
  const n = body.length;
  const len = n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p: Buffer[]): Buffer => der(0x30, ...p);
const attr = (oidLast: number, value: string): Buffer => der(0x31, seq(der(0x06, Buffer.from([0x55, 0x04, oidLast])), der(0x0c, value)));
const name = (...a: Buffer[]): Buffer => seq(...a);

interface CertSpec { issuer: Buffer; subject: Buffer; notBefore: Buffer; notAfter: Buffer; san?: Buffer[] }

/** A structurally valid X.509 certificate (signature bytes are filler). */
function certificate(c: CertSpec): Buffer {
  const alg = seq(der(0x06, hex('2a864886f70d01010b')), der(0x05));
  const spki = seq(seq(der(0x06, hex('2a864886f70d010101')), der(0x05)), der(0x03, hex('00 3003020100')));
  const exts: Buffer[] = [];
  if (c.san !== undefined) exts.push(seq(der(0x06, hex('551d11')), der(0x04, seq(...c.san))));
  const tbs = seq(der(0xa0, der(0x02, hex('02'))), der(0x02, hex('0a0b0c')), alg, c.issuer, seq(c.notBefore, c.notAfter), c.subject, spki,
    ...(exts.length > 0 ? [der(0xa3, seq(...exts))] : []));
  return seq(tbs, alg, der(0x03, hex('00 01020304')));
}
const utc = (s: string): Buffer => der(0x17, s);

/** Server flight: ServerHello (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) then Certificate with one certificate. */
function serverFlight(cert: Buffer): Buffer {
  const sh = Buffer.concat([hex('0303'), Buffer.alloc(32, 1), hex('00 c02f 00 0000')]);
  const hsSh = Buffer.concat([hex('02'), Buffer.from([0, 0, sh.length]), sh]);
  const list = Buffer.concat([Buffer.from([0, cert.length >> 8, cert.length & 0xff]), cert]);
  const body = Buffer.concat([Buffer.from([0, list.length >> 8, list.length & 0xff]), list]);
  const hsCert = Buffer.concat([hex('0b'), Buffer.from([0, body.length >> 8, body.length & 0xff]), body]);
  return toRecords(22, Buffer.concat([hsSh, hsCert]), 16384);
}

const clientHello = (): Buffer => fixture('safari-handshake.txt')[0].payload as Buffer;

function withCert(cert: Buffer) {
  return dissect({ serverPort: 443, dissectors }, [{ payload: clientHello() }, { dir: 1, payload: serverFlight(cert) }]);
}

test('tls parts: parseClientHello reads the fields QUIC needs from a handshake body', () => {
  const body = records(clientHello())[0][1];
  const ch = parseClientHello(body, 4, body.length - 4) as ClientHello;
  assert.ok(ch !== null);
  assert.equal(ch.legacyVersion, 0x0303);
  assert.equal(ch.sni, 'www.ntop.org');
  assert.deepEqual(ch.alpn, ['h2', 'h2-16', 'h2-15', 'h2-14', 'spdy/3.1', 'spdy/3', 'http/1.1']);
  assert.equal(ch.ciphers.length, 20);
  assert.deepEqual(ch.pointFormats, [0]);
  assert.equal(ch.quicParams, null);
  assert.equal(ch.ech, false);
  assert.ok(ja3ClientString(ch).startsWith('771,49196-'));
  assert.equal(ja3Client(ch), 'a69708a64f853c3bcc214c2c5faf84f3');
  assert.equal(ja4(ch, 'q').slice(0, 10), 'q12d2010h2');
  for (const b of prefixes(body)) parseClientHello(b, 4, Math.max(0, b.length - 4));
});

test('tls parts: JA4 follows nDPI for SNI and ALPN characters', () => {
  const base: ClientHello = {
    legacyVersion: 0x0303, ciphers: [0x0a0a, 0x1301], extensions: [0x0000, 0x0010, 0x002b], sni: 'example.com', alpn: ['h2'],
    supportedVersions: [0x3a3a, 0x0304, 0x0303], groups: [], pointFormats: [], sigAlgs: [0x0403], ech: false, quicParams: null,
  };
  assert.equal(ja4(base, 't').slice(0, 10), 't13d0103h0'); // a lone "h2" prints "h0" as nDPI does
  assert.equal(ja4({ ...base, alpn: ['http/1.1', 'h2'] }, 't').slice(0, 10), 't13d0103ht');
  assert.equal(ja4({ ...base, alpn: [] }, 't').slice(0, 10), 't13d010300');
  assert.equal(ja4({ ...base, sni: '10.1.2.3' }, 't')[3], 'i');
  assert.equal(ja4({ ...base, sni: '' }, 't')[3], 'd');
  assert.equal(ja4({ ...base, supportedVersions: [] }, 'd').slice(0, 3), 'd12');
});

test('tls parts: ServerHello with supported_versions reports TLS 1.3, a TLS 1.2 one its own version', () => {
  const ech = fixture('ech-handshake.txt')[1].payload as Buffer;
  const sh = records(ech)[0][1];
  const p = parseServerHello(sh, 4, sh.length - 4);
  assert.ok(p !== null);
  assert.equal(p.version, 0x0304);
  assert.equal(p.legacyVersion, 0x0303);
  assert.equal(cipherName(p.cipher), 'TLS_AES_128_GCM_SHA256');
  assert.equal(cipherName(0xfefe), '0xFEFE');
  for (const b of prefixes(sh)) parseServerHello(b, 4, Math.max(0, b.length - 4));
});

test('tls parts: certificate names, SAN entries and validity are read from DER', () => {
  const c = certificate({
    issuer: name(attr(6, 'US'), attr(10, 'Test CA'), attr(3, 'Test Root')),
    subject: name(attr(3, 'host.example'), attr(5, 'serial-not-printed')),
    notBefore: utc('230101000000Z'), notAfter: der(0x18, '20231231235959Z'),
    san: [der(0x82, 'HOST.example'), der(0x87, hex('0a000001')), der(0x87, hex('20010db8000000000000000000000001')), der(0x86, 'http://x'), der(0x82, 'after.uri')],
  });
  const info = parseCertificate(c, 0, c.length);
  assert.ok(info !== null);
  assert.equal(info.subject, 'C=US, O=Test CA, CN=Test Root, CN=host.example'); // not two UTCTimes: nDPI's merged subject
  assert.equal(info.issuer, '');
  assert.deepEqual(info.names, ['host.example', '10.0.0.1', '2001:db8::1']);
  assert.equal(info.notBefore, Date.UTC(2023, 0, 1));
  assert.equal(info.notAfter, Date.UTC(2023, 11, 31, 23, 59, 59));
  for (const b of prefixes(c)) parseCertificate(b, 0, b.length);
});

test('tls parts: self-signed, expired and too-long certificates raise their risks', () => {
  const cn = name(attr(3, 'self'));
  const selfSigned = withCert(certificate({ issuer: cn, subject: cn, notBefore: utc('230101000000Z'), notAfter: utc('231130000000Z') }));
  assert.equal(selfSigned.meta.tls_subject, 'CN=self');
  assert.ok(selfSigned.risks.includes('Self-signed Cert'));
  assert.ok(selfSigned.risks.includes('TLS Cert About To Expire')); // harness clock: 2023-11-14
  const old = withCert(certificate({ issuer: name(attr(3, 'ca')), subject: cn, notBefore: utc('200101000000Z'), notAfter: utc('210101000000Z') }));
  assert.ok(old.risks.includes('TLS Cert Expired'));
  assert.ok(!old.risks.includes('Self-signed Cert'));
  const long = withCert(certificate({ issuer: name(attr(3, 'ca')), subject: cn, notBefore: utc('230101000000Z'), notAfter: utc('250101000000Z') }));
  assert.ok(long.risks.includes('TLS Cert Validity Too Long'));
  assert.ok(!long.risks.includes('TLS Cert Expired'));
  const other = withCert(certificate({ issuer: name(attr(3, 'ca')), subject: cn, notBefore: utc('230101000000Z'), notAfter: utc('240101000000Z'),
    san: [der(0x82, '*.example.net')] }));
  assert.ok(other.risks.includes('TLS Cert Mismatch')); // the client asked for www.ntop.org
  assert.equal(other.meta.tls_server_names, '*.example.net');
});

test('tls parts: fingerprints remembered by their values follow every change of a list', () => {
  const body = records(clientHello())[0][1];
  const ch = parseClientHello(body, 4, body.length - 4) as ClientHello;
  const ja3 = ja3Client(ch);
  const j4 = ja4(ch, 't');
  assert.equal(ja3Client(ch), ja3);
  assert.equal(ja4(ch, 't'), j4);
  // Moving a value from one list to the next keeps the values in order but is another hello.
  const moved: ClientHello = { ...ch, ciphers: ch.ciphers.slice(0, -1), extensions: [ch.ciphers[ch.ciphers.length - 1], ...ch.extensions] };
  assert.notEqual(ja3Client(moved), ja3);
  assert.ok(ja3ClientString(moved).includes(`,${ch.ciphers[ch.ciphers.length - 1]}-`));
  // JA4 sorts: the same lists in another order give the same fingerprint, another transport another one.
  const shuffled: ClientHello = { ...ch, ciphers: [...ch.ciphers].reverse(), extensions: [...ch.extensions].reverse() };
  assert.equal(ja4(shuffled, 't'), j4);
  assert.notEqual(ja3Client(shuffled), ja3);
  assert.equal(ja4(ch, 'q'), 'q' + j4.slice(1));
  // GREASE values are left out of both.
  const greased: ClientHello = { ...ch, ciphers: [0x1a1a, ...ch.ciphers], extensions: [0x2a2a, ...ch.extensions] };
  assert.equal(ja3Client(greased), ja3);
  assert.equal(ja4(greased, 't'), j4);
  const sigAlgs: ClientHello = { ...ch, sigAlgs: [...ch.sigAlgs, 0x0201] };
  assert.notEqual(ja4(sigAlgs, 't').slice(-12), j4.slice(-12));
  assert.equal(ja4(sigAlgs, 't').slice(0, -12), j4.slice(0, -12));
});

test('tls parts: FpMemo finds only the exact key it remembered', () => {
  const m = new FpMemo();
  const key = (a: number[], b: number[]): FpMemo => {
    m.start();
    m.list(a, false);
    m.list(b, false);
    return m;
  };
  assert.equal(key([1, 2], [3]).find(), undefined);
  assert.equal(key([1, 2], [3]).remember('x'), 'x');
  assert.equal(key([1, 2], [3]).find(), 'x');
  assert.equal(key([1], [2, 3]).find(), undefined);
  assert.equal(key([1, 2], [3, 0]).find(), undefined);
  const greaseless = (values: number[]): FpMemo => {
    m.start();
    m.list(values, true);
    return m;
  };
  greaseless([0x0a0a, 1]).remember('g');
  assert.equal(greaseless([0x1a1a, 1, 0x2a2a]).find(), 'g');
  assert.equal(key([0x0a0a, 1], []).find(), undefined);
  const long = Array.from({ length: 5000 }, (_, i) => i);
  key(long, []).remember('long');
  assert.equal(key(long, []).find(), undefined);
});

test('tls parts: a certificate remembered is compared whole, not by its length and signature', () => {
  const make = (cn: string): Buffer => certificate({ issuer: name(attr(3, 'ca')), subject: name(attr(3, cn)),
    notBefore: utc('230101000000Z'), notAfter: utc('240101000000Z'), san: [der(0x82, cn)] });
  const a = make('aaaa.example');
  const b = make('bbbb.example');
  assert.equal(a.length, b.length);
  assert.deepEqual(a.subarray(-16), b.subarray(-16));
  const ra = withCert(a);
  const rb = withCert(b);
  const ra2 = withCert(a);
  assert.equal(ra.meta.tls_subject, 'CN=aaaa.example');
  assert.equal(rb.meta.tls_subject, 'CN=bbbb.example');
  assert.equal(rb.meta.tls_server_names, 'bbbb.example');
  assert.notEqual(ra.meta.tls_cert_sha1, rb.meta.tls_cert_sha1);
  assert.deepEqual(ra2.meta, ra.meta);
  assert.deepEqual(ra2.risks, ra.risks);
});

test('tls parts: the SHA-1 of a certificate is printed as uppercase hex pairs joined by colons', () => {
  const c = certificate({ issuer: name(attr(3, 'ca')), subject: name(attr(3, 'x')), notBefore: utc('230101000000Z'), notAfter: utc('240101000000Z') });
  const info = parseCertificate(c, 0, c.length);
  assert.ok(info !== null);
  assert.equal(info.sha1, createHash('sha1').update(c).digest('hex').toUpperCase().match(/../g)?.join(':'));
  assert.equal(info.serverNames, '');
});

test('tls parts: the server flight is read the same whatever its records and segments', () => {
  const pk = fixture('safari-handshake.txt');
  const server = Buffer.concat(pk.filter((p) => p.dir === 1).map((p) => p.payload as Buffer));
  const hs = Buffer.concat(records(server).filter(([t]) => t === 22).map(([, b]) => b));
  const whole = dissect({ serverPort: 443, dissectors }, [pk[0], { dir: 1, payload: toRecords(22, hs, 16384) }]);
  assert.equal(whole.meta.tls_subject, 'CN=www.ntop.org');
  // Records of 1 to 7 bytes cut every message header; 97, 1000 and 3000 bytes cut the certificate.
  for (const size of [1, 2, 3, 5, 7, 97, 1000, 3000]) {
    const reframed = toRecords(22, hs, size);
    for (const segments of [1, 3, 11]) {
      const seg: TestPacket[] = [pk[0]];
      const step = Math.ceil(reframed.length / segments);
      for (let p = 0; p < reframed.length; p += step) seg.push({ dir: 1, payload: reframed.subarray(p, p + step) });
      const r = dissect({ serverPort: 443, dissectors }, seg);
      assert.deepEqual(r.meta, whole.meta, `records of ${size}, ${segments} segments`);
    }
  }
  // Every cut of one 16 KiB record in two segments.
  const one = toRecords(22, hs, 16384);
  for (let cut = 1; cut < one.length; cut += 37) {
    const r = dissect({ serverPort: 443, dissectors }, [pk[0], { dir: 1, payload: one.subarray(0, cut) }, { dir: 1, payload: one.subarray(cut) }]);
    assert.deepEqual(r.meta, whole.meta, `cut at ${cut}`);
  }
});
