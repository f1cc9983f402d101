/**
 * MQTT 3.1 / 3.1.1 / 5.0 (OASIS MQTT v3.1.1 and v5.0, section 2 "MQTT
 * Control Packet format"): fixed header (packet type and flags, remaining
 * length as a 1..4 byte varint) that must cover the segment exactly.
 * CONNECT (protocol name "MQTT" level 4/5, or "MQIsdp" level 3, reserved
 * flag bit clear) identifies a flow by itself; flows seen after the connect
 * are recognised from a PUBLISH with a printable topic, a CONNACK, a
 * SUBSCRIBE, or a PINGREQ answered by a PINGRESP (PUBREC by PUBREL,
 * PUBREL by PUBCOMP, with the same packet id).
 * Ignores: payloads, properties (v5), MQTT over WebSocket (that is HTTP).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const T_CONNECT = 1;
const T_CONNACK = 2;
const T_PUBLISH = 3;
const T_SUBSCRIBE = 8;
const T_PINGREQ = 12;
const T_PINGRESP = 13;

/** Offset of the variable header, or -1 when the remaining length does not end at the segment's end. */
function body(b: Buffer, o: number, n: number): number {
  let len = 0;
  let mul = 1;
  for (let i = 1; i <= 4; i++) {
    if (i >= n) return -1;
    const c = b[o + i];
    len += (c & 0x7f) * mul;
    if ((c & 0x80) === 0) return i + 1 + len === n ? o + i + 1 : -1;
    mul *= 128;
  }
  return -1;
}

function connect(b: Buffer, p: number, end: number): boolean {
  if (p + 10 > end) return false;
  const nl = be16(b, p);
  if (nl === 4) {
    if (b[p + 2] !== 0x4d || b[p + 3] !== 0x51 || b[p + 4] !== 0x54 || b[p + 5] !== 0x54) return false;
    const lvl = b[p + 6];
    if (lvl !== 4 && lvl !== 5 && lvl !== 3) return false;
    return (b[p + 7] & 0x01) === 0;
  }
  if (nl === 6) {
    if (p + 12 > end || b.toString('latin1', p + 2, p + 8) !== 'MQIsdp') return false;
    return (b[p + 8] === 3 || b[p + 8] === 4) && (b[p + 9] & 0x01) === 0;
  }
  return false;
}

function topicOk(b: Buffer, p: number, end: number, filter: boolean): boolean {
  if (p + 2 > end) return false;
  const tl = be16(b, p);
  if (tl === 0 || p + 2 + tl > end) return false;
  for (let i = p + 2; i < p + 2 + tl; i++) {
    const c = b[i];
    if (c < 0x20 || c === 0x7f) return false;
    if (!filter && (c === 0x23 || c === 0x2b)) return false;
  }
  return true;
}

/** -1 not MQTT, 0 needs the peer's answer (state = expected type), 1 MQTT. */
function classify(ctx: DissectContext): number {
  const b = ctx.buf;
  const o = ctx.off;
  const n = ctx.len;
  if (n < 2) return -1;
  const h = b[o];
  const type = h >> 4;
  const flags = h & 0x0f;
  const p = body(b, o, n);
  if (p < 0) return -1;
  const end = o + n;
  switch (type) {
    case T_CONNECT:
      return flags === 0 && connect(b, p, end) ? 1 : -1;
    case T_CONNACK:
      return flags === 0 && end - p >= 2 && b[p] <= 1 && (end - p > 2 || b[p + 1] <= 5) ? 1 : -1;
    case T_PUBLISH: {
      const qos = (flags >> 1) & 3;
      if (qos === 3 || !topicOk(b, p, end, false)) return -1;
      const after = p + 2 + be16(b, p) + (qos > 0 ? 2 : 0);
      return after <= end && be16(b, p) >= 2 ? 1 : -1;
    }
    case T_SUBSCRIBE:
      return flags === 2 && end - p >= 5 && be16(b, p) !== 0 && topicOk(b, p + 2, end, true) ? 1 : -1;
    case T_PINGREQ:
      return flags === 0 && n === 2 ? 0 : -1;
    case 5:
      return flags === 0 && n === 4 && be16(b, p) !== 0 ? 0 : -1;
    case 6:
      return flags === 2 && n === 4 && be16(b, p) !== 0 ? 0 : -1;
    default:
      return -1;
  }
}

interface MqttState {
  dir: number;
  /** First byte the answer must have, and its packet id (or -1). */
  answer: number;
  id: number;
}

export const dissector: Dissector = {
  id: P.MQTT,
  on: On.Tcp,
  tcpPorts: [1883, 8883],
  budget: 4,
  tcpFirstBytes: [0x10, 0x20, [0x30, 0x35], [0x38, 0x3d], 0x82], // CONNECT, CONNACK, PUBLISH (QoS 0-2), SUBSCRIBE
  tcpFirstPacket: { short: [0x10, 0x20, [0x30, 0x35], [0x38, 0x3d], 0x50, 0x62, 0x82, 0xc0] }, // also PUBREC 0x50, PUBREL 0x62 (4 bytes) and PINGREQ 0xc0 (2 bytes), which wait for the answer
  fields: [],
  doc: 'MQTT control packets with an exact remaining length: CONNECT ("MQTT"/"MQIsdp"), CONNACK, PUBLISH with a printable topic, SUBSCRIBE, or PINGREQ/PUBREC/PUBREL answered by the peer.',
  dissect(ctx: DissectContext): Verdict {
    const st = ctx.state as MqttState | undefined;
    const b = ctx.buf;
    const o = ctx.off;
    if (st !== undefined) {
      if (ctx.dir === st.dir) return Verdict.Continue;
      if (ctx.len >= 2 && b[o] === st.answer && (st.id < 0 ? ctx.len === 2 && b[o + 1] === 0 : ctx.len === 4 && b[o + 1] === 2 && be16(b, o + 2) === st.id)) return Verdict.Done;
      return Verdict.Exclude;
    }
    const r = classify(ctx);
    if (r < 0) return Verdict.Exclude;
    if (r === 1) return Verdict.Done;
    const type = b[o] >> 4;
    // PINGREQ -> PINGRESP, PUBREC -> PUBREL, PUBREL -> PUBCOMP (same packet id).
    if (type === T_PINGREQ) ctx.state = { dir: ctx.dir, answer: T_PINGRESP << 4, id: -1 };
    else if (type === 5) ctx.state = { dir: ctx.dir, answer: 0x62, id: be16(b, o + 2) };
    else if (type === 6) ctx.state = { dir: ctx.dir, answer: 0x70, id: be16(b, o + 2) };
    else return Verdict.Exclude;
    return Verdict.Continue;
  },
};
