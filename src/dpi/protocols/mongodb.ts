/**
 * MongoDB wire protocol (MongoDB manual, "MongoDB Wire Protocol"): every
 * message starts with a 16-byte little-endian header: messageLength,
 * requestID, responseTo, opCode. Requests (responseTo 0) with opcode
 * OP_MSG 2013, OP_QUERY 2004, OP_COMPRESSED 2012, OP_GET_MORE 2005,
 * OP_INSERT 2002, OP_UPDATE 2001, OP_DELETE 2006 or OP_KILL_CURSORS 2007 and a
 * length equal to the segment are remembered; the server's reply (OP_MSG,
 * OP_REPLY 1 or OP_COMPRESSED) whose responseTo is that requestID confirms
 * the flow. An OP_MSG whose body is one well-formed kind-0 section (a BSON
 * document filling the message) is enough by itself.
 * Ignores: the documents' contents, messages spanning segments.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

const OP_REPLY = 1;
const OP_MSG = 2013;
const OP_COMPRESSED = 2012;

function isRequestOp(op: number): boolean {
  return op === OP_MSG || op === 2004 || op === OP_COMPRESSED || op === 2005 || op === 2002 || op === 2001 || op === 2006 || op === 2007;
}

/** OP_MSG with flagBits using only defined bits and a single kind-0 section holding one BSON document. */
function selfContainedMsg(b: Buffer, o: number, n: number): boolean {
  if (n < 16 + 4 + 1 + 5) return false;
  const flags = le32(b, o + 16);
  if ((flags & ~0x10003) !== 0) return false;
  const end = o + n - ((flags & 1) !== 0 ? 4 : 0);
  if (b[o + 20] !== 0) return false;
  const doc = o + 21;
  const dlen = le32(b, doc);
  return dlen >= 5 && doc + dlen === end && b[end - 1] === 0;
}

export const dissector: Dissector = {
  id: P.MongoDB,
  on: On.Tcp,
  tcpPorts: [27017],
  budget: 4,
  tcpFirstPacket: { short: [] }, // the header alone is 16 bytes
  fields: [],
  doc: 'MongoDB wire protocol header (length equal to the segment, known opcode) and a reply whose responseTo matches the request id, or a self-contained OP_MSG.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 16 || le32(b, o) !== n) return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
    const reqId = le32(b, o + 4);
    const respTo = le32(b, o + 8);
    const op = le32(b, o + 12);
    if (ctx.state === undefined) {
      if (ctx.dir !== Dir.C2S || respTo !== 0 || !isRequestOp(op)) return Verdict.Exclude;
      if (op === OP_MSG && selfContainedMsg(b, o, n)) return Verdict.Done;
      ctx.state = reqId;
      return Verdict.Continue;
    }
    if (ctx.dir === Dir.C2S) return Verdict.Continue;
    if (respTo === ctx.state && (op === OP_MSG || op === OP_REPLY || op === OP_COMPRESSED)) return Verdict.Done;
    return Verdict.Exclude;
  },
};
