/**
 * JA4 TLS client fingerprint (FoxIO, technical_details/JA4.md):
 *   [t|q|d][version][d|i][ciphers 2 digits][extensions 2 digits][ALPN 2 chars]
 *   _ sha256(sorted cipher hex list)[0:12]
 *   _ sha256(sorted extension hex list without SNI and ALPN "_" signature algorithms in order)[0:12]
 * GREASE values are ignored in the counts and lists. The version is the
 * highest of legacy_version and the supported_versions entries.
 * Three points follow nDPI (whose output this must match) rather than the
 * FoxIO text: the SNI character is 'i' only when the SNI is an IP address
 * ('d' otherwise, even without SNI); the ALPN characters are the first
 * two characters of the ALPN list joined with ',' and cut by its last
 * character, '0' standing for a missing one ("h2,http/1.1" -> "h2",
 * "http/1.1" -> "ht", a lone "h2" -> "h0", no ALPN -> "00"); and empty
 * lists are hashed like any other (sha256 of "", "e3b0c44298fc") instead of
 * being printed as "000000000000".
 * Fingerprints already made are looked up by the values they come from
 * (fp-memo.ts).
 */
import type { ClientHello } from './client-hello';
import { isGrease } from './versions';
import { fp } from './fp-bytes';
import { FpMemo } from './fp-memo';

function versionCode(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0x0100: return 's3'; // OpenSSL's pre-standard DTLS (DTLS1_BAD_VER), as nDPI prints it
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

/** The sorted lists: the first 512 values of each (a hello carries at most 256 extensions, see client-hello.ts). */
const ciphers = new Uint16Array(512);
const extensions = new Uint16Array(512);
const memo = new FpMemo();

/**
 * Copies the values of list into out, without GREASE and without the two
 * skipped ones, sorted (insertion sort: the lists are short); returns how
 * many.
 */
function sortedInto(out: Uint16Array, list: readonly number[], skipA = -1, skipB = -1): number {
  let n = 0;
  for (let i = 0; i < list.length && n < out.length; i++) {
    const v = list[i];
    if (isGrease(v) || v === skipA || v === skipB) continue;
    let j = n++;
    while (j > 0 && out[j - 1] > v) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = v;
  }
  return n;
}

function countNonGrease(list: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (!isGrease(list[i])) n++;
  return n;
}

function two(n: number): string {
  return n > 99 ? '99' : n < 10 ? '0' + n : String(n);
}

/** True when a host name is a dotted IPv4 address or an IPv6 literal. */
export function isNumericHost(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-f:.]+$/.test(h));
}

/** Character i of the ALPN list joined with ','. */
function alpnCharAt(alpn: readonly string[], i: number): number {
  for (let k = 0; k < alpn.length; k++) {
    const a = alpn[k];
    if (i < a.length) return a.charCodeAt(i);
    i -= a.length;
    if (i === 0 && k + 1 < alpn.length) return 0x2c;
    i--;
  }
  return 0x30;
}

/** Length of the ALPN list joined with ','. */
function alpnJoinedLength(alpn: readonly string[]): number {
  let n = alpn.length > 0 ? alpn.length - 1 : 0;
  for (let k = 0; k < alpn.length; k++) n += alpn[k].length;
  return n;
}

/** JA4 of a ClientHello sent over transport t (TCP), q (QUIC) or d (DTLS). */
export function ja4(ch: ClientHello, transport: 't' | 'q' | 'd'): string {
  let version = ch.legacyVersion;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > version) version = v;
  const numericSni = ch.sni !== '' && isNumericHost(ch.sni);
  const nExtensions = countNonGrease(ch.extensions);
  // The ALPN characters, as nDPI prints them: of the list joined with ',', cut by its last character.
  const joined = alpnJoinedLength(ch.alpn);
  const alpn1 = joined > 1 ? alpnCharAt(ch.alpn, 0) : 0x30;
  const alpn2 = joined > 2 ? alpnCharAt(ch.alpn, 1) : 0x30;
  // Ciphers are keyed in the order sent (clients do not shuffle them, and the list
  // holds their count), extensions sorted (some clients shuffle them).
  const e = sortedInto(extensions, ch.extensions, 0x0000, 0x0010);
  const m = memo.start();
  m.add(transport.charCodeAt(0));
  m.add(version);
  m.add(numericSni ? 1 : 0);
  m.add(nExtensions);
  m.add(alpn1);
  m.add(alpn2);
  m.list(ch.ciphers, true);
  for (let i = 0; i < e; i++) m.add(extensions[i]);
  m.add(e);
  m.list(ch.sigAlgs, false);
  const known = m.find();
  if (known !== undefined) return known;
  const c = sortedInto(ciphers, ch.ciphers);
  const a = transport + versionCode(version) + (numericSni ? 'i' : 'd') + two(countNonGrease(ch.ciphers)) + two(nExtensions) +
    String.fromCharCode(alpn1, alpn2);
  const bytes = fp.reset();
  for (let i = 0; i < c; i++) {
    if (i > 0) bytes.byte(0x2c);
    bytes.hex4(ciphers[i]);
  }
  const b = bytes.sha256Hex12();
  bytes.reset();
  for (let i = 0; i < e; i++) {
    if (i > 0) bytes.byte(0x2c);
    bytes.hex4(extensions[i]);
  }
  if (ch.sigAlgs.length > 0) {
    bytes.byte(0x5f);
    for (let i = 0; i < ch.sigAlgs.length; i++) {
      if (i > 0) bytes.byte(0x2c);
      bytes.hex4(ch.sigAlgs[i]);
    }
  }
  return m.remember(`${a}_${b}_${bytes.sha256Hex12()}`);
}
