/**
 * Syslog: a message starting with "<PRI>" (RFC 5424 6.2.1 / RFC 3164 4.1.1:
 * 1 to 3 digits, value at most 191) followed by printable text: the RFC 5424
 * version and timestamp, an RFC 3164 "Mmm dd hh:mm:ss" timestamp, or the
 * free-form header many devices send. Over UDP (RFC 5426) each datagram is a
 * message; over TCP (RFC 6587) a message may also be preceded by its length
 * ("octet counting": "123 <34>..."). Recognised on any port.
 * Ignores: message contents, structured data, TLS transport (RFC 5425).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** Bytes after the PRI that must be printable. */
const PRINTABLE_AFTER = 12;

/** Offset just after a valid "<PRI>" at p, or -1. */
function afterPri(buf: Buffer, p: number, end: number): number {
  if (p >= end || buf[p] !== 60) return -1;
  let v = 0;
  let i = p + 1;
  for (; i < end && i <= p + 3; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  if (i === p + 1 || i >= end || buf[i] !== 62 || v > 191) return -1;
  return i + 1;
}

function printable(buf: Buffer, p: number, end: number): boolean {
  const stop = Math.min(end, p + PRINTABLE_AFTER);
  if (stop - p < 3) return false;
  for (let i = p; i < stop; i++) {
    const c = buf[i];
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return false;
  }
  return true;
}

export const dissector: Dissector = {
  id: P.Syslog,
  on: On.TcpUdp,
  tcpPorts: [514, 601, 6514],
  udpPorts: [514],
  budget: 2,
  tcpFirstBytes: [[0x31, 0x39], 0x3c], // octet-counting length digit, '<'PRI>
  udpFirstBytes: [0x3c], // '<'PRI>
  tcpFirstPacket: { short: [[0x31, 0x39], 0x3c] }, // "<1>abc" is a message
  udpFirstPacket: { short: [0x3c] },
  fields: [],
  doc: 'Syslog messages (RFC 5424/3164) over UDP and TCP (RFC 6587 framing): "<PRI>" then printable text.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    if (ctx.l4 === 6 && p < end && buf[p] >= 49 && buf[p] <= 57) {
      // Octet counting: MSG-LEN SP SYSLOG-MSG.
      let i = p;
      while (i < end && i < p + 6 && buf[i] >= 48 && buf[i] <= 57) i++;
      if (i >= end || buf[i] !== 32) return Verdict.Exclude;
      p = i + 1;
    }
    const text = afterPri(buf, p, end);
    if (text < 0 || !printable(buf, text, end)) return Verdict.Exclude;
    ctx.detect(P.Syslog);
    return Verdict.Done;
  },
};
