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
import { createHash } from 'node:crypto';
import type { ClientHello } from './client-hello';
import { isGrease } from './versions';

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

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function sha12(s: string): string {
  return createHash('sha256').update(s, 'latin1').digest('hex').slice(0, 12);
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
  const ciphers = ch.ciphers.filter((v) => !isGrease(v));
  const exts = ch.extensions.filter((v) => !isGrease(v));
  const sni = ch.sni !== '' && isNumericHost(ch.sni) ? 'i' : 'd';
  const a = transport + versionCode(version) + sni + two(ciphers.length) + two(exts.length) + alpnChars(ch.alpn);
  const b = sha12(ciphers.map(hex4).sort().join(','));
  let s = exts.filter((v) => v !== 0x0000 && v !== 0x0010).map(hex4).sort().join(',');
  if (ch.sigAlgs.length > 0) s += '_' + ch.sigAlgs.map(hex4).join(',');
  return `${a}_${b}_${sha12(s)}`;
}
