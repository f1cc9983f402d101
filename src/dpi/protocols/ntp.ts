/**
 * NTP (RFC 5905 7.3; RFC 1305 for versions 1-3): the 48-byte header (leap
 * indicator, version 1..4, mode 1..5, stratum 0..16, poll, precision, root
 * delay/dispersion, reference ID, four timestamps), optionally followed by
 * extension fields or a MAC (key ID + 16/20-byte digest). On port 123 (either
 * end; servers answer from 123) the header checks suffice; elsewhere a client
 * request (mode 3) must be answered by a server reply (mode 4) of the same
 * version whose Origin Timestamp echoes the request's Transmit Timestamp.
 * Ignores: control (mode 6) and private (mode 7, ntpdc) messages, NTS.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, FirstBytes, On, Verdict } from '../dissector';

const NTP_PORT = 123;
const HEADER = 48;

/** First byte: leap indicator (any), version 1..4, mode 1..5. */
const FIRST_BYTES: FirstBytes = [0, 1, 2, 3].flatMap((li) =>
  [1, 2, 3, 4].map((v): [number, number] => [(li << 6) | (v << 3) | 1, (li << 6) | (v << 3) | 5]),
);

interface NtpState {
  version: number;
  /** Offset-free copy of the request's Transmit Timestamp. */
  transmit: Buffer;
}

/** Header checks: returns the mode (1..5) or 0. */
function headerMode(buf: Buffer, off: number, len: number): number {
  if (len < HEADER || len > HEADER + 1024) return 0;
  const extra = len - HEADER;
  if (extra !== 0 && extra !== 20 && extra !== 24 && extra % 4 !== 0) return 0;
  const b = buf[off];
  const version = (b >> 3) & 7;
  const mode = b & 7;
  if (version < 1 || version > 4 || mode < 1 || mode > 5 || buf[off + 1] > 16) return 0;
  return mode;
}

export const dissector: Dissector = {
  id: P.NTP,
  on: On.Udp,
  udpPorts: [NTP_PORT],
  budget: 4,
  udpFirstBytes: FIRST_BYTES,
  udpFirstPacket: { minLen: HEADER, maxLen: HEADER + 1024, bytes: [[1, [[0, 16]]]], short: [] }, // stratum 0-16; the header is 48 bytes
  fields: [],
  doc: 'NTP (RFC 5905) headers on UDP 123; elsewhere a client request answered by a server reply echoing its transmit timestamp.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const mode = headerMode(buf, off, ctx.len);
    if (mode === 0) return Verdict.Exclude;
    if (ctx.serverPort === NTP_PORT || ctx.clientPort === NTP_PORT) {
      ctx.detect(P.NTP);
      return Verdict.Done;
    }
    const version = (buf[off] >> 3) & 7;
    const st = ctx.state as NtpState | undefined;
    if (st === undefined) {
      if (mode !== 3 || ctx.dir !== 0) return Verdict.Exclude;
      ctx.state = { version, transmit: Buffer.from(buf.subarray(off + 40, off + 48)) };
      return Verdict.Continue;
    }
    if (ctx.dir === 0) return mode === 3 ? Verdict.Continue : Verdict.Exclude;
    if (mode !== 4 || version !== st.version || !st.transmit.equals(buf.subarray(off + 24, off + 32))) return Verdict.Exclude;
    ctx.detect(P.NTP);
    return Verdict.Done;
  },
};
