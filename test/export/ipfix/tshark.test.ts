/**
 * What the exporter puts on the wire, dissected by Wireshark's tshark (an
 * independent IPFIX / NetFlow v9 decoder): no malformed packets or expert
 * warnings, every record there with its application (nProbe's L7_PROTO /
 * L7_PROTO_NAME, IPFIX applicationName), observation domain and sequence
 * numbers as the RFCs define them. Also for random records (odd names,
 * long names, IPv6 forms, large counters), as a fuzz of the encoder.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpfixTransport } from '../../../src/export/ipfix/ipfix-transport';
import { V9_STRING_LENGTH, MAX_STRING_BYTES, type ExportProtocol } from '../../../src/export/ipfix/templates';
import type { FlowRecord } from '../../../src/flow/record';
import { rng } from '../../support/common';
import { Receiver, tsharkFields, tsharkMissing, tsharkProblems, writePcap } from './capture';
import { decodeMessage, fullIPv6, type TemplateStore } from './decode';
import { SAMPLE_PCAP, captureRecords, corpusIPv6Pcaps, makeRecord } from './records';

const missing = tsharkMissing();
let dir = '';
let real: FlowRecord[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'flowtap-ipfix-'));
  if (missing === null) real = [SAMPLE_PCAP, ...corpusIPv6Pcaps()].flatMap(captureRecords);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sends the records through a transport to a local receiver and returns the datagrams. */
async function exportTo(protocol: ExportProtocol, recs: readonly FlowRecord[], opts: { mtu?: number; templateRefreshPackets?: number } = {}): Promise<Buffer[]> {
  const rx = await Receiver.open();
  const t = new IpfixTransport({ protocol, url: `udp://127.0.0.1:${rx.port}`, observationDomain: 4242, maxBatch: 100, ...opts });
  try {
    for (let i = 0; i < recs.length; i += t.maxBatch) await t.send(recs.slice(i, i + t.maxBatch));
    return await countSent(rx, recs.length);
  } finally {
    await t.close();
    await rx.close();
  }
}

/** Waits until the receiver holds every data record sent (loopback delivers them; the wait has a timeout). */
async function countSent(rx: Receiver, records: number): Promise<Buffer[]> {
  for (;;) {
    const store: TemplateStore = new Map();
    const have = rx.datagrams.reduce((n, d) => n + decodeMessage(d, store).dataRecords, 0);
    if (have >= records) return rx.datagrams;
    await rx.waitFor(rx.datagrams.length + 1);
  }
}

/** The name cut to `max` UTF-8 bytes at a character boundary. */
function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** Text as tshark shows an element it dissects as ASCII (Wireshark 4.0 does so for ntop's L7_PROTO_NAME): bytes above 0x7f as U+FFFD. */
function asAscii(s: string): string {
  return [...Buffer.from(s)].map((b) => (b < 0x80 ? String.fromCharCode(b) : '\ufffd')).join('');
}

function checkWithTshark(protocol: ExportProtocol, recs: readonly FlowRecord[], datagrams: Buffer[], name: string): void {
  const port = protocol === 'ipfix' ? 4739 : 2055;
  const file = join(dir, `${name}-${protocol}.pcap`);
  writePcap(file, datagrams, port);
  assert.equal(tsharkProblems(file, port), '', 'tshark finds malformed packets or expert warnings');
  const ipfix = protocol === 'ipfix';
  const rows = tsharkFields(file, port, ['cflow.version', ipfix ? 'cflow.od_id' : 'cflow.source_id', 'cflow.sequence', 'cflow.pie.ntop.l7_proto', 'cflow.pie.ntop.l7_proto_name', 'cflow.appl_name', 'cflow.template_id', 'cflow.srcaddr', 'cflow.srcaddrv6', 'cflow.dstport']);
  assert.equal(rows.length, datagrams.length);
  const ids: string[] = [];
  const names: string[] = [];
  const applNames: string[] = [];
  const v4: string[] = [];
  const v6: string[] = [];
  const dstPorts: string[] = [];
  let dataBefore = 0;
  rows.forEach(([version, domain, sequence, l7, l7name, appl, templates, src4, src6, dport], i) => {
    v4.push(...src4);
    v6.push(...src6.map(fullIPv6));
    dstPorts.push(...dport);
    assert.deepEqual(version, [ipfix ? '10' : '9']);
    assert.deepEqual(domain, ['4242']);
    assert.deepEqual(sequence, [String(ipfix ? dataBefore : i)], `datagram ${i} sequence`);
    if (i === 0) assert.ok(templates.length >= 2, 'the first datagram carries the templates');
    dataBefore += l7.length;
    ids.push(...l7);
    names.push(...l7name);
    applNames.push(...appl);
  });
  const limit = ipfix ? MAX_STRING_BYTES : V9_STRING_LENGTH;
  // tshark leaves out empty variable-length strings (IPFIX); a v9 fixed-length field always shows.
  const expected = recs.map((r) => cut(r.protocol_name, limit)).filter((n) => !ipfix || n !== '');
  assert.deepEqual(ids, recs.map((r) => String(r.detected_protocol)));
  assert.deepEqual(names, expected.map(asAscii));
  assert.deepEqual(applNames, ipfix ? expected : []);
  assert.deepEqual(v4, recs.filter((r) => r.ip_version === 4).map((r) => r.src_addr));
  assert.deepEqual(v6, recs.filter((r) => r.ip_version === 6).map((r) => fullIPv6(r.src_addr)));
  assert.deepEqual(dstPorts, recs.map((r) => String(r.dst_port)));
}

for (const protocol of ['ipfix', 'netflow9'] as const) {
  test(`${protocol}: tshark dissects the records of real captures without complaint, with application, domain and sequence numbers`, { skip: missing ?? false, timeout: 120_000 }, async () => {
    assert.ok(real.length > (corpusIPv6Pcaps().length > 0 ? 100 : 30), `only ${real.length} records`);
    const datagrams = await exportTo(protocol, real, { templateRefreshPackets: 5 });
    for (const d of datagrams) assert.ok(d.length <= 1400);
    checkWithTshark(protocol, real, datagrams, 'real');
  });

  test(`${protocol}: random records (odd and long names, IPv6 forms, large counters) stay well-formed`, { skip: missing ?? false, timeout: 120_000 }, async () => {
    const seed = 0x1f1f + (protocol === 'ipfix' ? 0 : 1);
    const rand = rng(seed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
    const chars = ['a', 'Z', '.', '_', '-', '0', ' ', 'é', '€', '日', '😀'];
    const recs: FlowRecord[] = [];
    for (let i = 0; i < 300; i++) {
      const v6 = rand() < 0.5;
      const nameLength = pick([0, 1, 4, 39, 40, 41, 127, 128, 129, 254, 255, 300]);
      let name = '';
      while (name.length < nameLength) name += pick(chars);
      const hex = (): string => Math.floor(rand() * 65536).toString(16);
      recs.push(
        makeRecord({
          flow_id: i + 1,
          ip_version: v6 ? 6 : 4,
          ip_protocol: pick([6, 17, 1, 58, 132, 47]),
          src_addr: v6 ? pick([`2001:db8::${hex()}`, `${hex()}:${hex()}::${hex()}:${hex()}`, '::', '::ffff:192.0.2.1', `fe80::${hex()}:${hex()}:${hex()}:${hex()}`]) : `${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.0.${Math.floor(rand() * 256)}`,
          dst_addr: v6 ? `2001:db8:${hex()}::1` : '198.51.100.7',
          src_port: Math.floor(rand() * 65536),
          dst_port: Math.floor(rand() * 65536),
          out_pkts: Math.floor(rand() * 2 ** 40),
          out_bytes: Math.floor(rand() * 2 ** 52),
          in_pkts: Math.floor(rand() * 1000),
          in_bytes: pick([0, 1, 2 ** 32, 2 ** 53 - 1]),
          out_tcp_flags: Math.floor(rand() * 512),
          in_tcp_flags: Math.floor(rand() * 512),
          vlan_id: Math.floor(rand() * 4096),
          icmp_type: rand() < 0.3 ? Math.floor(rand() * 256) : undefined,
          icmp_code: Math.floor(rand() * 256),
          detected_protocol: Math.floor(rand() * 486),
          protocol_name: name,
          flow_end_reason: pick(['idle', 'active', 'fin', 'rst', 'end_of_input', 'evicted', 'other']),
          first_switched_ms: Math.floor(rand() * 2 ** 41),
          last_switched_ms: Math.floor(rand() * 2 ** 41),
        }),
      );
    }
    const datagrams = await exportTo(protocol, recs, { mtu: pick([600, 1400, 1500]) });
    checkWithTshark(protocol, recs, datagrams, `random-${seed}`);
  });
}
