/**
 * XMPP (RFC 6120), labelled Jabber as nDPI does, on any TCP port: a stream
 * opening with an optional XML declaration followed by the
 * <stream:stream ...> header (namespace http://etherx.jabber.org/streams;
 * jabber:client or jabber:server content). Either side may speak first.
 * Metadata: server_name, the "to" domain of the client's stream header
 * (section 4.7.2). Streams to truphone.com are labelled TruPhone, as nDPI
 * reports that service.
 * Ignores: stanzas, SASL, STARTTLS (the TLS that follows stays Jabber).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf, startsWith } from '../bytes';

const XML_DECL = ascii('<?xml');
const STREAM = ascii('<stream:stream');
const STREAMS_NS = ascii('http://etherx.jabber.org/streams');

/** Offset of "<stream:stream" after an optional XML declaration and white space, -1 when absent, -2 incomplete. */
function streamHeader(buf: Buffer, p: number, end: number): number {
  let i = p;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  if (startsWith(buf, i, end, XML_DECL)) {
    const close = indexOf(buf, i, Math.min(end, i + 256), ascii('?>'));
    if (close < 0) return end - i >= 256 ? -1 : -2;
    i = close + 2;
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  }
  if (end - i < STREAM.length) {
    for (let k = 0; k < end - i; k++) if (buf[i + k] !== STREAM[k]) return -1;
    return -2;
  }
  return startsWith(buf, i, end, STREAM) ? i : -1;
}

export const dissector: Dissector = {
  id: P.Jabber,
  alsoDetects: [P.TruPhone],
  on: On.Tcp,
  tcpPorts: [5222, 5269],
  budget: 4,
  stream: true,
  tcpFirstBytes: [0x0a, 0x0d, 0x20, 0x3c], // white space before '<'?xml / '<'stream:stream
  tcpFirstPacket: { short: [0x0a, 0x0d, 0x20, 0x3c] }, // a header cut short waits (Continue)
  fields: ['server_name'],
  doc: 'XMPP/Jabber (RFC 6120): the <stream:stream> header (with its streams namespace) on any port; the "to" domain.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const c = buf[ctx.off];
    if (c !== 0x3c && c !== 0x20 && c !== 0x0a && c !== 0x0d) return Verdict.Exclude;
    const s = streamHeader(buf, ctx.off, end);
    if (s === -2) return Verdict.Continue;
    if (s < 0) return Verdict.Exclude;
    const gt = buf.indexOf(0x3e, s);
    if (gt < 0 || gt >= end) return ctx.len < 4096 ? Verdict.Continue : Verdict.Exclude;
    if (indexOf(buf, s, gt, STREAMS_NS) < 0) return Verdict.Exclude;
    ctx.detect(P.Jabber);
    const head = buf.toString('utf8', s, gt);
    const to = /(?:\s|['"])to\s*=\s*['"]([^'"]+)['"]/.exec(head);
    if (to !== null) {
      const domain = to[1].toLowerCase();
      // nDPI reports TruPhone's XMPP service as its own protocol.
      if (domain === 'truphone.com' || domain.endsWith('.truphone.com')) ctx.detect(P.TruPhone);
      ctx.set('server_name', domain);
      return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
