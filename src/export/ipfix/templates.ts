/**
 * The templates flowtap exports over IPFIX (RFC 7011) and NetFlow v9
 * (RFC 3954): one for IPv4 flows, one for IPv6 flows, each a list of
 * information elements with the field length used and the record value that
 * fills it.
 *
 * Direction: a flowtap record is a biflow (src = client). IPFIX carries it as
 * one RFC 5103 biflow record: the forward counters are client→server ("out"),
 * the reverse elements (enterprise 29305) server→client ("in"). NetFlow v9
 * has no enterprise elements, so v9 uses IN_BYTES/IN_PKTS for client→server
 * and OUT_BYTES/OUT_PKTS for server→client, as nProbe does; nfdump decodes
 * both forms into its in/out counters of one record.
 *
 * Times are absolute milliseconds (flowStart/EndMilliseconds, also in v9,
 * where the uptime-relative FIRST/LAST_SWITCHED cannot represent capture
 * times older than the exporter's uptime). Application: RFC 6759
 * applicationId (classification engine 20 = PANA-L7-PEN, PEN 35632, nDPI id),
 * applicationName (IPFIX only) and nProbe's L7_PROTO / L7_PROTO_NAME.
 * Not exported: DPI metadata, risks, community id, tunnel, confidence.
 */
import { IE, type InformationElement } from './elements';

/** Template field length meaning "variable length" (RFC 7011 §7). */
export const VARIABLE_LENGTH = 0xffff;

/** Fixed length of string fields in NetFlow v9, which has no variable-length fields. */
export const V9_STRING_LENGTH = 40;

/** Longest string value written (bytes, UTF-8, cut at a character boundary). */
export const MAX_STRING_BYTES = 128;

/** ntop's private enterprise number (used in the applicationId selector). */
export const PEN_NTOP = 35632;

/** RFC 6759 classification engine id 20: PANA-L7-PEN (PEN-qualified layer 7 application ids). */
export const ENGINE_PANA_L7_PEN = 20;

/** Length of the applicationId value: engine id (1), PEN (4), nDPI protocol id (2). */
export const APPLICATION_ID_LENGTH = 7;

/** Which value of the record a field carries. */
export const enum Source {
  SrcAddr,
  DstAddr,
  SrcPort,
  DstPort,
  Proto,
  FirstMs,
  LastMs,
  OutBytes,
  OutPkts,
  InBytes,
  InPkts,
  OutFlags,
  InFlags,
  AllFlags,
  IcmpTypeCode,
  Vlan,
  EndReason,
  FlowId,
  ApplicationId,
  NdpiId,
  AppName,
}

export interface TemplateField {
  readonly ie: InformationElement;
  /** Field length in bytes, or VARIABLE_LENGTH. */
  readonly length: number;
  readonly source: Source;
}

export interface Template {
  readonly id: number;
  readonly ipVersion: 4 | 6;
  readonly fields: readonly TemplateField[];
}

export type ExportProtocol = 'ipfix' | 'netflow9';

export const TEMPLATE_ID_IPV4 = 256;
export const TEMPLATE_ID_IPV6 = 257;

const f = (ie: InformationElement, length: number, source: Source): TemplateField => ({ ie, length, source });

/** The fields both protocols start with: addresses, ports, protocol, ms times and the client→server counters. */
function flowKeyAndForwardCounters(v4: boolean): TemplateField[] {
  return [
    f(v4 ? IE.sourceIPv4Address : IE.sourceIPv6Address, v4 ? 4 : 16, Source.SrcAddr),
    f(v4 ? IE.destinationIPv4Address : IE.destinationIPv6Address, v4 ? 4 : 16, Source.DstAddr),
    f(IE.sourceTransportPort, 2, Source.SrcPort),
    f(IE.destinationTransportPort, 2, Source.DstPort),
    f(IE.protocolIdentifier, 1, Source.Proto),
    f(IE.flowStartMilliseconds, 8, Source.FirstMs),
    f(IE.flowEndMilliseconds, 8, Source.LastMs),
    f(IE.octetDeltaCount, 8, Source.OutBytes),
    f(IE.packetDeltaCount, 8, Source.OutPkts),
  ];
}

function ipfixTemplate(ipVersion: 4 | 6): Template {
  const v4 = ipVersion === 4;
  return {
    id: v4 ? TEMPLATE_ID_IPV4 : TEMPLATE_ID_IPV6,
    ipVersion,
    fields: [
      ...flowKeyAndForwardCounters(v4),
      f(IE.reverseOctetDeltaCount, 8, Source.InBytes),
      f(IE.reversePacketDeltaCount, 8, Source.InPkts),
      // Reverse before forward: nfdump 1.7.1 stores a reverse element it has no reverse slot for
      // as the forward element, so the later (forward) value must win.
      f(IE.reverseTcpControlBits, 2, Source.InFlags),
      f(IE.tcpControlBits, 2, Source.OutFlags),
      f(v4 ? IE.icmpTypeCodeIPv4 : IE.icmpTypeCodeIPv6, 2, Source.IcmpTypeCode),
      f(IE.vlanId, 2, Source.Vlan),
      f(IE.flowEndReason, 1, Source.EndReason),
      f(IE.flowId, 8, Source.FlowId),
      f(IE.applicationId, APPLICATION_ID_LENGTH, Source.ApplicationId),
      f(IE.ntopL7Proto, 2, Source.NdpiId),
      f(IE.applicationName, VARIABLE_LENGTH, Source.AppName),
      f(IE.ntopL7ProtoName, VARIABLE_LENGTH, Source.AppName),
    ],
  };
}

function netflow9Template(ipVersion: 4 | 6): Template {
  const v4 = ipVersion === 4;
  return {
    id: v4 ? TEMPLATE_ID_IPV4 : TEMPLATE_ID_IPV6,
    ipVersion,
    fields: [
      ...flowKeyAndForwardCounters(v4),
      f(IE.postOctetDeltaCount, 8, Source.InBytes),
      f(IE.postPacketDeltaCount, 8, Source.InPkts),
      f(IE.tcpControlBits, 2, Source.AllFlags),
      // v9 ICMP_TYPE (32) for both IP versions, as nProbe exports it and nfdump decodes it.
      f(IE.icmpTypeCodeIPv4, 2, Source.IcmpTypeCode),
      f(IE.vlanId, 2, Source.Vlan),
      // No flowId (148): nfdump reads it in v9 as the NSEL connection id and turns the flow into a firewall event.
      f(IE.flowEndReason, 1, Source.EndReason),
      f(IE.applicationId, APPLICATION_ID_LENGTH, Source.ApplicationId),
      f(IE.ntopL7Proto, 2, Source.NdpiId),
      f(IE.ntopL7ProtoName, V9_STRING_LENGTH, Source.AppName),
    ],
  };
}

/** The IPv4 and IPv6 templates of a protocol, IPv4 first. */
export function templatesFor(protocol: ExportProtocol): readonly [Template, Template] {
  return protocol === 'ipfix' ? [ipfixTemplate(4), ipfixTemplate(6)] : [netflow9Template(4), netflow9Template(6)];
}

/** flowEndReason values (RFC 7012 / IANA) for flowtap's flow_end_reason. */
export function flowEndReasonCode(reason: string): number {
  switch (reason) {
    case 'idle':
      return 0x01;
    case 'active':
      return 0x02;
    case 'fin':
    case 'rst':
      return 0x03;
    case 'end_of_input':
      return 0x04;
    case 'evicted':
      return 0x05;
    default:
      return 0x00;
  }
}
