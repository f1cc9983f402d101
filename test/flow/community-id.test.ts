// Community ID v1: fixed vectors published with the spec and its reference
// implementation, then per-packet agreement with Wireshark's own Community ID
// post-dissector (tshark) on real captures from the nDPI corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { communityId } from '../../src/flow/community-id';

/** Address text (dotted quad, or IPv6 with optional "::" and trailing dotted quad) to 4 network-order words. */
function words(text: string): { version: 4 | 6; w: Int32Array } {
  const w = new Int32Array(4);
  if (!text.includes(':')) {
    w[0] = ipv4Word(text);
    return { version: 4, w };
  }
  const groups: number[] = [];
  const parseGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v = ipv4Word(g) >>> 0;
        out.push(v >>> 16, v & 0xffff);
      } else {
        assert.match(g, /^[0-9a-fA-F]{1,4}$/, `bad IPv6 group in ${text}`);
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const gap = text.indexOf('::');
  if (gap < 0) {
    groups.push(...parseGroups(text));
  } else {
    const head = parseGroups(text.slice(0, gap));
    const tail = parseGroups(text.slice(gap + 2));
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  }
  assert.equal(groups.length, 8, `bad IPv6 address ${text}`);
  for (let i = 0; i < 4; i++) w[i] = (groups[2 * i] << 16) | groups[2 * i + 1];
  return { version: 6, w };
}

function ipv4Word(text: string): number {
  const b = text.split('.').map(Number);
  assert.ok(b.length === 4 && b.every((x) => Number.isInteger(x) && x >= 0 && x <= 255), `bad IPv4 address ${text}`);
  return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
}

/** communityId() on address strings; for ICMP/ICMPv6, `sport`/`dport` are type/code. */
function cid(proto: number, saddr: string, daddr: string, sport: number | null, dport: number | null, seed = 0): string {
  const s = words(saddr);
  const d = words(daddr);
  assert.equal(s.version, d.version);
  const icmp = proto === 1 || proto === 58;
  const p1 = sport ?? 0;
  const p2 = dport ?? 0;
  return communityId(s.version, s.w, 0, d.w, 0, proto, icmp ? 0 : p1, icmp ? 0 : p2, icmp ? p1 : 0, icmp ? p2 : 0, seed);
}

type Vector = [proto: number, saddr: string, daddr: string, sport: number | null, dport: number | null, expected: string];

// corelight/community-id-spec, baseline/README.md, "Default settings" table.
// (The ICMP/ICMPv6 rows give type and code in the port columns.)
const SPEC_BASELINE_SEED0: Vector[] = [
  [6, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:wCb3OG7yAFWelaUydu0D+125CLM='],
  [6, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:wCb3OG7yAFWelaUydu0D+125CLM='],
  [17, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg='],
  [17, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg='],
  [132, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8='],
  [132, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8='],
  [1, '1.2.3.4', '5.6.7.8', 8, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0='],
  [1, '5.6.7.8', '1.2.3.4', 0, 0, '1:crodRHL2FEsHjbv3UkRrfbs4bZ0='],
  [1, '1.2.3.4', '5.6.7.8', 11, 0, '1:f/YiSyWqczrTgfUCZlBUnvHRcPk='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 128, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo='],
  [58, 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 129, 0, '1:0bf7hyMJUwt3fMED7z8LIfRpBeo='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 146, 0, '1:fYC8+pz24E+EhANP1EZhpX0Dw10='],
  [46, '1.2.3.4', '5.6.7.8', null, null, '1:ikv3kmf89luf73WPz1jOs49S768='],
  [46, '5.6.7.8', '1.2.3.4', null, null, '1:ikv3kmf89luf73WPz1jOs49S768='],
  [46, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', null, null, '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0='],
  [46, 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', null, null, '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0='],
];

// corelight/community-id-spec, baseline/README.md, "A custom seed=1 value" table.
const SPEC_BASELINE_SEED1: Vector[] = [
  [6, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk='],
  [6, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk='],
  [17, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:OShq+iKDAMVouh/4bMxB9Sz4amw='],
  [17, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:OShq+iKDAMVouh/4bMxB9Sz4amw='],
  [132, '1.2.3.4', '5.6.7.8', 1122, 3344, '1:uitchpn5MMGAQKBJh7bIr/bAr7s='],
  [132, '5.6.7.8', '1.2.3.4', 3344, 1122, '1:uitchpn5MMGAQKBJh7bIr/bAr7s='],
  [1, '1.2.3.4', '5.6.7.8', 8, 0, '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
  [1, '5.6.7.8', '1.2.3.4', 0, 0, '1:9pr4ZGTICiuZoIh90RRYE2RyXpU='],
  [1, '1.2.3.4', '5.6.7.8', 11, 0, '1:1DD7cWGC/Yg91YGsQeni8du3pIA='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 128, 0, '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
  [58, 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 129, 0, '1:IO27GQzPuCtNnwFvjWALMHu5tJE='],
  [58, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 146, 0, '1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s='],
  [46, '1.2.3.4', '5.6.7.8', null, null, '1:/buhqeOmaRCopOZFy9HnoJd5XW8='],
  [46, '5.6.7.8', '1.2.3.4', null, null, '1:/buhqeOmaRCopOZFy9HnoJd5XW8='],
  [46, 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', null, null, '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM='],
  [46, 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', null, null, '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM='],
];

// corelight/pycommunityid, tests/communityid_test.py: [tuple, seed 0, seed 1].
// For ICMP/ICMPv6 the port columns are type and code.
const PYCOMMUNITYID: Array<[number, string, string, number | null, number | null, string, string]> = [
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  // Type 20 is not a request/response type: one-way, the code is hashed.
  [1, '192.168.0.89', '192.168.0.1', 20, 0, '1:3o2RFccXzUgjl7zDpqmY7yJi8rI=', '1:lCXHHxavE1Vq3oX9NH5ladQg02o='],
  [1, '192.168.0.89', '192.168.0.1', 20, 1, '1:tz/fHIDUHs19NkixVVoOZywde+I=', '1:Ie3wmFyxiEyikbsbcO03d2nh+PM='],
  // Echo reply: the code is ignored.
  [1, '192.168.0.1', '192.168.0.89', 0, 20, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 0, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 0, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  // Time exceeded is one-way: the two directions differ.
  [58, '3ffe:507:0:1:260:97ff:fe07:69ea', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:NdobDX8PQNJbAyfkWxhtL2Pqp5w=', '1:OlOWx9psIbBFi7lOCw/4MhlKR9M='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:507:0:1:260:97ff:fe07:69ea', 3, 0, '1:/OGBt9BN1ofenrmSPWYicpij2Vc=', '1:Ij4ZxnC87/MXzhOjvH2vHu7LRmE='],
  [132, '192.168.170.8', '192.168.170.56', 7, 80, '1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=', '1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU='],
  [132, '192.168.170.56', '192.168.170.8', 80, 7, '1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=', '1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  // pycommunityid issue #3: ports compared as 16-bit numbers, not as text.
  [6, '10.0.0.1', '10.0.0.2', 10, 11569, '1:SXBGMX1lBOwhhoDrZynfROxnhnM=', '1:HmBRGR+fUyXF4t8WEtal7Y0gEAo='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [46, '10.1.24.4', '10.1.12.1', null, null, '1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=', '1:BK3BVW3U2eemuwVQVN3zd/GULno='],
  [46, '10.1.12.1', '10.1.24.4', null, null, '1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=', '1:BK3BVW3U2eemuwVQVN3zd/GULno='],
];

test('community-id-spec baseline tables, seed 0 and seed 1', () => {
  for (const [proto, s, d, sp, dp, want] of SPEC_BASELINE_SEED0) {
    assert.equal(cid(proto, s, d, sp, dp), want, `seed 0: ${proto} ${s}/${sp} -> ${d}/${dp}`);
  }
  for (const [proto, s, d, sp, dp, want] of SPEC_BASELINE_SEED1) {
    assert.equal(cid(proto, s, d, sp, dp, 1), want, `seed 1: ${proto} ${s}/${sp} -> ${d}/${dp}`);
  }
});

test('pycommunityid test vectors, seed 0 and seed 1', () => {
  for (const [proto, s, d, sp, dp, want0, want1] of PYCOMMUNITYID) {
    assert.equal(cid(proto, s, d, sp, dp, 0), want0, `seed 0: ${proto} ${s}/${sp} -> ${d}/${dp}`);
    assert.equal(cid(proto, s, d, sp, dp, 1), want1, `seed 1: ${proto} ${s}/${sp} -> ${d}/${dp}`);
  }
});

test('ports and ICMP fields are ignored where the spec does not hash them', () => {
  const want = cid(46, '10.1.24.4', '10.1.12.1', null, null);
  const a = words('10.1.24.4').w;
  const b = words('10.1.12.1').w;
  assert.equal(communityId(4, a, 0, b, 0, 46, 1234, 80, 8, 3), want);
  assert.equal(communityId(4, b, 0, a, 0, 46, 80, 1234, 0, 0), want);
  const tcp = communityId(4, a, 0, b, 0, 6, 1234, 80, 0, 0);
  assert.equal(communityId(4, a, 0, b, 0, 6, 1234, 80, 8, 3), tcp);
  const echo = communityId(4, a, 0, b, 0, 1, 0, 0, 8, 0);
  assert.equal(communityId(4, a, 0, b, 0, 1, 1234, 80, 8, 0), echo);
});

test('addresses are read at their offsets and compared as unsigned network-order words', () => {
  // 200.0.0.1 has its top bit set (a negative Int32); it must sort after 10.0.0.1.
  const both = new Int32Array(16);
  both.set(words('200.0.0.1').w, 4);
  both.set(words('10.0.0.1').w, 12);
  const s = words('200.0.0.1').w;
  const d = words('10.0.0.1').w;
  const want = communityId(4, d, 0, s, 0, 6, 80, 40000, 0, 0);
  assert.equal(communityId(4, both, 4, both, 12, 6, 40000, 80, 0, 0), want);
  assert.equal(communityId(4, s, 0, d, 0, 6, 40000, 80, 0, 0), want);

  const v6 = new Int32Array(8);
  v6.set(words('fe80::1').w, 0);
  v6.set(words('2001:db8::1').w, 4);
  assert.equal(
    communityId(6, v6, 0, v6, 4, 17, 5353, 5353, 0, 0),
    cid(17, '2001:db8::1', 'fe80::1', 5353, 5353),
  );
  assert.equal(cid(17, 'fe80::1', '2001:db8::1', 5353, 5353), cid(17, '2001:db8::1', 'fe80::1', 5353, 5353));
});

test('equal addresses are ordered by port', () => {
  assert.equal(cid(6, '10.0.0.1', '10.0.0.1', 40000, 80), cid(6, '10.0.0.1', '10.0.0.1', 80, 40000));
  assert.notEqual(cid(6, '10.0.0.1', '10.0.0.1', 40000, 80), cid(6, '10.0.0.1', '10.0.0.1', 40000, 81));
});

test('seed must be a 16-bit unsigned integer', () => {
  const a = words('1.2.3.4').w;
  const b = words('5.6.7.8').w;
  assert.equal(communityId(4, a, 0, b, 0, 6, 1122, 3344, 0, 0, 65535).slice(0, 2), '1:');
  for (const bad of [-1, 65536, 1.5, Number.NaN]) {
    assert.throws(() => communityId(4, a, 0, b, 0, 6, 1122, 3344, 0, 0, bad), RangeError);
  }
});

// ---- Agreement with Wireshark's Community ID post-dissector ----------------

const CORPUS = process.env.NDPI_CORPUS ?? join(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'ndpi', 'pcap');

/**
 * Captures and what each brings: TCP and UDP over IPv4 and IPv6 throughout;
 * ICMP echo (googledns_android10, viber), destination unreachable (gnutella,
 * quic_interop_V), time exceeded (nintendo), redirect (alexa-app), router
 * advertisement/solicitation (anyconnect-vpn, dos_win98_smb_netbeui); ICMPv6
 * destination unreachable (quic_interop_V), echo inside 6in4 (6in4tunnel),
 * router/neighbour solicitation and advertisement and MLDv2 reports (gnutella,
 * alexa-app, anyconnect-vpn); SCTP (sctp.cap); ESP, PIM and OSPF (port-less);
 * TCP inside IPv4-in-IPv6 and IPv6-in-IPv6 tunnels (the innermost header
 * counts); DNS over fragmented UDP (dns_fragmented: Wireshark hashes a
 * fragment that lacks the UDP header without ports, which no flow record
 * does, so those frames are counted as not compared).
 */
const CAPTURES = [
  'googledns_android10.pcap',
  'viber.pcap',
  'gnutella.pcap',
  'quic_interop_V.pcapng',
  'nintendo.pcap',
  'alexa-app.pcapng',
  'anyconnect-vpn.pcap',
  'dos_win98_smb_netbeui.pcap',
  '6in4tunnel.pcap',
  '4in6tunnel.pcap',
  '6in6tunnel.pcap',
  'dns_fragmented.pcap',
  'sctp.cap',
  'esp.pcapng',
  'pim.pcap',
  'ospfv2_add_new_prefix.pcap',
];
/** Captures also compared with a non-zero seed (high and low bytes both set). */
const SEEDED_CAPTURES = ['gnutella.pcap', 'sctp.cap', 'pim.pcap', 'googledns_android10.pcap'];
const SEED = 0x1234;

const FIELDS = [
  'frame.number',
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
  'sctp.srcport',
  'sctp.dstport',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'communityid',
] as const;
type Field = (typeof FIELDS)[number];
type Row = Record<Field, string[]>;

function tsharkAvailable(): boolean {
  const r = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

function runTshark(file: string, seed: number): Promise<Row[]> {
  const args = ['-r', file, '-n', '--enable-protocol', 'communityid', '-o', `communityid.seed:${seed}`, '-T', 'fields'];
  args.push('-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,');
  for (const f of FIELDS) args.push('-e', f);
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { maxBuffer: 256 << 20 }, (err, stdout) => {
      if (err) {
        reject(new Error(`tshark on ${file}: ${err.message}`));
        return;
      }
      const rows: Row[] = [];
      for (const line of stdout.split('\n')) {
        if (line === '') continue;
        const cols = line.split('\t');
        assert.equal(cols.length, FIELDS.length, `tshark line has ${cols.length} columns: ${line}`);
        const row = {} as Row;
        FIELDS.forEach((f, i) => (row[f] = cols[i] === '' ? [] : cols[i].split(',')));
        rows.push(row);
      }
      resolve(rows);
    });
  });
}

type Kind = 'tcp' | 'udp' | 'sctp' | 'icmp two-way' | 'icmp one-way' | 'icmpv6 two-way' | 'icmpv6 one-way' | 'port-less';
const ICMP_TWO_WAY = new Set([0, 8, 9, 10, 13, 14, 15, 16, 17, 18]);
const ICMPV6_TWO_WAY = new Set([128, 129, 130, 131, 133, 134, 135, 136, 139, 140, 144, 145]);

interface Input {
  kind: Kind;
  version: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  icmpType: number;
  icmpCode: number;
}

/** The n-th (0-based) value of a field, which must exist. */
function nth(row: Row, field: Field, n: number): string {
  const v = row[field][n];
  assert.ok(v !== undefined, `frame ${row['frame.number'][0]}: no occurrence ${n} of ${field}`);
  return v;
}

/**
 * The communityId() inputs for one packet, from tshark's fields alone: the
 * addresses of the innermost IP header that is not inside an ICMP error
 * message, and what follows that header (ICMP type and code, TCP/UDP/SCTP
 * ports, or nothing but the IP protocol number). Returns a string naming the
 * reason when the packet cannot be expressed as a flow record's inputs.
 */
function inputsOf(row: Row): Input | string {
  const layers = row['frame.protocols'][0].split(':');
  const icmpAt = layers.findIndex((l) => l === 'icmp' || l === 'icmpv6');
  const end = icmpAt < 0 ? layers.length : icmpAt;
  let ipAt = -1;
  for (let i = 0; i < end; i++) if (layers[i] === 'ip' || layers[i] === 'ipv6') ipAt = i;
  if (ipAt < 0) return 'not IP';
  const ipName = layers[ipAt] as 'ip' | 'ipv6';
  const occurrence = (name: string, upTo: number): number => layers.slice(0, upTo).filter((l) => l === name).length;
  const ipN = occurrence(ipName, ipAt);
  const version = ipName === 'ip' ? 4 : 6;
  const src = nth(row, ipName === 'ip' ? 'ip.src' : 'ipv6.src', ipN);
  const dst = nth(row, ipName === 'ip' ? 'ip.dst' : 'ipv6.dst', ipN);
  const ipProto = Number(nth(row, ipName === 'ip' ? 'ip.proto' : 'ipv6.nxt', ipN));
  let nextAt = ipAt + 1;
  while (nextAt < layers.length && layers[nextAt].startsWith('ipv6.')) nextAt++;
  const next = layers[nextAt];
  const base = { version, src, dst, srcPort: 0, dstPort: 0, icmpType: 0, icmpCode: 0 } as const;
  if (next === 'icmp' || next === 'icmpv6') {
    const icmpType = Number(nth(row, `${next}.type`, 0));
    const icmpCode = Number(nth(row, `${next}.code`, 0));
    const twoWay = (next === 'icmp' ? ICMP_TWO_WAY : ICMPV6_TWO_WAY).has(icmpType);
    const kind: Kind = `${next} ${twoWay ? 'two-way' : 'one-way'}`;
    return { ...base, kind, proto: next === 'icmp' ? 1 : 58, icmpType, icmpCode };
  }
  if (next === 'tcp' || next === 'udp' || next === 'sctp') {
    const n = occurrence(next, nextAt);
    const srcPort = Number(nth(row, `${next}.srcport`, n));
    const dstPort = Number(nth(row, `${next}.dstport`, n));
    return { ...base, kind: next, proto: { tcp: 6, udp: 17, sctp: 132 }[next], srcPort, dstPort };
  }
  const extensions = layers.slice(ipAt + 1, nextAt);
  if (extensions.includes('ipv6.fraghdr') || [1, 6, 17, 58, 132].includes(ipProto)) {
    return 'IP fragment without its transport header';
  }
  // ipv6.nxt is the fixed header's Next Header, not the protocol after the extension headers.
  if (extensions.length > 0) return 'IPv6 port-less protocol behind extension headers';
  return { ...base, kind: 'port-less', proto: ipProto };
}

interface Tally {
  compared: number;
  byKind: Map<Kind, number>;
  skipped: Map<string, number>;
  mismatches: string[];
}

function compare(file: string, rows: Row[], seed: number, tally: Tally): void {
  for (const row of rows) {
    const inp = inputsOf(row);
    if (typeof inp === 'string') {
      tally.skipped.set(inp, (tally.skipped.get(inp) ?? 0) + 1);
      continue;
    }
    const wanted = row.communityid;
    assert.equal(wanted.length, 1, `${file} frame ${row['frame.number'][0]}: tshark gave ${wanted.length} Community IDs`);
    const s = words(inp.src);
    const d = words(inp.dst);
    assert.equal(s.version, inp.version);
    const got = communityId(inp.version, s.w, 0, d.w, 0, inp.proto, inp.srcPort, inp.dstPort, inp.icmpType, inp.icmpCode, seed);
    tally.compared++;
    tally.byKind.set(inp.kind, (tally.byKind.get(inp.kind) ?? 0) + 1);
    if (got !== wanted[0] && tally.mismatches.length < 20) {
      tally.mismatches.push(
        `${file} seed ${seed} frame ${row['frame.number'][0]} (${row['frame.protocols'][0]}) ` +
          `${JSON.stringify(inp)}: ours ${got}, tshark ${wanted[0]}`,
      );
    }
  }
}

test('agrees with Wireshark (tshark) packet by packet on nDPI captures', async (t) => {
  if (!tsharkAvailable()) {
    t.skip('tshark is not installed: Wireshark agreement not checked');
    return;
  }
  for (const f of CAPTURES) assert.ok(existsSync(join(CORPUS, f)), `missing capture ${join(CORPUS, f)} (set NDPI_CORPUS)`);
  const jobs = [
    ...CAPTURES.map((f) => ({ f, seed: 0 })),
    ...SEEDED_CAPTURES.map((f) => ({ f, seed: SEED })),
  ];
  const results = await Promise.all(jobs.map(async (j) => ({ ...j, rows: await runTshark(join(CORPUS, j.f), j.seed) })));
  const tally: Tally = { compared: 0, byKind: new Map(), skipped: new Map(), mismatches: [] };
  for (const r of results) compare(r.f, r.rows, r.seed, tally);
  t.diagnostic(`compared ${tally.compared} packets: ${[...tally.byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  t.diagnostic(`not compared: ${[...tally.skipped].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  assert.deepEqual(tally.mismatches, []);
  for (const k of ['tcp', 'udp', 'sctp', 'icmp two-way', 'icmp one-way', 'icmpv6 two-way', 'icmpv6 one-way', 'port-less'] as const) {
    assert.ok((tally.byKind.get(k) ?? 0) > 0, `no ${k} packet was compared`);
  }
});
