/**
 * The metadata fields dissectors may set on a flow, with their JSON type and
 * meaning. Dissectors declare which of these they set (Dissector.fields); the
 * contract tests hold them to it, and docs/schema.md and docs/protocols.md
 * are generated from this table and the registry. Names follow nDPI's JSON
 * output where it has one (ndpiReader -K json / ntopng), so existing Kibana
 * fields keep working.
 */

export type MetaType = 'string' | 'number' | 'string[]';

export const META_FIELDS = {
  server_name: ['string', 'Host name: TLS/QUIC SNI, HTTP Host, DNS/mDNS/LLMNR/NetBIOS query name, DHCP host name, or another server-name-like value the protocol carries'],
  user_agent: ['string', 'HTTP User-Agent (also QUIC, SIP, RTSP and SSDP USER-AGENT)'],
  url: ['string', 'HTTP request target with the host: host + path + query'],
  http_method: ['string', 'HTTP request method'],
  http_status: ['number', 'HTTP response status code'],
  http_content_type: ['string', 'HTTP response Content-Type'],
  server_banner: ['string', 'Server software as the server announces it (HTTP Server header, FTP/SMTP/POP3/IMAP greeting, SSH server banner)'],
  client_banner: ['string', 'Client software as the client announces it (SSH client banner)'],
  tls_version: ['string', 'TLS/DTLS version in use: "TLSv1.2", "TLSv1.3", "DTLSv1.2"'],
  tls_supported_versions: ['string', 'Versions the client offers (supported_versions), ";"-separated'],
  tls_cipher: ['string', 'Cipher suite the server chose, IANA name'],
  alpn_advertised: ['string', 'ALPN protocols the client offers, ";"-separated'],
  alpn_negotiated: ['string', 'ALPN protocol the server chose'],
  ja3c: ['string', 'JA3 client fingerprint (MD5 hex)'],
  ja3s: ['string', 'JA3S server fingerprint (MD5 hex), followed by " (WEAK)" when the cipher is weak, as nDPI prints it'],
  ja4: ['string', 'JA4 client fingerprint'],
  tls_subject: ['string', 'Server certificate subject DN'],
  tls_issuer: ['string', 'Server certificate issuer DN'],
  tls_server_names: ['string', 'Server certificate subjectAltName DNS names, ","-separated'],
  tls_not_before: ['number', 'Server certificate validity start (ms since the epoch)'],
  tls_not_after: ['number', 'Server certificate validity end (ms since the epoch)'],
  tls_cert_sha1: ['string', 'SHA-1 of the server certificate, uppercase hex pairs separated by ":"'],
  tls_ech: ['number', '1 when the client offered Encrypted Client Hello'],
  quic_version: ['string', 'QUIC version: "V-1", "V-2", "Draft-29", ...'],
  hassh_c: ['string', 'HASSH client fingerprint (MD5 hex, uppercase as nDPI prints it)'],
  hassh_s: ['string', 'HASSH server fingerprint (MD5 hex, uppercase as nDPI prints it)'],
  bt_hash: ['string', 'BitTorrent info-hash (40 hex digits)'],
  dns_query_type: ['number', 'DNS query type (1 A, 28 AAAA, ...)'],
  dns_rcode: ['number', 'DNS response code'],
  dns_answers: ['string[]', 'Addresses and names from DNS answers (at most 8)'],
  dhcp_fingerprint: ['string', 'DHCP parameter request list (option 55), ","-separated'],
  dhcp_class_ident: ['string', 'DHCP vendor class identifier (option 60)'],
  username: ['string', 'User name seen in clear text (FTP, POP3, IMAP, SMTP AUTH, Telnet, HTTP Basic)'],
  smb_version: ['string', 'SMB dialect family: "SMBv1", "SMBv2", "SMBv3"'],
  kerberos_realm: ['string', 'Kerberos realm'],
  sip_from: ['string', 'SIP From URI'],
  sip_to: ['string', 'SIP To URI'],
  info: ['string', 'Free-text detail a dissector found worth keeping (protocol-specific)'],
} as const satisfies Record<string, readonly [MetaType, string]>;

export type MetaField = keyof typeof META_FIELDS;

export type MetaValue = string | number | string[];

/** The metadata of one flow, in the order fields were set. */
export type FlowMeta = { [K in MetaField]?: MetaValue };
