/**
 * MySQL / MariaDB client/server protocol: the server speaks first with an
 * initial handshake packet (Protocol::HandshakeV10, MySQL Internals manual
 * "Connection Phase"): a 3-byte little-endian payload length, sequence id 0,
 * protocol version 10, the NUL-terminated server version, a 4-byte connection
 * id, 8 bytes of auth-plugin data and a 0x00 filler. A server refusing the
 * client at connect time sends an ERR packet instead (0xff, error code,
 * message), which is recognised too. 'server_banner' is the server version.
 * Ignores: the client's handshake response and everything after it, TLS
 * (which starts after the handshake), the pre-4.1 protocol version 9.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

const MAX_VERSION = 64;

/** 1 greeting, 2 ERR at connect, 0 not MySQL. */
function greeting(b: Buffer, o: number, n: number): number {
  if (n < 8) return 0;
  const plen = b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
  if (b[o + 3] !== 0 || plen + 4 !== n) return 0;
  const kind = b[o + 4];
  if (kind === 0xff) {
    // ERR_Packet: error code (LE16, 1000..9999 for server errors) then text.
    if (plen < 4) return 0;
    const code = b[o + 5] | (b[o + 6] << 8);
    if (code < 1000 || code > 9999) return 0;
    for (let i = o + 7; i < o + n; i++) if (b[i] < 0x20 && b[i] !== 0x0a && b[i] !== 0x09) return 0;
    return 2;
  }
  if (kind !== 10) return 0;
  // Server version: printable, starts with a digit, NUL-terminated.
  const vs = o + 5;
  if (vs >= o + n || b[vs] < 0x30 || b[vs] > 0x39) return 0;
  let i = vs;
  const lim = Math.min(o + n, vs + MAX_VERSION);
  while (i < lim && b[i] !== 0) {
    if (b[i] < 0x20 || b[i] > 0x7e) return 0;
    i++;
  }
  if (i >= lim) return 0;
  // NUL, connection id (4), auth-plugin-data-part-1 (8), filler 0x00, capability flags (2).
  const filler = i + 1 + 4 + 8;
  if (filler + 3 > o + n || b[filler] !== 0) return 0;
  return 1;
}

export const dissector: Dissector = {
  id: P.MySQL,
  on: On.Tcp,
  tcpPorts: [3306],
  budget: 1,
  tcpFirstPacket: { short: [[0x04, 0x0b]] }, // an ERR packet of 8..15 bytes (LE24 payload length 4..11); a greeting is 22 and more
  fields: ['server_banner'],
  doc: 'MySQL/MariaDB server handshake (protocol 10: length, sequence 0, version string, filler) or connect-time ERR packet; server_banner is the server version.',
  dissect(ctx: DissectContext): Verdict {
    // The server's handshake is the flow's first payload: the client waits for it.
    const b = ctx.buf;
    const o = ctx.off;
    const r = greeting(b, o, ctx.len);
    if (r <= 0) return Verdict.Exclude;
    if (r === 1) {
      const vs = o + 5;
      let e = vs;
      while (b[e] !== 0) e++;
      ctx.set('server_banner', b.toString('latin1', vs, e));
    }
    return Verdict.Done;
  },
};
