/**
 * JA3 and JA3S TLS fingerprints (Salesforce, "TLS Fingerprinting with JA3
 * and JA3S"): MD5 of decimal field lists.
 *   JA3  = "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
 *   JA3S = "SSLVersion,Cipher,Extensions"
 * Values inside a field are joined with '-'; GREASE values (RFC 8701) are
 * left out of the client lists. SSLVersion is the hello's legacy_version.
 */
import { createHash } from 'node:crypto';
import type { ClientHello } from './client-hello';
import { isGrease } from './versions';

function join(list: readonly number[], skipGrease: boolean): string {
  let s = '';
  for (const v of list) {
    if (skipGrease && isGrease(v)) continue;
    s += s === '' ? String(v) : '-' + v;
  }
  return s;
}

export function md5(s: string): string {
  return createHash('md5').update(s, 'latin1').digest('hex');
}

/** The JA3 string before hashing (for tests and debugging). */
export function ja3ClientString(ch: ClientHello): string {
  return `${ch.legacyVersion},${join(ch.ciphers, true)},${join(ch.extensions, true)},${join(ch.groups, true)},${join(ch.pointFormats, false)}`;
}

/** JA3 client fingerprint (lowercase MD5 hex). */
export function ja3Client(ch: ClientHello): string {
  return md5(ja3ClientString(ch));
}

/** JA3S server fingerprint (lowercase MD5 hex) from the ServerHello's legacy version, cipher and extension types in order. */
export function ja3Server(version: number, cipher: number, extensions: readonly number[]): string {
  return md5(`${version},${cipher},${join(extensions, false)}`);
}
