/**
 * Community ID flow hash, version 1 (Corelight's community-id-spec,
 * https://github.com/corelight/community-id-spec): a string that names a
 * bidirectional flow the same way in every tool that implements the spec
 * (Zeek, Suricata, Wireshark, Elastic, Arkime...), so records can be joined
 * across them by plain string comparison.
 *
 * The value is "1:" followed by the base64 (standard alphabet, padded) of the
 * SHA-1 of these bytes, all in network order:
 *
 *   seed (2) | address A (4 or 16) | address B (4 or 16) | IP protocol (1) | 0 (1)
 *   | port A (2) | port B (2)
 *
 * The ports are present only for TCP, UDP, SCTP, ICMP and ICMPv6. For every
 * other IP protocol (ESP, GRE, OSPF...) only seed, addresses and protocol are
 * hashed, and ports passed in are ignored.
 *
 * Direction is abstracted away by ordering the endpoints: A is the numerically
 * smaller address (compared byte by byte), and when the addresses are equal,
 * the endpoint with the smaller port.
 *
 * ICMP and ICMPv6 follow Zeek's model. The "source port" is the message type.
 * For request/response types (echo, timestamp, information, address mask and
 * router solicitation/advertisement for ICMP; echo, MLD query/report, router
 * and neighbour solicitation/advertisement, node information (who-are-you)
 * and home agent address discovery for ICMPv6) the "destination port" is the
 * type of the counterpart message (the code is not hashed), so a request and
 * its reply share an ID.
 * Every other type is one-way: the "destination port" is the message code and
 * the endpoints are never swapped, so sender and receiver stay in place.
 *
 * Not covered by the spec and so not considered here: VLAN ids, MPLS labels,
 * tunnels and any other encapsulation. The caller passes the addresses and
 * protocol it keys the flow on (for flowtap, the innermost IP header).
 */
import { sha1Short } from '../util/sha1';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;

/** Counterpart type for each two-way ICMP type, -1 for one-way types. */
const ICMP_COUNTERPART = counterparts([
  [8, 0], // echo request / echo reply
  [13, 14], // timestamp / timestamp reply
  [15, 16], // information request / reply
  [10, 9], // router solicitation / router advertisement
  [17, 18], // address mask request / reply
]);

/** Counterpart type for each two-way ICMPv6 type, -1 for one-way types. */
const ICMPV6_COUNTERPART = counterparts([
  [128, 129], // echo request / echo reply
  [130, 131], // MLD listener query / report
  [133, 134], // router solicitation / advertisement
  [135, 136], // neighbour solicitation / advertisement
  [139, 140], // node information (who-are-you) query / reply
  [144, 145], // home agent address discovery request / reply
]);

function counterparts(pairs: ReadonlyArray<readonly [number, number]>): Int16Array {
  const t = new Int16Array(256).fill(-1);
  for (const [a, b] of pairs) {
    t[a] = b;
    t[b] = a;
  }
  return t;
}

/** Hash input: 2 + 16 + 16 + 1 + 1 + 2 + 2 bytes at most. */
const input = Buffer.alloc(40);
const digest = Buffer.alloc(20);

/**
 * Community ID v1 of a flow.
 *
 * `srcAddr[srcOff..srcOff+3]` and `dstAddr[dstOff..dstOff+3]` hold the
 * addresses as 32-bit words in network order (the word's value is the
 * big-endian reading of its four bytes); IPv4 uses only the first word.
 * For TCP, UDP and SCTP, `srcPort`/`dstPort` are the ports and the ICMP
 * arguments are ignored; for ICMP (1) and ICMPv6 (58), `icmpType`/`icmpCode`
 * are those of the flow's first packet (sent by src) and the ports are
 * ignored; for any other protocol, ports and ICMP fields are all ignored.
 * `seed` (default 0) must be an integer in 0..65535.
 */
export function communityId(...args: Parameters<typeof communityIdDigest>): string {
  return '1:' + communityIdDigest(...args).toString('base64');
}

/**
 * The SHA-1 digest behind a Community ID (same arguments as communityId()),
 * in a buffer that is reused by the next call: for writers that encode it
 * themselves.
 */
export function communityIdDigest(
  ipVersion: 4 | 6,
  srcAddr: Int32Array,
  srcOff: number,
  dstAddr: Int32Array,
  dstOff: number,
  proto: number,
  srcPort: number,
  dstPort: number,
  icmpType: number,
  icmpCode: number,
  seed = 0,
): Buffer {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff) {
    throw new RangeError(`Community ID seed must be an integer in 0..65535, got ${seed}`);
  }
  proto &= 0xff;
  let sp: number;
  let dp: number;
  let hasPorts = true;
  let oneWay = false;
  switch (proto) {
    case PROTO_TCP:
    case PROTO_UDP:
    case PROTO_SCTP:
      sp = srcPort & 0xffff;
      dp = dstPort & 0xffff;
      break;
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
      sp = icmpType & 0xff;
      const counterpart = (proto === PROTO_ICMP ? ICMP_COUNTERPART : ICMPV6_COUNTERPART)[sp];
      if (counterpart < 0) {
        dp = icmpCode & 0xff;
        oneWay = true;
      } else {
        dp = counterpart;
      }
      break;
    }
    default:
      sp = 0;
      dp = 0;
      hasPorts = false;
  }

  const words = ipVersion === 4 ? 1 : 4;
  let swap = false;
  if (!oneWay) {
    let cmp = 0;
    for (let i = 0; i < words && cmp === 0; i++) {
      const s = srcAddr[srcOff + i] >>> 0;
      const d = dstAddr[dstOff + i] >>> 0;
      if (s !== d) cmp = s < d ? -1 : 1;
    }
    swap = cmp > 0 || (cmp === 0 && sp > dp);
  }
  const aAddr = swap ? dstAddr : srcAddr;
  const aOff = swap ? dstOff : srcOff;
  const bAddr = swap ? srcAddr : dstAddr;
  const bOff = swap ? srcOff : dstOff;

  const buf = input;
  buf[0] = seed >>> 8;
  buf[1] = seed & 0xff;
  let o = 2;
  for (let i = 0; i < words; i++, o += 4) buf.writeInt32BE(aAddr[aOff + i], o);
  for (let i = 0; i < words; i++, o += 4) buf.writeInt32BE(bAddr[bOff + i], o);
  buf[o] = proto;
  buf[o + 1] = 0;
  if (hasPorts) {
    const ap = swap ? dp : sp;
    const bp = swap ? sp : dp;
    buf[o + 2] = ap >>> 8;
    buf[o + 3] = ap & 0xff;
    buf[o + 4] = bp >>> 8;
    buf[o + 5] = bp & 0xff;
  }
  sha1Short(buf, hasPorts ? o + 6 : o + 2, digest);
  return digest;
}
