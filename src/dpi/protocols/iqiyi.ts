/**
 * iQIYI (PPStream) P2P video delivery over UDP: the client's peer/tracker
 * requests are 120-300 byte datagrams that carry the NUL-padded service
 * name "PPStream" (iQIYI's P2P engine, inherited from PPS). Recognised from
 * that name, NUL-terminated, inside a datagram of that size.
 * Ignores: the rest of the (binary) request.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const NAME = ascii('PPStream\0');

export const dissector: Dissector = {
  id: P.iQIYI,
  on: On.Udp,
  budget: 2,
  udpFirstPacket: { minLen: 121, maxLen: 299, short: [] },
  fields: [],
  doc: 'iQIYI / PPStream P2P: 120-300 byte UDP requests carrying the NUL-terminated name "PPStream".',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.len <= 120 || ctx.len >= 300) return Verdict.Exclude;
    return indexOf(ctx.buf, ctx.off, ctx.off + ctx.len, NAME) >= 0 ? Verdict.Done : Verdict.Exclude;
  },
};
