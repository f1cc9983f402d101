/**
 * JA3 and JA3S TLS fingerprints (Salesforce, "TLS Fingerprinting with JA3
 * and JA3S"): MD5 of decimal field lists.
 *   JA3  = "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats"
 *   JA3S = "SSLVersion,Cipher,Extensions"
 * Values inside a field are joined with '-'; GREASE values (RFC 8701) are
 * left out of the client lists. SSLVersion is the hello's legacy_version.
 * Fingerprints already made are looked up by the values they come from
 * (fp-memo.ts).
 */
import type { ClientHello } from './client-hello';
import { isGrease } from './versions';
import { FpBytes, fp } from './fp-bytes';
import { FpMemo } from './fp-memo';

const clientMemo = new FpMemo();
const serverMemo = new FpMemo();

function list(b: FpBytes, values: readonly number[], skipGrease: boolean): void {
  let first = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (skipGrease && isGrease(v)) continue;
    if (!first) b.byte(0x2d);
    b.dec(v);
    first = false;
  }
}

function clientString(ch: ClientHello): FpBytes {
  const b = fp.reset();
  b.dec(ch.legacyVersion);
  b.byte(0x2c);
  list(b, ch.ciphers, true);
  b.byte(0x2c);
  list(b, ch.extensions, true);
  b.byte(0x2c);
  list(b, ch.groups, true);
  b.byte(0x2c);
  list(b, ch.pointFormats, false);
  return b;
}

/** The JA3 string before hashing (for tests and debugging). */
export function ja3ClientString(ch: ClientHello): string {
  return clientString(ch).text();
}

/** JA3 client fingerprint (lowercase MD5 hex). */
export function ja3Client(ch: ClientHello): string {
  const m = clientMemo.start();
  m.add(ch.legacyVersion);
  m.list(ch.ciphers, true);
  m.list(ch.extensions, true);
  m.list(ch.groups, true);
  m.list(ch.pointFormats, false);
  return m.find() ?? m.remember(clientString(ch).md5Hex());
}

/** JA3S server fingerprint (lowercase MD5 hex) from the ServerHello's legacy version, cipher and extension types in order. */
export function ja3Server(version: number, cipher: number, extensions: readonly number[]): string {
  const m = serverMemo.start();
  m.add(version);
  m.add(cipher);
  m.list(extensions, false);
  return m.find() ?? m.remember(serverString(version, cipher, extensions).md5Hex());
}

function serverString(version: number, cipher: number, extensions: readonly number[]): FpBytes {
  const b = fp.reset();
  b.dec(version);
  b.byte(0x2c);
  b.dec(cipher);
  b.byte(0x2c);
  list(b, extensions, false);
  return b;
}
