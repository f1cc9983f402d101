/**
 * X.509 certificate (RFC 5280 4.1) read with a minimal bounds-checked DER
 * reader (ITU-T X.690 8.1: tag, definite length, contents): issuer and
 * subject names, validity, subjectAltName (2.5.29.17) names, and the SHA-1
 * of the DER bytes. Names are printed as nDPI prints them: the C, ST, L, O,
 * OU and CN attributes in certificate order as "C=US, O=..., CN=...";
 * values with non-printable bytes are left out, values are cut to 63
 * characters, and names nested in the extensions follow the subject's;
 * when the validity is not two UTCTimes nDPI cannot tell issuer from
 * subject and prints both as the subject, which is mirrored. SAN entries are rfc822Name, dNSName and iPAddress, lowercased,
 * up to the first entry of another type. Times are UTCTime or
 * GeneralizedTime (X.690 11.7/11.8), in ms since the epoch.
 * Servers send the same few certificates over and over: a certificate
 * already read is looked up by its DER bytes instead of being read again
 * (CertMemo; bounded, a full memo is emptied).
 * Ignores: public key, signature, every other extension.
 */
import { hash } from 'node:crypto';
import { Risk } from '../../generated/protocols';
import type { DissectContext } from '../../dissector';

export interface CertInfo {
  subject: string;
  issuer: string;
  /** subjectAltName names, in order. */
  names: string[];
  /** The names joined with ',' (tls_server_names). */
  serverNames: string;
  /** Validity bounds in ms since the epoch (NaN when unreadable). */
  notBefore: number;
  notAfter: number;
  /** SHA-1 of the DER certificate, "AB:CD:..." uppercase. */
  sha1: string;
}

/** One DER element: tag, contents [start, end), or tag -1 when malformed. */
class Tlv {
  tag = -1;
  start = 0;
  end = 0;
}

/** Reads the element at p (bounded by end) into t; returns false when it does not fit. */
function readTlv(buf: Buffer, p: number, end: number, t: Tlv): boolean {
  t.tag = -1;
  if (p + 2 > end) return false;
  const tag = buf[p];
  if ((tag & 0x1f) === 0x1f) return false;
  let len = buf[p + 1];
  let q = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || q + n > end) return false;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[q + i];
    q += n;
  }
  if (q + len > end) return false;
  t.tag = tag;
  t.start = q;
  t.end = q + len;
  return true;
}

/** ASCII labels of the printed attributes, by the last byte of their id-at OID (2.5.4.x). */
const ATTR_LABELS: readonly (Buffer | undefined)[] = (() => {
  const t: (Buffer | undefined)[] = new Array<Buffer | undefined>(256).fill(undefined);
  t[3] = Buffer.from('CN');
  t[6] = Buffer.from('C');
  t[7] = Buffer.from('L');
  t[8] = Buffer.from('ST');
  t[10] = Buffer.from('O');
  t[11] = Buffer.from('OU');
  return t;
})();
const MAX_VALUE = 63;

/** A name printed as "C=US, O=..., CN=...": attributes appended as bytes, one string made at the end. */
class NameText {
  private bytes = Buffer.alloc(1024);
  private n = 0;

  reset(): this {
    this.n = 0;
    return this;
  }

  /** Appends "label=value" (after ", " unless first); the value is buf[start, end), printable ASCII. */
  add(label: Buffer, buf: Buffer, start: number, end: number): void {
    const need = this.n + 2 + label.length + 1 + (end - start);
    if (need > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.n);
      this.bytes = grown;
    }
    const b = this.bytes;
    let n = this.n;
    if (n > 0) {
      b[n++] = 0x2c;
      b[n++] = 0x20;
    }
    for (let i = 0; i < label.length; i++) b[n++] = label[i];
    b[n++] = 0x3d;
    for (let i = start; i < end; i++) b[n++] = buf[i];
    this.n = n;
  }

  text(): string {
    return this.n === 0 ? '' : this.bytes.toString('latin1', 0, this.n);
  }
}

const nameText = new NameText();

function printable(buf: Buffer, p: number, end: number): boolean {
  for (let i = p; i < end; i++) if (buf[i] < 0x20 || buf[i] > 0x7e) return false;
  return true;
}

const attrOid = new Tlv();
const attrValue = new Tlv();

/** Adds "label=value" when buf[start, end) is an AttributeTypeAndValue with a printed attribute type. */
function addAttribute(buf: Buffer, start: number, end: number, out: NameText): boolean {
  const oid = attrOid;
  const val = attrValue;
  if (!readTlv(buf, start, end, oid) || oid.tag !== 0x06 || !readTlv(buf, oid.end, end, val) || val.end !== end) return false;
  // id-at (2.5.4.x): 55 04 xx
  if (oid.end - oid.start !== 3 || buf[oid.start] !== 0x55 || buf[oid.start + 1] !== 0x04) return false;
  const label = ATTR_LABELS[buf[oid.start + 2]];
  if (label === undefined) return true;
  const vEnd = Math.min(val.end, val.start + MAX_VALUE);
  if (printable(buf, val.start, vEnd)) out.add(label, buf, val.start, vEnd);
  return true;
}

/** Deepest nesting collectNames() descends to, and its element scratch per level. */
const MAX_DEPTH = 10;
const levels: readonly Tlv[] = Array.from({ length: MAX_DEPTH + 1 }, () => new Tlv());

/**
 * Collects, in order, the attributes of every name found in buf[p, end):
 * Name structures, and names nested in extensions (directoryName in
 * authorityKeyIdentifier, CRL distribution points...), which nDPI also
 * prints as part of the subject.
 */
function collectNames(buf: Buffer, p: number, end: number, out: NameText, depth: number): void {
  const t = levels[depth];
  while (p < end && readTlv(buf, p, end, t)) {
    p = t.end;
    if (t.tag === 0x30 && addAttribute(buf, t.start, t.end, out)) continue;
    if (depth < MAX_DEPTH && ((t.tag & 0x20) !== 0 || t.tag === 0x04)) collectNames(buf, t.start, t.end, out, depth + 1);
  }
}

function readName(buf: Buffer, p: number, end: number): string {
  const out = nameText.reset();
  collectNames(buf, p, end, out, 0);
  return out.text();
}

function digits(buf: Buffer, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i] - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** UTCTime "YYMMDDHHMM[SS]Z" or GeneralizedTime "YYYYMMDDHHMM[SS]Z" to ms. */
function readTime(buf: Buffer, t: Tlv): number {
  let p = t.start;
  const n = t.end - t.start;
  let year: number;
  if (t.tag === 0x17 && n >= 11) {
    year = digits(buf, p, 2);
    year += year < 50 ? 2000 : 1900;
    p += 2;
  } else if (t.tag === 0x18 && n >= 13) {
    year = digits(buf, p, 4);
    p += 4;
  } else {
    return NaN;
  }
  const mon = digits(buf, p, 2);
  const day = digits(buf, p + 2, 2);
  const hh = digits(buf, p + 4, 2);
  const mm = digits(buf, p + 6, 2);
  const ss = t.end - (p + 8) >= 2 && buf[p + 8] !== 0x5a ? digits(buf, p + 8, 2) : 0;
  if (mon < 1 || mon > 12 || day < 1 || day > 31) return NaN;
  return Date.UTC(year, mon - 1, day, hh, mm, ss);
}

function ipv6Text(buf: Buffer, p: number): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((buf[p + i] << 8) | buf[p + i + 1]);
  // Longest run of zero words (length >= 2) becomes "::".
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(w);
  return hex(w.slice(0, best)) + '::' + hex(w.slice(best + bestLen));
}

/** GeneralNames inside the subjectAltName extension value. */
function readSan(buf: Buffer, p: number, end: number, out: string[]): void {
  const seq = new Tlv();
  const gn = new Tlv();
  if (!readTlv(buf, p, end, seq) || seq.tag !== 0x30) return;
  let q = seq.start;
  while (q < seq.end && out.length < 256 && readTlv(buf, q, seq.end, gn)) {
    q = gn.end;
    const n = gn.end - gn.start;
    if (n === 0) return;
    if (gn.tag === 0x81 || gn.tag === 0x82) {
      out.push(buf.toString('latin1', gn.start, gn.end).toLowerCase());
    } else if (gn.tag === 0x87) {
      if (n === 4) out.push(`${buf[gn.start]}.${buf[gn.start + 1]}.${buf[gn.start + 2]}.${buf[gn.start + 3]}`);
      else if (n === 16) out.push(ipv6Text(buf, gn.start));
    } else {
      return;
    }
  }
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtensions(buf: Buffer, p: number, end: number, names: string[]): void {
  const seq = new Tlv();
  const ext = new Tlv();
  const oid = new Tlv();
  const el = new Tlv();
  if (!readTlv(buf, p, end, seq) || seq.tag !== 0x30) return;
  let q = seq.start;
  while (q < seq.end && readTlv(buf, q, seq.end, ext)) {
    q = ext.end;
    if (ext.tag !== 0x30 || !readTlv(buf, ext.start, ext.end, oid) || oid.tag !== 0x06) continue;
    if (oid.end - oid.start !== 3 || buf[oid.start] !== 0x55 || buf[oid.start + 1] !== 0x1d || buf[oid.start + 2] !== 0x11) continue;
    let r = oid.end;
    if (!readTlv(buf, r, ext.end, el)) return;
    if (el.tag === 0x01) {
      r = el.end;
      if (!readTlv(buf, r, ext.end, el)) return;
    }
    if (el.tag === 0x04) readSan(buf, el.start, el.end, names);
    return;
  }
}

const HEX_UPPER = Buffer.from('0123456789ABCDEF');
const fingerprintBytes = Buffer.alloc(59);

/** SHA-1 of buf[start, end) as nDPI prints it: uppercase hex bytes joined by ':'. */
function sha1Fingerprint(buf: Buffer, start: number, end: number): string {
  const h = hash('sha1', buf.subarray(start, end), 'buffer');
  const out = fingerprintBytes;
  for (let i = 0; i < 20; i++) {
    const o = i * 3;
    out[o] = HEX_UPPER[h[i] >> 4];
    out[o + 1] = HEX_UPPER[h[i] & 15];
    if (i < 19) out[o + 2] = 0x3a;
  }
  return out.toString('latin1');
}

const certTlv = new Tlv();
const tbsTlv = new Tlv();
const tbsElement = new Tlv();
const timeTlv = new Tlv();

/** Reads the element at p (bounded by end) into tbsElement; returns its tag, -1 when there is none. */
function elementAt(buf: Buffer, p: number, end: number): number {
  return readTlv(buf, p, end, tbsElement) ? tbsElement.tag : -1;
}

/** Parses the DER certificate buf[off, off + len); null when its outer structure is not a certificate. */
export function parseCertificate(buf: Buffer, off: number, len: number): CertInfo | null {
  const end = off + len;
  const cert = certTlv;
  const tbs = tbsTlv;
  const e = tbsElement;
  if (!readTlv(buf, off, end, cert) || cert.tag !== 0x30) return null;
  if (!readTlv(buf, cert.start, cert.end, tbs) || tbs.tag !== 0x30) return null;
  const tbsEnd = tbs.end;
  let tag = elementAt(buf, tbs.start, tbsEnd);
  if (tag === 0xa0) tag = elementAt(buf, e.end, tbsEnd); // version, then serialNumber
  if (tag !== 0x02 || elementAt(buf, e.end, tbsEnd) !== 0x30) return null; // signature AlgorithmIdentifier
  if (elementAt(buf, e.end, tbsEnd) !== 0x30) return null;
  let issuer = readName(buf, e.start, e.end);
  if (elementAt(buf, e.end, tbsEnd) !== 0x30) return null;
  // nDPI finds the end of the issuer by the bytes of a validity made of two UTCTimes
  // (30 1e 17 0d); without them it prints issuer and subject together as the subject.
  const utcValidity = e.end - e.start === 30 && buf[e.start] === 0x17 && buf[e.start + 1] === 13;
  let notBefore = NaN;
  let notAfter = NaN;
  if (readTlv(buf, e.start, e.end, timeTlv)) {
    notBefore = readTime(buf, timeTlv);
    if (readTlv(buf, timeTlv.end, e.end, timeTlv)) notAfter = readTime(buf, timeTlv);
  }
  if (elementAt(buf, e.end, tbsEnd) !== 0x30) return null;
  const subjectText = nameText.reset();
  collectNames(buf, e.start, e.end, subjectText, 0);
  const names: string[] = [];
  // subjectPublicKeyInfo, [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions.
  while (elementAt(buf, e.end, tbsEnd) >= 0) {
    if (e.tag === 0xa3) {
      readExtensions(buf, e.start, e.end, names);
      collectNames(buf, e.start, e.end, subjectText, 0);
      break;
    }
  }
  let subject = subjectText.text();
  if (!utcValidity) {
    subject = issuer !== '' && subject !== '' ? issuer + ', ' + subject : issuer + subject;
    issuer = '';
  }
  return { subject, issuer, names, serverNames: names.join(','), notBefore, notAfter, sha1: sha1Fingerprint(buf, off, cert.end) };
}

/** Most certificates remembered. */
const MAX_REMEMBERED = 1024;

interface Remembered {
  readonly der: Buffer;
  readonly info: CertInfo;
}

/**
 * Certificates already read, by their DER bytes. The index is a hash of
 * the length and the last bytes (the signature, as good as random); an
 * entry holds a copy of the whole DER to compare.
 */
class CertMemo {
  private readonly entries = new Map<number, Remembered>();

  private static index(buf: Buffer, off: number, len: number): number {
    let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
    for (let i = Math.max(off, off + len - 16); i < off + len; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    return h;
  }

  find(buf: Buffer, off: number, len: number): CertInfo | undefined {
    const e = this.entries.get(CertMemo.index(buf, off, len));
    if (e === undefined || e.der.length !== len || buf.compare(e.der, 0, len, off, off + len) !== 0) return undefined;
    return e.info;
  }

  remember(buf: Buffer, off: number, len: number, info: CertInfo): void {
    if (this.entries.size >= MAX_REMEMBERED) this.entries.clear();
    this.entries.set(CertMemo.index(buf, off, len), { der: Buffer.from(buf.subarray(off, off + len)), info });
  }
}

const memo = new CertMemo();

/** The certificate buf[off, off + len) read (or remembered); null when it is not a certificate. */
function certificateInfo(buf: Buffer, off: number, len: number): CertInfo | null {
  const known = memo.find(buf, off, len);
  if (known !== undefined) return known;
  const info = parseCertificate(buf, off, len);
  if (info !== null) memo.remember(buf, off, len, info);
  return info;
}

const DAY_MS = 86400_000;
/** From 2020-09-01 public certificates may not last more than 398 days (CA/Browser Forum). */
const LIMIT_DATE_MS = Date.UTC(2020, 8, 1);
const MAX_VALIDITY_MS = 398 * DAY_MS;
const ABOUT_TO_EXPIRE_MS = 30 * DAY_MS;

/** True when host matches one of the certificate names ("*.example.com" covers any name containing ".example.com", as nDPI checks). */
function nameMatches(host: string, names: readonly string[]): boolean {
  for (const n of names) {
    if (n === host) return true;
    if (n.startsWith('*') && host.includes(n.slice(1))) return true;
  }
  return false;
}

/**
 * Sets the certificate metadata and risks. sni is the name the client asked
 * for ('' when unknown); webrtc flows (DTLS-SRTP) use self-signed
 * certificates by design and are not flagged for it.
 */
export function applyCertificate(ctx: DissectContext, c: CertInfo, sni: string, webrtc: boolean): void {
  if (c.subject !== '') ctx.set('tls_subject', c.subject);
  if (c.issuer !== '') ctx.set('tls_issuer', c.issuer);
  if (c.names.length > 0) ctx.set('tls_server_names', c.serverNames);
  if (!Number.isNaN(c.notBefore)) ctx.set('tls_not_before', c.notBefore);
  if (!Number.isNaN(c.notAfter)) ctx.set('tls_not_after', c.notAfter);
  ctx.set('tls_cert_sha1', c.sha1);
  if (c.subject !== '' && c.subject === c.issuer && !webrtc) ctx.risk(Risk.Self_signed_Cert, c.subject);
  if (!Number.isNaN(c.notBefore) && !Number.isNaN(c.notAfter)) {
    const now = ctx.tsMs;
    if (c.notBefore > LIMIT_DATE_MS && c.notAfter - c.notBefore > MAX_VALIDITY_MS) {
      ctx.risk(Risk.TLS_Cert_Validity_Too_Long, `TLS Cert lasts ${Math.floor((c.notAfter - c.notBefore) / DAY_MS)} days`);
    }
    if (now < c.notBefore || now > c.notAfter) ctx.risk(Risk.TLS_Cert_Expired);
    else if (now > c.notAfter - ABOUT_TO_EXPIRE_MS) ctx.risk(Risk.TLS_Cert_About_To_Expire);
  }
  if (sni !== '' && c.names.length > 0 && !nameMatches(sni, c.names)) ctx.risk(Risk.TLS_Cert_Mismatch, `${sni} vs ${c.serverNames}`);
}

/**
 * Reads the first certificate of a Certificate handshake message body
 * (RFC 5246 7.4.2: uint24 list length, then uint24 length + DER per
 * certificate; buf[off, off + avail) follows the 4-byte handshake header,
 * and may hold only the start of the message) and sets its metadata and
 * risks. Returns false while the first certificate is not complete, true
 * once it was handled (or the list is empty or unreadable).
 */
export function applyCertificateMessage(ctx: DissectContext, buf: Buffer, off: number, avail: number, sni = '', webrtc = false): boolean {
  if (avail < 3) return false;
  if (((buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]) === 0) return true;
  if (avail < 6) return false;
  const n = (buf[off + 3] << 16) | (buf[off + 4] << 8) | buf[off + 5];
  if (avail < 6 + n) return false;
  const c = certificateInfo(buf, off + 6, n);
  if (c !== null) applyCertificate(ctx, c, sni, webrtc);
  return true;
}
