/**
 * RTP and RTCP over UDP (RFC 3550; payload types from the IANA RTP
 * parameters registry and RFC 3551; RTCP packet types 192-213 as registered,
 * e.g. SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207).
 * A loose heuristic, tried after every other dissector:
 *  - RTP: version 2, a static (0-34) or dynamic (96-127) payload type, the
 *    header (CSRCs, extension) inside the datagram; three such packets, each
 *    direction keeping one SSRC and sequence numbers moving forward by a
 *    small step, label the flow RTP;
 *  - RTCP: version 2, packet type 192-213, length field inside the datagram;
 *    four of them (and no RTP) label the flow RTCP.
 * Flows to well-known ports (below 1024) and multicast DNS/LLMNR are not
 * considered. SRTP cannot be told from RTP by its header (the payload is
 * encrypted); the STUN dissector reports SRTP when media follows a call
 * set-up it recognised.
 * Ignores: RTP over TCP (RFC 4571), payload contents, codecs.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

export const enum RtpKind {
  None = 0,
  Rtp = 1,
  Rtcp = 2,
}

export function validRtpPayloadType(pt: number): boolean {
  return pt <= 34 || (pt >= 96 && pt <= 127);
}

/** Classifies one datagram as an RTP packet, an RTCP packet or neither (header checks only). */
export function rtpKind(buf: Uint8Array, off: number, len: number): RtpKind {
  if (len < 2 || (buf[off] & 0xc0) !== 0x80) return RtpKind.None;
  const b1 = buf[off + 1];
  if (len >= 12 && validRtpPayloadType(b1 & 0x7f)) {
    const cc = buf[off] & 0x0f;
    let min = 12 + 4 * cc;
    if ((buf[off] & 0x10) !== 0) {
      if (min + 4 > len) return RtpKind.None;
      min += 4 + 4 * be16(buf, off + min + 2);
    }
    return min <= len ? RtpKind.Rtp : RtpKind.None;
  }
  if (b1 >= 192 && b1 <= 213 && len >= 8) {
    return (be16(buf, off + 2) + 1) * 4 <= len ? RtpKind.Rtcp : RtpKind.None;
  }
  return RtpKind.None;
}

interface RtpState {
  rtp: number;
  rtcp: number;
  /** Per direction: SSRC and last sequence number (seen flag in have). */
  ssrc: [number, number];
  seq: [number, number];
  have: [boolean, boolean];
  /** A sequence number moved forward (not only duplicates). */
  advanced: boolean;
}

/** Largest forward step between consecutive sequence numbers still taken as one stream. */
const MAX_SEQ_STEP = 64;

export const dissector: Dissector = {
  id: P.RTP,
  alsoDetects: [P.RTCP],
  on: On.Udp,
  budget: 8,
  weak: true,
  fields: [],
  doc: 'RTP/RTCP (RFC 3550) heuristic: version 2, valid payload/packet types, consistent SSRC and sequence numbers over three packets (four for RTCP alone).',
  dissect(ctx: DissectContext): Verdict {
    const sp = ctx.serverPort;
    if (sp < 1024 || sp === 5353 || sp === 5355 || sp === 30303) return Verdict.Exclude;
    const kind = rtpKind(ctx.buf, ctx.off, ctx.len);
    let st = ctx.state as RtpState | undefined;
    if (kind === RtpKind.None) {
      if (st === undefined) return ctx.flowIndex >= 3 ? Verdict.Exclude : Verdict.Continue;
      return Verdict.Continue;
    }
    if (st === undefined) {
      st = { rtp: 0, rtcp: 0, ssrc: [0, 0], seq: [0, 0], have: [false, false], advanced: false };
      ctx.state = st;
    }
    if (kind === RtpKind.Rtcp) {
      st.rtcp++;
      if (st.rtp === 0 && st.rtcp >= 4) {
        ctx.detect(P.RTCP);
        return Verdict.Done;
      }
      return Verdict.Continue;
    }
    const d = ctx.dir;
    const ssrc = be32(ctx.buf, ctx.off + 8);
    const seq = be16(ctx.buf, ctx.off + 2);
    if (st.have[d]) {
      const step = (seq - st.seq[d]) & 0xffff;
      if (ssrc !== st.ssrc[d] || step > MAX_SEQ_STEP) {
        // Another stream, or not a stream at all: start over in this direction.
        st.rtp = 0;
        st.advanced = false;
      } else if (step !== 0) {
        st.advanced = true;
      }
    }
    st.have[d] = true;
    st.ssrc[d] = ssrc;
    st.seq[d] = seq;
    st.rtp++;
    if (st.rtp >= 3 && st.advanced) {
      ctx.detect(P.RTP);
      return Verdict.Done;
    }
    return Verdict.Continue;
  },
};
