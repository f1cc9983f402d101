/**
 * TLS over TCP and DTLS over UDP (RFC 8446, RFC 5246, RFC 6347, RFC 9147):
 * both recognised from their record and handshake layers on any port.
 * Metadata: SNI, ALPN, supported versions, ECH, JA3C/JA3S/JA4 (client-hello.ts,
 * server-hello.ts, ja3.ts, ja4.ts), negotiated version and cipher, and the
 * server certificate of TLS <= 1.2 (certificate.ts). TLS on the implicit-TLS
 * mail/file ports is labelled SMTPS/IMAPS/POPS/FTPS as nDPI does; Tor's
 * TLS client is labelled TLS.Tor and AnyDesk (by its ALPN) TLS.AnyDesk
 * (client-hello.ts).
 */
import { P } from '../../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../../dissector';
import type { MetaField } from '../../meta';
import { dissectTcp } from './record';
import { dissectUdp } from './dtls';

const FIELDS: readonly MetaField[] = [
  'server_name', 'alpn_advertised', 'alpn_negotiated', 'tls_supported_versions', 'tls_ech', 'tls_version',
  'tls_cipher', 'ja3c', 'ja3s', 'ja4', 'tls_subject', 'tls_issuer', 'tls_server_names', 'tls_not_before',
  'tls_not_after', 'tls_cert_sha1',
];

export const tls: Dissector = {
  id: P.TLS,
  early: true,
  alsoDetects: [P.SMTPS, P.IMAPS, P.POPS, P.FTPS, P.Tor, P.AnyDesk],
  on: On.Tcp,
  tcpPorts: [443],
  budget: 16,
  // Record content types: change_cipher_spec, alert, handshake, application_data.
  tcpFirstBytes: [[0x14, 0x17]],
  tcpFirstPacket: { short: [[0x14, 0x17]] }, // a partial record header is Continue
  stream: true,
  fields: FIELDS,
  doc: 'TLS records and handshake (RFC 8446/5246) on any port: ClientHello/ServerHello metadata, JA3/JA3S/JA4, server certificate; SMTPS/IMAPS/POPS/FTPS on their ports.',
  dissect(ctx: DissectContext): Verdict {
    return dissectTcp(ctx);
  },
};

export const dtls: Dissector = {
  id: P.DTLS,
  alsoDetects: [P.AnyDesk],
  on: On.Udp,
  budget: 16,
  // Record content types 20-23, or a STUN message (WebRTC) before the handshake.
  udpFirstBytes: [0x00, 0x01, [0x14, 0x17]],
  udpFirstPacket: { short: [[0x14, 0x17]] }, // 13-byte record header (STUN is 20 bytes and more)
  fields: FIELDS,
  doc: 'DTLS records and handshake (RFC 6347/9147) with fragment reassembly: ClientHello/ServerHello metadata, JA3/JA3S/JA4, server certificate.',
  dissect(ctx: DissectContext): Verdict {
    return dissectUdp(ctx);
  },
};

export const dissectors: Dissector[] = [tls, dtls];
