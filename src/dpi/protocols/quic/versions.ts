/**
 * QUIC version numbers and what each implies for a passive observer:
 *  - IETF QUIC v1 (RFC 9000), v2 (RFC 9369), the IETF drafts
 *    (0xff0000NN, draft-ietf-quic-transport-NN) and Facebook's mvfst
 *    versions (0xfaceb0NN, built on drafts 22 and 27): long header per
 *    RFC 8999, Initial packets protected with keys from a per-version salt
 *    (RFC 9001 5.2, RFC 9369 3.3.1, the drafts' "Initial Secrets" sections),
 *    TLS 1.3 handshake in CRYPTO frames;
 *  - versions 0x?a?a?a?a, reserved to force version negotiation
 *    (RFC 9000 15): no decodable payload;
 *  - Google QUIC: T050/T051 (IETF long header and Initial protection with
 *    Google's salts, Google frame encoding, TLS in CRYPTO frames), Q050
 *    (same packet protection, QUIC Crypto CHLO in CRYPTO frames), Q046
 *    (IETF-like long header, no protection, CHLO on stream 1) and Q024..Q043
 *    (gQUIC public header, no protection, CHLO on stream 1); see Chromium's
 *    quic_versions.cc and "QUIC Wire Layout Specification".
 * Version names are spelled as nDPI prints them in quic_version.
 */
import { isDigit } from '../../bytes';

export const V1 = 0x00000001;
export const V2 = 0x6b3343cf;
export const Q046 = 0x51303436;
export const Q050 = 0x51303530;
export const T050 = 0x54303530;
export const T051 = 0x54303531;
export const MVFST_22 = 0xfaceb001;
export const MVFST_27 = 0xfaceb002;
export const MVFST_EXP = 0xfaceb00e;

/** How the packets of a version are laid out and protected. */
export const enum Family {
  None = 0,
  /** v1, v2, IETF drafts, mvfst: protected Initial, IETF frames, TLS. */
  Ietf = 1,
  /** 0x?a?a?a?a: an Initial that only asks for version negotiation. */
  ForceVn = 2,
  /** T05x: protected Initial, Google frames, TLS in CRYPTO frames. */
  GoogleTls = 3,
  /** Q05x: protected Initial, Google frames, CHLO in CRYPTO frames. */
  GoogleCrypto = 4,
  /** Q046: IETF-like long header in clear, CHLO on stream 1. */
  Google46 = 5,
  /** Q024..Q043: gQUIC public header, CHLO on stream 1. */
  GoogleOld = 6,
}

/** The last IETF draft number (draft-34 became RFC 9000). */
const LAST_DRAFT = 34;

/** The family of a version read from a long header (0 for unknown versions). */
export function family(v: number): Family {
  if (v === V1 || v === V2) return Family.Ietf;
  const hi = v >>> 8;
  if (hi === 0xff0000) {
    const n = v & 0xff;
    return n >= 1 && n <= LAST_DRAFT ? Family.Ietf : Family.None;
  }
  if (hi === 0xfaceb0) return Family.Ietf;
  if ((v & 0x0f0f0f0f) === 0x0a0a0a0a) return Family.ForceVn;
  const c0 = v >>> 24;
  if ((c0 === 0x51 || c0 === 0x54) && ((v >>> 16) & 0xff) === 0x30 && isDigit((v >>> 8) & 0xff) && isDigit(v & 0xff)) {
    const n = (((v >>> 8) & 0xff) - 0x30) * 10 + (v & 0xff) - 0x30;
    if (c0 === 0x54) return n >= 50 && n <= 59 ? Family.GoogleTls : Family.None;
    if (n >= 50 && n <= 59) return Family.GoogleCrypto;
    if (n === 46) return Family.Google46;
    if (n >= 20 && n <= 43) return Family.GoogleOld;
  }
  return Family.None;
}

/** The draft number a version's Initial protection follows (34 for v1, 100 for v2, 0 when none). */
function draftOf(v: number): number {
  if (v === V1) return 34;
  if (v === V2) return 100;
  if (v >>> 8 === 0xff0000) return v & 0xff;
  if (v === MVFST_22) return 22;
  if (v === MVFST_27 || v === MVFST_EXP) return 27;
  return 0;
}

const hexBuf = (s: string): Buffer => Buffer.from(s, 'hex');

/** Initial salts: RFC 9001 5.2, RFC 9369 3.3.1, and the drafts' values. */
const SALT_V1 = hexBuf('38762cf7f55934b34d179ae6a4c80cadccbb7f0a');
const SALT_V2 = hexBuf('0dede3def700a6db819381be6e269dcbf9bd2ed9');
/** draft-ietf-quic-tls-29 .. -32. */
const SALT_D29 = hexBuf('afbfec289993d24c9e9786f19c6111e04390a899');
/** draft-ietf-quic-tls-23 .. -28. */
const SALT_D23 = hexBuf('c3eef712c72ebb5a11a7d2432bb46365bef9f502');
/** draft-ietf-quic-tls-21 .. -22. */
const SALT_D21 = hexBuf('7fbcdb0e7c66bbe9193a96cd21519ebd7a02644a');
/** Chromium's initial salts for Q050, T050 and T051. */
const SALT_Q050 = hexBuf('504574efd066fe2f9d945cfcdbd3a7f0d3b56b45');
const SALT_T050 = hexBuf('7ff579e5acd072915580304c43a2367c60488310');
const SALT_T051 = hexBuf('7a4edef4e7ccee5fa4506c19124fc8ccda6e033d');

/**
 * The Initial salt of a version whose Initial packets can be opened, or null.
 * Drafts before 22 used another long header layout and are not decoded.
 */
export function initialSalt(v: number): Buffer | null {
  if (v === V2) return SALT_V2;
  if (v === Q050) return SALT_Q050;
  if (v === T050) return SALT_T050;
  if (v === T051) return SALT_T051;
  const d = draftOf(v);
  if (d >= 33) return SALT_V1;
  if (d >= 29) return SALT_D29;
  if (d >= 23) return SALT_D23;
  if (d === 22) return SALT_D21;
  return null;
}

/** QUIC v2 uses its own HKDF labels ("quicv2 key" ...) and packet type codes. */
export function isV2(v: number): boolean {
  return v === V2;
}

/**
 * The long-header packet type code of an Initial packet: 0 for every
 * version but v2, which uses 1 (RFC 9369 3.2).
 */
export function initialType(v: number): number {
  return v === V2 ? 1 : 0;
}

/** The 0-RTT type code: 1, or 2 for v2. */
export function zeroRttType(v: number): number {
  return v === V2 ? 2 : 1;
}

/** The Retry type code (a Retry has no token/length fields): 3, or 0 for v2. */
export function retryType(v: number): number {
  return v === V2 ? 0 : 3;
}

/**
 * Transport parameters are (varint id, varint length) pairs from
 * draft-27 on (and in T051); before, (uint16 id, uint16 length) inside a
 * uint16-length vector.
 */
export function varintTransportParams(v: number): boolean {
  if (v === T051) return true;
  const d = draftOf(v);
  return d >= 27;
}

/** quic_version as nDPI prints it: "V-1", "Draft-29", "Q046", "MVFST-EXP", "Ver-Negotiation" ... */
export function versionName(v: number): string {
  switch (v) {
    case V1: return 'V-1';
    case V2: return 'V-2';
    case MVFST_22: return 'MVFST-22';
    case MVFST_27: return 'MVFST-27';
    case MVFST_EXP: return 'MVFST-EXP';
  }
  if ((v & 0x0f0f0f0f) === 0x0a0a0a0a) return 'Ver-Negotiation';
  if (v >>> 8 === 0xff0000) return `Draft-${v & 0xff}`;
  const f = family(v);
  if (f === Family.GoogleTls || f === Family.GoogleCrypto || f === Family.Google46 || f === Family.GoogleOld) {
    return String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  return `Unknown (${(v >>> 0).toString(16).toUpperCase().padStart(4, '0')})`;
}
