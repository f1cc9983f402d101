/**
 * TFTP (RFC 1350, options RFC 2347): a read or write request (opcode 1/2)
 * naming a file and a transfer mode ("netascii", "octet" or "mail", any
 * case), each NUL-terminated, optionally followed by option/value pairs; or,
 * on the transfer's own ports, a DATA packet (opcode 3, block 1 with at most
 * 512 bytes of data, or a later block) answered by the ACK (opcode 4) of the
 * same block, or an OACK (6) answered by ACK 0. Recognised on any port.
 * Ignores: file names and options (not exported), error messages alone.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, indexOfByte, startsWithNoCase } from '../bytes';

const MODES = [ascii('netascii'), ascii('octet'), ascii('mail')];
const RRQ = 1;
const WRQ = 2;
const DATA = 3;
const ACK = 4;
const OACK = 6;

/** A request: filename (printable, non-empty) NUL mode NUL [option NUL value NUL]*. */
function request(buf: Buffer, off: number, end: number): boolean {
  const nameEnd = indexOfByte(buf, off + 2, end, 0);
  if (nameEnd <= off + 2) return false;
  for (let i = off + 2; i < nameEnd; i++) if (buf[i] < 32 || buf[i] > 126) return false;
  const modeEnd = indexOfByte(buf, nameEnd + 1, end, 0);
  if (modeEnd < 0) return false;
  let ok = false;
  for (const m of MODES) if (modeEnd - nameEnd - 1 === m.length && startsWithNoCase(buf, nameEnd + 1, modeEnd, m)) ok = true;
  if (!ok) return false;
  // Options come in NUL-terminated pairs; the datagram ends after the last NUL.
  let p = modeEnd + 1;
  let strings = 0;
  while (p < end) {
    const z = indexOfByte(buf, p, end, 0);
    if (z < 0) return false;
    p = z + 1;
    strings++;
  }
  return strings % 2 === 0;
}

export const dissector: Dissector = {
  id: P.TFTP,
  on: On.Udp,
  udpPorts: [69],
  budget: 4,
  udpFirstBytes: [0x00], // 16-bit opcode
  udpFirstPacket: { short: [0x00] },
  fields: [],
  doc: 'TFTP (RFC 1350/2347): read/write requests with a transfer mode, or a DATA/ACK (OACK/ACK) exchange.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.len < 4 || buf[off] !== 0) return Verdict.Exclude;
    const op = buf[off + 1];
    const st = ctx.state as number | undefined;
    if (st === undefined) {
      if (op === RRQ || op === WRQ) {
        if (!request(buf, off, end)) return Verdict.Exclude;
        ctx.detect(P.TFTP);
        return Verdict.Done;
      }
      if (op === DATA && ctx.len <= 4 + 512) {
        ctx.state = be16(buf, off + 2);
        return Verdict.Continue;
      }
      if (op === OACK && buf[end - 1] === 0) {
        ctx.state = 0;
        return Verdict.Continue;
      }
      return Verdict.Exclude;
    }
    if (ctx.dir === 0) return op === DATA || op === OACK ? Verdict.Continue : Verdict.Exclude;
    if (op !== ACK || ctx.len !== 4 || be16(buf, off + 2) !== st) return Verdict.Exclude;
    ctx.detect(P.TFTP);
    return Verdict.Done;
  },
};
