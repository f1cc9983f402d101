/**
 * MGCP, the Media Gateway Control Protocol (RFC 3435): text commands
 * "<verb> <transaction id> <endpoint> MGCP <version>" with the verbs EPCF,
 * CRCX, MDCX, DLCX, RQNT, NTFY, AUEP, AUCX, RSIP (and the MESG/PING
 * extensions), over UDP (ports 2427 to gateways, 2727 to call agents). The
 * endpoint's domain name (after '@') is reported as 'server_name'.
 * Ignores: responses on their own, command parameters, SDP bodies.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf, indexOfByte } from '../bytes';

const VERBS = ['EPCF', 'CRCX', 'MDCX', 'DLCX', 'RQNT', 'NTFY', 'AUEP', 'AUCX', 'RSIP', 'MESG', 'PING'].map((v) => ascii(v));
const MGCP = ascii(' MGCP ');

function isVerb(buf: Buffer, off: number): boolean {
  for (const v of VERBS) {
    if (buf[off] === v[0] && buf[off + 1] === v[1] && buf[off + 2] === v[2] && buf[off + 3] === v[3]) return true;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.MGCP,
  on: On.Udp,
  budget: 2,
  // verbs 'A'UEP/AUCX 'C'RCX 'D'LCX 'E'PCF 'M'DCX/MESG 'N'TFY 'P'ING 'R'QNT/RSIP; digits (responses) wait
  udpFirstBytes: [[0x30, 0x39], 0x41, 0x43, 0x44, 0x45, 0x4d, 0x4e, 0x50, 0x52],
  udpFirstPacket: { short: [[0x30, 0x39]] }, // under 16 bytes, a packet starting with a digit (response) waits
  fields: ['server_name'],
  doc: 'MGCP (RFC 3435) command lines: verb, transaction id, endpoint, "MGCP 1.0"; the endpoint domain as server_name.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    if (len < 16 || buf[off + 4] !== 0x20 || !isVerb(buf, off)) return ctx.flowIndex === 0 && len > 0 && buf[off] >= 0x30 && buf[off] <= 0x39 ? Verdict.Continue : Verdict.Exclude;
    // The command line ends at CR or LF.
    let eol = indexOfByte(buf, off, off + len, 10);
    const cr = indexOfByte(buf, off, off + len, 13);
    if (eol < 0 || (cr >= 0 && cr < eol)) eol = cr;
    if (eol < 0) eol = off + len;
    const m = indexOf(buf, off + 5, eol, MGCP);
    if (m < 0) return Verdict.Exclude;
    // Transaction id: 1-9 digits.
    let p = off + 5;
    const tidStart = p;
    while (p < m && buf[p] >= 0x30 && buf[p] <= 0x39) p++;
    if (p === tidStart || p - tidStart > 9 || buf[p] !== 0x20) return Verdict.Exclude;
    const ep = p + 1;
    const at = indexOfByte(buf, ep, m, 0x40);
    ctx.detect(P.MGCP);
    if (at >= 0 && at + 1 < m) {
      let end = m;
      const colon = indexOfByte(buf, at + 1, m, 0x3a);
      if (colon >= 0) end = colon;
      ctx.set('server_name', buf.toString('latin1', at + 1, end).toLowerCase());
    }
    return Verdict.Done;
  },
};
