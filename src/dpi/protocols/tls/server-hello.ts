/**
 * TLS/DTLS ServerHello body (RFC 8446 4.1.3, RFC 5246 7.4.1.3, RFC 6347
 * 4.2.1) and the server-side metadata taken from it: negotiated version
 * (supported_versions extension when present, RFC 8446 4.2.1), chosen
 * cipher suite, chosen ALPN protocol (RFC 7301), JA3S. TLS 1.3 draft
 * ServerHellos (version 0x7fXX) carry no session id and no compression byte.
 * Ignores: key share, PSK and every other extension's contents.
 */
import { Risk } from '../../generated/protocols';
import type { DissectContext } from '../../dissector';
import { isObsolete, knownVersionName, versionName } from './versions';
import { cipherGrade, cipherName, CipherGrade } from './ciphers';
import { ja3Server } from './ja3';
import { isCommonAlpn } from './client-hello';

export interface ServerHello {
  legacyVersion: number;
  /** The version in use: supported_versions when present, else legacyVersion. */
  version: number;
  /** version came from the supported_versions extension. */
  versionExt: boolean;
  cipher: number;
  extensions: number[];
  /** ALPN protocol the server chose ('' when none). */
  alpn: string;
}

/** Parses a ServerHello body (after the handshake header); null when malformed. */
export function parseServerHello(buf: Buffer, off: number, len: number, dtls = false): ServerHello | null {
  const end = off + len;
  let p = off;
  if (p + 38 > end) return null;
  const legacyVersion = (buf[p] << 8) | buf[p + 1];
  const major = legacyVersion >> 8;
  if (dtls ? major !== 0xfe && legacyVersion !== 0x0100 : major !== 3 && major !== 0x7f) return null;
  const draft = major === 0x7f;
  p += 34;
  if (!draft) {
    const sidLen = buf[p++];
    if (sidLen > 32 || p + sidLen + 3 > end) return null;
    p += sidLen;
  }
  if (p + 2 > end) return null;
  const cipher = (buf[p] << 8) | buf[p + 1];
  p += 2;
  if (!draft) {
    if (p >= end || buf[p] > 1) return null;
    p++;
  }
  const sh: ServerHello = { legacyVersion, version: legacyVersion, versionExt: false, cipher, extensions: [], alpn: '' };
  if (p + 2 > end) return sh;
  const extEnd = Math.min(end, p + 2 + ((buf[p] << 8) | buf[p + 1]));
  p += 2;
  while (p + 4 <= extEnd && sh.extensions.length < 64) {
    const type = (buf[p] << 8) | buf[p + 1];
    const n = (buf[p + 2] << 8) | buf[p + 3];
    p += 4;
    if (p + n > extEnd) break;
    sh.extensions.push(type);
    if (type === 0x002b && n >= 2) {
      sh.version = (buf[p] << 8) | buf[p + 1];
      sh.versionExt = true;
    } else if (type === 0x0010 && n >= 3) {
      const l = buf[p + 2];
      if (p + 3 + l <= p + n) sh.alpn = buf.toString('latin1', p + 3, p + 3 + l);
    }
    p += n;
  }
  return sh;
}

/**
 * Sets the server-side metadata and risks of a ServerHello. clientSeen
 * tells whether the ClientHello was seen: as nDPI does, the version reported
 * stays the client's legacy_version unless the server sent
 * supported_versions (TLS 1.3), and the ALPN is checked on the client's list.
 */
export function applyServerHello(ctx: DissectContext, sh: ServerHello, clientSeen: boolean): void {
  if (sh.versionExt || !clientSeen) {
    const name = knownVersionName(sh.version);
    if (name !== '') ctx.set('tls_version', name, true);
    if (!clientSeen && isObsolete(sh.version)) ctx.risk(Risk.Obsolete_TLS_v1_1_or_older, versionName(sh.version));
  }
  ctx.set('tls_cipher', cipherName(sh.cipher));
  if (sh.alpn !== '') {
    ctx.set('alpn_negotiated', sh.alpn);
    if (!clientSeen && !isCommonAlpn(sh.alpn)) ctx.risk(Risk.Uncommon_TLS_ALPN, sh.alpn);
  }
  const grade = cipherGrade(sh.cipher);
  const ja3s = ja3Server(sh.legacyVersion, sh.cipher, sh.extensions);
  ctx.set('ja3s', grade === CipherGrade.Weak ? ja3s + ' (WEAK)' : grade === CipherGrade.Insecure ? ja3s + ' (INSECURE)' : ja3s);
  if (grade !== CipherGrade.Safe) ctx.risk(Risk.Weak_TLS_Cipher, 'Cipher ' + cipherName(sh.cipher));
}
