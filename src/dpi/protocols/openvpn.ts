/**
 * OpenVPN (the OpenVPN wire protocol, openvpn/src/openvpn/ssl_pkt.h and the
 * "OpenVPN protocol" section of its documentation), over UDP and over TCP
 * (each packet behind a 2-byte length). A packet starts with the opcode (high
 * 5 bits) and key id (low 3 bits), then the sender's 8-byte session id.
 * The flow is OpenVPN when
 *  - a hard reset from the client (P_CONTROL_HARD_RESET_CLIENT_V1/V2/V3) is
 *    answered by a server hard reset (SERVER_V1/V2) whose acknowledgement
 *    carries the client's session id as the remote session id (the last 12
 *    bytes: remote session id and message id; works with and without a
 *    tls-auth HMAC), or
 *  - a hard reset is followed, from the same side, by a control or ack
 *    packet (P_CONTROL_V1, P_ACK_V1) with the same session id (tls-crypt, or
 *    a flow seen from the server side first).
 * Ignores: the TLS inside P_CONTROL packets, data channel packets.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const CLIENT_RESET_V1 = 1;
const SERVER_RESET_V1 = 2;
const CONTROL_V1 = 4;
const ACK_V1 = 5;
const CLIENT_RESET_V2 = 7;
const SERVER_RESET_V2 = 8;
const CLIENT_RESET_V3 = 10;
const CONTROL_WKC_V1 = 11;

interface OvpnState {
  /** Session id of the first reset (8 bytes), its direction and whether it came from a client. */
  sid: Buffer;
  dir: Dir;
  client: boolean;
}

function isClientReset(op: number): boolean {
  return op === CLIENT_RESET_V1 || op === CLIENT_RESET_V2 || op === CLIENT_RESET_V3;
}

function isServerReset(op: number): boolean {
  return op === SERVER_RESET_V1 || op === SERVER_RESET_V2;
}

export const dissector: Dissector = {
  id: P.OpenVPN,
  on: On.TcpUdp,
  tcpPorts: [1194],
  udpPorts: [1194],
  budget: 6,
  udpFirstBytes: [0x08, 0x10, 0x38, 0x40, 0x50], // hard resets (client/server V1, V2, client V3) with key id 0
  udpFirstPacket: { short: [0x08, 0x10, 0x38, 0x40, 0x50] }, // a 14-15 byte hard reset
  // The same, after the 2-byte packet length; a packet is at least 14 bytes, 16 with the length.
  tcpFirstPacket: { bytes: [[2, [0x08, 0x10, 0x38, 0x40, 0x50]]], short: [] },
  fields: [],
  doc: 'OpenVPN control channel: client/server hard resets whose session ids match (acknowledged remote session id, or the same session id in a following control/ack packet), UDP and TCP.',
  dissect(ctx: DissectContext): Verdict {
    let off = ctx.off;
    let len = ctx.len;
    const buf = ctx.buf;
    if (ctx.l4 === 6) {
      if (len < 3 || be16(buf, off) + 2 !== len) return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
      off += 2;
      len -= 2;
    }
    const st = ctx.state as OvpnState | undefined;
    if (len < 14) return st === undefined ? Verdict.Exclude : Verdict.Continue;
    const op = buf[off] >> 3;
    const keyId = buf[off] & 7;
    if (st === undefined) {
      // The first packet must be a hard reset with key id 0.
      if (keyId !== 0 || !(isClientReset(op) || isServerReset(op))) return Verdict.Exclude;
      if (ctx.flowIndex > 0) return Verdict.Exclude;
      ctx.state = { sid: Buffer.from(buf.subarray(off + 1, off + 9)), dir: ctx.dir, client: isClientReset(op) } satisfies OvpnState;
      return Verdict.Continue;
    }
    if (ctx.dir !== st.dir) {
      if (st.client && isServerReset(op) && len >= 26 && st.sid.compare(buf, off + len - 12, off + len - 4) === 0) {
        ctx.detect(P.OpenVPN);
        return Verdict.Done;
      }
      return Verdict.Continue;
    }
    if ((op === CONTROL_V1 || op === ACK_V1 || op === CONTROL_WKC_V1) && st.sid.compare(buf, off + 1, off + 9) === 0) {
      ctx.detect(P.OpenVPN);
      return Verdict.Done;
    }
    return Verdict.Continue;
  },
};
