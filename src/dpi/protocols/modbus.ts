/**
 * Modbus/TCP (Modbus Messaging on TCP/IP Implementation Guide v1.0b, 3.1.3
 * MBAP header): transaction id, protocol id 0, length (unit id + PDU, 2..254)
 * equal to the rest of the segment, unit id, function code (public codes
 * 1..24 and 43, user-defined 65..72 and 100..110; | 0x80 in exceptions).
 * A request is confirmed by a response with the same transaction id, unit
 * id and function code (or its exception); two well-formed requests in a
 * row also do. Function code 90 (0x5A) is Schneider Electric's UMAS, labelled
 * Modbus.UMAS.
 * Ignores: PDU contents, Modbus RTU/ASCII over TCP.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const UMAS = 0x5a;

function knownFunction(f: number): boolean {
  return (f >= 1 && f <= 24) || f === 43 || (f >= 65 && f <= 72) || (f >= 100 && f <= 110) || f === UMAS;
}

/** The function code (without the exception bit) when buf holds one MBAP ADU, else -1. */
function adu(b: Buffer, o: number, n: number): number {
  if (n < 8 || b[o + 2] !== 0 || b[o + 3] !== 0) return -1;
  const len = be16(b, o + 4);
  if (len < 2 || len > 254 || len + 6 !== n) return -1;
  const f = b[o + 7] & 0x7f;
  return knownFunction(f) ? f : -1;
}

interface ModbusState {
  dir: number;
  tid: number;
  unit: number;
  fn: number;
}

export const dissector: Dissector = {
  id: P.Modbus,
  alsoDetects: [P.UMAS],
  on: On.Tcp,
  tcpPorts: [502],
  budget: 4,
  fields: [],
  doc: 'Modbus/TCP MBAP header (protocol id 0, exact length, known function code) answered with the same transaction id, or two requests; function 0x5A is Modbus.UMAS.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const f = adu(b, o, ctx.len);
    if (f < 0) return Verdict.Exclude;
    const st = ctx.state as ModbusState | undefined;
    if (st === undefined) {
      ctx.state = { dir: ctx.dir, tid: be16(b, o), unit: b[o + 6], fn: f } satisfies ModbusState;
      return Verdict.Continue;
    }
    if (ctx.dir === st.dir ? ctx.dir === Dir.C2S || f === st.fn : be16(b, o) === st.tid && b[o + 6] === st.unit && f === st.fn) {
      if (f === UMAS || st.fn === UMAS) ctx.detect(P.UMAS, P.Modbus);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
