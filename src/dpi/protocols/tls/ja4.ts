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
 */
import type { ClientHello } from './client-hello';
import { isGrease } from './versions';
import { FpBytes, fp } from './fp-bytes';

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

/** Scratch for the sorted lists (a hello carries at most 256 of each, see client-hello.ts). */
const scratch = new Uint16Array(512);

/**
 * Writes the values of list, without GREASE and without the two skipped
 * ones, sorted (fixed-width lowercase hex sorts as the numbers do), as
 * "hhhh,hhhh,...".
 */
function sortedHexList(b: FpBytes, list: readonly number[], skipA = -1, skipB = -1): void {
  let n = 0;
  for (let i = 0; i < list.length && n < scratch.length; i++) {
    const v = list[i];
    if (isGrease(v) || v === skipA || v === skipB) continue;
    scratch[n++] = v;
  }
  const sorted = scratch.subarray(0, n).sort();
  for (let i = 0; i < n; i++) {
    if (i > 0) b.byte(0x2c);
    b.hex4(sorted[i]);
  }
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

/** The two ALPN characters, as nDPI prints them. */
function alpnChars(alpn: readonly string[]): string {
  const s = alpn.join(',');
  const a = s.length > 1 ? s[0] : '0';
  const b = s.length > 2 ? s[1] : '0';
  return a + b;
}

export function ja4(ch: ClientHello, transport: 't' | 'q' | 'd'): string {
  let version = ch.legacyVersion;
  for (const v of ch.supportedVersions) if (!isGrease(v) && v > version) version = v;
  const sni = ch.sni !== '' && isNumericHost(ch.sni) ? 'i' : 'd';
  const a = transport + versionCode(version) + sni + two(countNonGrease(ch.ciphers)) + two(countNonGrease(ch.extensions)) + alpnChars(ch.alpn);
  const bytes = fp.reset();
  sortedHexList(bytes, ch.ciphers);
  const b = bytes.digest('sha256').slice(0, 12);
  bytes.reset();
  sortedHexList(bytes, ch.extensions, 0x0000, 0x0010);
  if (ch.sigAlgs.length > 0) {
    bytes.byte(0x5f);
    for (let i = 0; i < ch.sigAlgs.length; i++) {
      if (i > 0) bytes.byte(0x2c);
      bytes.hex4(ch.sigAlgs[i]);
    }
  }
  return `${a}_${b}_${bytes.digest('sha256').slice(0, 12)}`;
}
