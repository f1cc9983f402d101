/**
 * SSDP (UPnP Device Architecture 2.0 section 1; HTTP over UDP): a datagram
 * starting with "M-SEARCH * HTTP/1.1", "NOTIFY * HTTP/1.1" or an HTTPU
 * response "HTTP/1.1 200 OK", followed by CRLF-separated headers. Recognised
 * on any UDP port (searches are multicast to 239.255.255.250 / ff0x::c port
 * 1900, answers come back unicast to the searcher's port).
 * Metadata: server_name = HOST header (as sent, lower-cased), user_agent =
 * USER-AGENT header (as nDPI reports it), server_banner = SERVER header.
 * Ignores: the other headers (NT, NTS, ST, USN, LOCATION).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, lineEnd, startsWith, startsWithNoCase } from '../bytes';

const M_SEARCH = ascii('M-SEARCH * HTTP/1.1');
const NOTIFY = ascii('NOTIFY * HTTP/1.1');
const OK = ascii('HTTP/1.1 200 OK');
const H_HOST = ascii('host:');
const H_USER_AGENT = ascii('user-agent:');
const H_SERVER = ascii('server:');
const MAX_HEADERS = 40;

function value(buf: Buffer, p: number, e: number): string {
  while (p < e && (buf[p] === 32 || buf[p] === 9)) p++;
  let q = e;
  while (q > p && (buf[q - 1] === 32 || buf[q - 1] === 9)) q--;
  return buf.toString('latin1', p, q);
}

export const dissector: Dissector = {
  id: P.SSDP,
  on: On.Udp,
  budget: 1,
  udpFirstBytes: [0x48, 0x4d, 0x4e], // 'H'TTP/1.1 200, 'M'-SEARCH, 'N'OTIFY
  udpFirstPacket: { bytes: [[1, [0x2d, 0x4f, 0x54]], [2, [0x53, 0x54]], [3, [0x45, 0x49, 0x50]]], short: [0x48] }, // M-SE, NOTI, HTTP; short: "HTTP/1.1 200 OK" alone is 15 bytes
  fields: ['server_name', 'user_agent', 'server_banner'],
  doc: 'SSDP (UPnP discovery, HTTP over UDP): M-SEARCH / NOTIFY requests and 200 OK answers; HOST, USER-AGENT and SERVER headers.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    let n: number;
    if (startsWith(buf, off, end, M_SEARCH)) n = M_SEARCH.length;
    else if (startsWith(buf, off, end, NOTIFY)) n = NOTIFY.length;
    else if (startsWith(buf, off, end, OK)) n = OK.length;
    else return Verdict.Exclude;
    if (off + n < end && buf[off + n] !== 13) return Verdict.Exclude;
    ctx.detect(P.SSDP);
    let p = lineEnd(buf, off, end);
    for (let i = 0; p >= 0 && i < MAX_HEADERS; i++) {
      p += 2;
      const e = lineEnd(buf, p, end);
      const le = e < 0 ? end : e;
      if (le === p) break;
      if (startsWithNoCase(buf, p, le, H_HOST)) ctx.set('server_name', value(buf, p + H_HOST.length, le).toLowerCase());
      else if (startsWithNoCase(buf, p, le, H_USER_AGENT)) ctx.set('user_agent', value(buf, p + H_USER_AGENT.length, le));
      else if (startsWithNoCase(buf, p, le, H_SERVER)) ctx.set('server_banner', value(buf, p + H_SERVER.length, le));
      p = e;
    }
    return Verdict.Done;
  },
};
