/**
 * TLS/DTLS protocol version numbers (RFC 8446 4.2.1, RFC 9147 5.3) as names,
 * spelled as nDPI prints them ("TLSv1.2", "DTLSv1.2", "GREASE" for RFC 8701
 * reserved values, "TLSv1.3 (draft)" for the 0x7fXX draft numbers).
 */

/** RFC 8701 GREASE value: 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** Version name as nDPI prints it; '' for an unknown number (nDPI then prints no version). */
export function knownVersionName(v: number): string {
  const n = versionName(v);
  return n.startsWith('TLS (') ? '' : n;
}

/** Version name as nDPI prints it ("TLS (XXXX)" when unknown). */
export function versionName(v: number): string {
  switch (v) {
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLSv1';
    case 0x0302: return 'TLSv1.1';
    case 0x0303: return 'TLSv1.2';
    case 0x0304: return 'TLSv1.3';
    case 0xfb1a: return 'TLSv1.3 (Fizz)';
    case 0xfeff: return 'DTLSv1.0';
    case 0xfefd: return 'DTLSv1.2';
    case 0xfefc: return 'DTLSv1.3';
  }
  if (isGrease(v)) return 'GREASE';
  if (v >= 0x7f00 && v <= 0x7fff) return 'TLSv1.3 (draft)';
  return 'TLS (' + v.toString(16).toUpperCase().padStart(4, '0') + ')';
}

/**
 * True for versions older than TLS 1.2 as nDPI tests them (numerically below
 * 0x0303: SSL 2/3, TLS 1.0/1.1, OpenSSL's pre-standard DTLS 0x0100; DTLS
 * 1.0 = 0xfeff is not flagged).
 */
export function isObsolete(v: number): boolean {
  return v < 0x0303;
}
