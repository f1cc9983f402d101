/**
 * IPsec key exchange over UDP: ISAKMP/IKEv1 (RFC 2408, RFC 2409) and IKEv2
 * (RFC 7296), on port 500 or NAT-traversal encapsulated (RFC 3948) behind
 * the four-byte non-ESP marker (zero) as on port 4500. The 28-byte header is
 * checked: a non-zero initiator SPI, major version 1 or 2 with an exchange
 * type defined for it, and the length field equal to the message (the first
 * two messages of the flow are looked at). Labelled IPSec as nDPI does.
 * Ignores: ESP inside UDP (no header to check), the payloads themselves, the
 * NAT-T keep-alive (a single 0xFF byte).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

function ikeHeader(buf: Buffer, off: number, len: number): boolean {
  if (len < 28) return false;
  if (be32(buf, off) === 0 && be32(buf, off + 4) === 0) return false;
  const version = buf[off + 17];
  const exchange = buf[off + 18];
  if (be32(buf, off + 24) !== len) return false;
  const major = version >> 4;
  if (major === 2) {
    // IKEv2: exchanges 34-37 (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL), 43 IKE_SESSION_RESUME ...
    return exchange >= 34 && exchange <= 54;
  }
  if (major === 1) {
    // IKEv1: Base, Identity Protection, Authentication Only, Aggressive, Informational, Quick Mode, New Group.
    return (exchange >= 1 && exchange <= 5) || exchange === 32 || exchange === 33;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.IPSec,
  on: On.Udp,
  udpPorts: [500, 4500],
  budget: 2,
  fields: [],
  doc: 'IPsec key exchange: ISAKMP/IKEv1 and IKEv2 headers (RFC 2408, RFC 7296) on UDP, also behind the NAT-T non-ESP marker (RFC 3948).',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    if (len >= 32 && be32(buf, off) === 0 ? ikeHeader(buf, off + 4, len - 4) : ikeHeader(buf, off, len)) {
      ctx.detect(P.IPSec);
      return Verdict.Done;
    }
    return Verdict.Continue;
  },
};
