/**
 * Dropbox LAN sync (db-lsp, UDP 17500). Two message kinds are recognised:
 *  - the LAN sync discovery broadcast (db-lsp-disc): a JSON object such as
 *    {"version": [2, 0], "port": 17500, "host_int": ..., "displayname": "",
 *    "namespaces": [...]}; recognised as a JSON object carrying both the
 *    "host_int" and "version" members;
 *  - CoAP (RFC 7252) requests and responses for the LAN sync command
 *    resource "Bus17Cmd" (Uri-Path or Location-Path option ending in it);
 *    the CoAP header and option list are walked to find it.
 * Ignores: the TLS-protected block transfers on TCP 17500.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const HOST_INT = ascii('"host_int"');
const VERSION = ascii('"version"');
const BUS_CMD = ascii('Bus17Cmd');
const OPT_LOCATION_PATH = 8;
const OPT_URI_PATH = 11;

function isDiscovery(b: Buffer, o: number, end: number): boolean {
  if (end - o < 12 || b[o] !== 0x7b) return false;
  return indexOf(b, o, end, HOST_INT) >= 0 && indexOf(b, o, end, VERSION) >= 0;
}

/** Walks a CoAP message's options; true when a path option's value ends with "Bus17Cmd". */
function isBusCmd(b: Buffer, o: number, end: number): boolean {
  if (end - o < 4 + BUS_CMD.length + 1) return false;
  const b0 = b[o];
  if (b0 >> 6 !== 1) return false; // version 1
  const tkl = b0 & 0x0f;
  const cls = b[o + 1] >> 5;
  if (tkl > 8 || (cls !== 0 && cls !== 2 && cls !== 4 && cls !== 5)) return false;
  let p = o + 4 + tkl;
  let opt = 0;
  while (p < end) {
    const h = b[p++];
    if (h === 0xff) break;
    let delta = h >> 4;
    let len = h & 0x0f;
    if (delta === 13) {
      if (p >= end) return false;
      delta = 13 + b[p++];
    } else if (delta === 14) {
      if (p + 2 > end) return false;
      delta = 269 + ((b[p] << 8) | b[p + 1]);
      p += 2;
    } else if (delta === 15) {
      return false;
    }
    if (len === 13) {
      if (p >= end) return false;
      len = 13 + b[p++];
    } else if (len === 14) {
      if (p + 2 > end) return false;
      len = 269 + ((b[p] << 8) | b[p + 1]);
      p += 2;
    } else if (len === 15) {
      return false;
    }
    if (p + len > end) return false;
    opt += delta;
    if ((opt === OPT_URI_PATH || opt === OPT_LOCATION_PATH) && len >= BUS_CMD.length &&
        indexOf(b, p + len - BUS_CMD.length, p + len, BUS_CMD) >= 0) {
      return true;
    }
    p += len;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.Dropbox,
  on: On.Udp,
  udpPorts: [17500],
  budget: 2,
  udpFirstBytes: [[0x40, 0x48], [0x50, 0x58], [0x60, 0x68], [0x70, 0x78], 0x7b], // CoAP version 1 (token length 0..8), '{' JSON
  // The JSON needs more than 15 bytes; a CoAP message with an 8-byte path fits in 13-15 with a token of 0..2 bytes.
  udpFirstPacket: { short: [[0x40, 0x42], [0x50, 0x52], [0x60, 0x62], [0x70, 0x72]] },
  fields: [],
  doc: 'Dropbox LAN sync: the db-lsp-disc JSON broadcast ("host_int", "version") and CoAP messages for its "Bus17Cmd" resource.',
  dissect(ctx: DissectContext): Verdict {
    const end = ctx.off + ctx.len;
    if (isDiscovery(ctx.buf, ctx.off, end) || isBusCmd(ctx.buf, ctx.off, end)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
