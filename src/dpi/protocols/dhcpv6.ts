/**
 * DHCPv6 (RFC 8415): client/server messages (types 1..11: SOLICIT ..
 * INFORMATION-REQUEST; 14..36 for the later extensions) with a 3-byte
 * transaction ID, and relay messages (12 RELAY-FORW, 13 RELAY-REPL) with hop
 * count, link and peer addresses; both followed by options (2-byte code,
 * 2-byte length) that must fill the message exactly. DHCPv6 always involves
 * UDP port 546 (clients) or 547 (servers and relays) (RFC 8415 7.2), so one
 * of them is required.
 * Ignores: option contents (DUIDs, addresses, FQDN).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const CLIENT_PORT = 546;
const SERVER_PORT = 547;
const RELAY_FORW = 12;
const RELAY_REPL = 13;

/** True when buf[p, end) is a non-empty sequence of options filling it exactly. */
function optionsFit(buf: Buffer, p: number, end: number): boolean {
  if (p + 4 > end) return false;
  while (p < end) {
    if (p + 4 > end) return false;
    const code = be16(buf, p);
    if (code === 0) return false;
    p += 4 + be16(buf, p + 2);
  }
  return p === end;
}

export const dissector: Dissector = {
  id: P.DHCPV6,
  on: On.Udp,
  budget: 1,
  udpFirstBytes: [[0x01, 0x24]], // message types 1..36
  udpFirstPacket: { short: [[0x01, 0x0b], [0x0e, 0x24]] }, // 8-15 bytes; relay messages (12, 13) need 34
  fields: [],
  doc: 'DHCPv6 (RFC 8415) messages on UDP 546/547: message type and an option list filling the message.',
  dissect(ctx: DissectContext): Verdict {
    const sp = ctx.serverPort;
    const cp = ctx.clientPort;
    if (sp !== CLIENT_PORT && sp !== SERVER_PORT && cp !== CLIENT_PORT && cp !== SERVER_PORT) return Verdict.Exclude;
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.len < 8) return Verdict.Exclude;
    const type = buf[off];
    let ok: boolean;
    if (type === RELAY_FORW || type === RELAY_REPL) ok = buf[off + 1] <= 32 && optionsFit(buf, off + 34, end);
    else ok = ((type >= 1 && type <= 11) || (type >= 14 && type <= 36)) && optionsFit(buf, off + 4, end);
    if (!ok) return Verdict.Exclude;
    ctx.detect(P.DHCPV6);
    return Verdict.Done;
  },
};
