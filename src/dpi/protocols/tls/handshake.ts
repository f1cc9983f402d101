/**
 * Handshake message dispatch shared by TLS over TCP and DTLS (RFC 8446 4,
 * RFC 5246 7.4, RFC 6347 4.2.2): ClientHello (1), ServerHello (2),
 * Certificate (11, TLS <= 1.2 only: later versions encrypt it) and
 * ServerHelloDone (14, ends a handshake that sent no certificate). The
 * record layers (record.ts, dtls.ts) reassemble messages and call
 * onMessage() with each complete message body.
 * Ignores: every other handshake message.
 */
import { P, Risk } from '../../generated/protocols';
import { isObsolete, knownVersionName, versionName } from './versions';
import type { DissectContext } from '../../dissector';
import { applyClientHello, parseClientHello } from './client-hello';
import { applyServerHello, parseServerHello } from './server-hello';
import { applyCertificateMessage } from './certificate';

export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;
export const HS_CERTIFICATE = 11;
export const HS_SERVER_HELLO_DONE = 14;

/** Per-flow handshake progress (both directions). */
export class HsState {
  /** Label given on detection (TLS, IMAPS... or DTLS). */
  label: number;
  detected = false;
  clientHello = false;
  serverHello = false;
  /** The server certificate was read, or cannot come (TLS 1.3, resumption, no certificate). */
  certDone = false;
  /** Direction the ClientHello came from (-1 unknown). */
  clientDir = -1;
  sni = '';
  /** A DTLS-SRTP handshake of a WebRTC session (use_srtp offered after STUN): no SNI/ALPN/self-signed risks. */
  webrtc = false;
  /** STUN messages came first on this flow (DTLS multiplexed with STUN, RFC 7983). */
  afterStun = false;

  constructor(label: number) {
    this.label = label;
  }

  detect(ctx: DissectContext): void {
    if (this.detected) return;
    this.detected = true;
    ctx.detect(this.label);
  }

  /** Both hellos and (for TLS <= 1.2) the certificate are in. */
  complete(): boolean {
    return this.clientHello && this.serverHello && this.certDone;
  }
}

/**
 * Handles one complete handshake message body buf[off, off + len) of the
 * given type sent in direction dir. Returns false when a hello is malformed.
 */
export function onMessage(ctx: DissectContext, st: HsState, dir: number, type: number,
  buf: Buffer, off: number, len: number, dtls: boolean): boolean {
  switch (type) {
    case HS_CLIENT_HELLO: {
      if (st.clientHello) return true;
      const ch = parseClientHello(buf, off, len, dtls);
      if (ch === null) return brokenClientHello(ctx, st, dir, buf, off, len, dtls);
      st.clientHello = true;
      st.clientDir = dir;
      st.sni = ch.sni;
      st.webrtc = dtls && st.afterStun && ch.extensions.includes(0x000e);
      st.detect(ctx);
      applyClientHello(ctx, ch, dtls ? 'd' : 't', st.webrtc);
      return true;
    }
    case HS_SERVER_HELLO: {
      if (st.serverHello) return true;
      const sh = parseServerHello(buf, off, len, dtls);
      if (sh === null) return false;
      st.serverHello = true;
      if (st.clientDir < 0) st.clientDir = dir ^ 1;
      st.detect(ctx);
      applyServerHello(ctx, sh, st.clientHello);
      const v = sh.version;
      if (dtls ? v === 0xfefc : v === 0x0304 || v === 0xfb1a || (v >= 0x7f00 && v <= 0x7fff)) st.certDone = true;
      return true;
    }
    case HS_CERTIFICATE:
      if (dir !== st.clientDir && st.clientDir >= 0 && !st.certDone) firstCertificate(ctx, st, buf, off, len);
      return true;
    case HS_SERVER_HELLO_DONE:
      if (dir !== st.clientDir && st.clientDir >= 0) st.certDone = true;
      return true;
    default:
      return true;
  }
}

/**
 * A ClientHello whose lists do not parse (crafted or truncated lengths):
 * nDPI still labels the flow and reports the version it proposes, without
 * fingerprints. Anything that does not even carry a TLS version is not a
 * ClientHello.
 */
function brokenClientHello(ctx: DissectContext, st: HsState, dir: number, buf: Buffer, off: number, len: number, dtls: boolean): boolean {
  if (len < 35) return false;
  const v = (buf[off] << 8) | buf[off + 1];
  if (dtls ? v >> 8 !== 0xfe && v !== 0x0100 : v >> 8 !== 3) return false;
  st.clientHello = true;
  st.clientDir = dir;
  st.detect(ctx);
  const name = knownVersionName(v);
  if (name !== '') ctx.set('tls_version', name);
  if (isObsolete(v)) ctx.risk(Risk.Obsolete_TLS_v1_1_or_older, versionName(v));
  return true;
}

/**
 * Reads the first certificate of a Certificate message once it is in
 * (avail may be less than the whole message). Returns true once handled.
 */
export function firstCertificate(ctx: DissectContext, st: HsState, buf: Buffer, off: number, avail: number): boolean {
  if (!applyCertificateMessage(ctx, buf, off, avail, st.sni, st.webrtc)) return false;
  st.certDone = true;
  return true;
}

function mailPort(port: number): number {
  switch (port) {
    case 465: return P.SMTPS;
    case 993: return P.IMAPS;
    case 995: return P.POPS;
    case 990: return P.FTPS;
    default: return 0;
  }
}

/** Label for TLS on the well-known implicit-TLS mail/file ports (SMTPS, IMAPS, POPS, FTPS), as nDPI names it. */
export function tlsLabel(serverPort: number, clientPort: number): number {
  return mailPort(serverPort) || mailPort(clientPort) || P.TLS;
}
