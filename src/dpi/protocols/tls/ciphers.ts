/**
 * Cipher suite names (IANA registry, generated table) and nDPI's grading of
 * the suite a server chose: a few RC4 suites are "insecure", static-RSA key
 * exchange, 3DES, SEED and IDEA suites are "weak" (nDPI follows Qualys SSL
 * Labs' grading), everything else is safe.
 */
import { TLS_CIPHER_NAMES } from '../../generated/tls-ciphers';

export const enum CipherGrade {
  Safe = 0,
  Weak = 1,
  Insecure = 2,
}

/** IANA name of a cipher suite, or "0xNNNN" when unassigned. */
export function cipherName(v: number): string {
  return TLS_CIPHER_NAMES.get(v) ?? '0x' + v.toString(16).toUpperCase().padStart(4, '0');
}

export function cipherGrade(v: number): CipherGrade {
  switch (v) {
    case 0xc011: // TLS_ECDHE_RSA_WITH_RC4_128_SHA
    case 0x0005: // TLS_RSA_WITH_RC4_128_SHA
    case 0x0004: // TLS_RSA_WITH_RC4_128_MD5
      return CipherGrade.Insecure;
    case 0x009d: // TLS_RSA_WITH_AES_256_GCM_SHA384
    case 0x003d: // TLS_RSA_WITH_AES_256_CBC_SHA256
    case 0x0035: // TLS_RSA_WITH_AES_256_CBC_SHA
    case 0x0084: // TLS_RSA_WITH_CAMELLIA_256_CBC_SHA
    case 0x009c: // TLS_RSA_WITH_AES_128_GCM_SHA256
    case 0x003c: // TLS_RSA_WITH_AES_128_CBC_SHA256
    case 0x002f: // TLS_RSA_WITH_AES_128_CBC_SHA
    case 0x0041: // TLS_RSA_WITH_CAMELLIA_128_CBC_SHA
    case 0xc012: // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
    case 0x0016: // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
    case 0x000a: // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    case 0x0096: // TLS_RSA_WITH_SEED_CBC_SHA
    case 0x0007: // TLS_RSA_WITH_IDEA_CBC_SHA
      return CipherGrade.Weak;
    default:
      return CipherGrade.Safe;
  }
}
