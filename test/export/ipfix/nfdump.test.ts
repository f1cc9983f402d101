/**
 * IPFIX and NetFlow v9 export against a real collector: nfdump's nfcapd
 * receives the records of real captures (samples/sample.pcap and nDPI corpus
 * captures with IPv6, as `flowtap --format jsonl` writes them) and nfdump
 * reads them back: every flow with its 5-tuple, both directions' packet and
 * byte counters, first/last times to the millisecond, TCP flags, VLAN, ICMP
 * type/code, end reason and (v9) the application id; nfcapd counts no
 * sequence errors and no bad packets.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IpfixTransport } from '../../../src/export/ipfix/ipfix-transport';
import { flowEndReasonCode, type ExportProtocol } from '../../../src/export/ipfix/templates';
import type { FlowRecord } from '../../../src/flow/record';
import { fullIPv6 } from './decode';
import { Nfcapd, nfdumpMissing, readFlows, readRawFlows, type NfdumpFlow } from './nfcapd';
import { SAMPLE_PCAP, captureRecords, corpusIPv6Pcaps } from './records';

const missing = nfdumpMissing();
let records: FlowRecord[] = [];

before(() => {
  if (missing !== null) return;
  records = [SAMPLE_PCAP, ...corpusIPv6Pcaps()].flatMap(captureRecords);
});

/** nfdump's 8-character TCP flags string (CWR ECE URG ACK PSH RST SYN FIN). */
function flagString(flags: number): string {
  return 'CEUAPRSF'
    .split('')
    .map((c, i) => (flags & (0x80 >> i) ? c : '.'))
    .join('');
}

function sameAddress(got: unknown, want: string, v6: boolean): boolean {
  if (typeof got !== 'string') return false;
  return v6 ? fullIPv6(got) === fullIPv6(want) : got === want;
}

function flowKey(proto: number, src: string, sport: number, dst: string, dport: number, first: number): string {
  return `${proto}|${src}|${sport}|${dst}|${dport}|${first}`;
}

function keyOfRecord(r: FlowRecord): string {
  const v6 = r.ip_version === 6;
  const icmp = r.ip_protocol === 1 || r.ip_protocol === 58;
  return flowKey(r.ip_protocol, v6 ? fullIPv6(r.src_addr) : r.src_addr, icmp ? 0 : r.src_port, v6 ? fullIPv6(r.dst_addr) : r.dst_addr, icmp ? 0 : r.dst_port, r.first_switched_ms);
}

function keyOfFlow(f: NfdumpFlow): string {
  const v6 = f.src6_addr !== undefined;
  const src = String(v6 ? fullIPv6(String(f.src6_addr)) : f.src4_addr);
  const dst = String(v6 ? fullIPv6(String(f.dst6_addr)) : f.dst4_addr);
  const icmp = f.icmp_type !== undefined;
  return flowKey(Number(f.proto), src, icmp ? 0 : Number(f.src_port), dst, icmp ? 0 : Number(f.dst_port), Date.parse(`${String(f.first)}Z`));
}

/** Differences between what was sent and what nfdump read, as readable lines. */
function compare(protocol: ExportProtocol, sent: readonly FlowRecord[], flows: NfdumpFlow[], raw: Record<string, string>[]): string[] {
  const problems: string[] = [];
  if (flows.length !== sent.length) problems.push(`nfdump has ${flows.length} flows, ${sent.length} were sent`);
  const byKey = new Map<string, number[]>();
  flows.forEach((f, i) => {
    const k = keyOfFlow(f);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  for (const r of sent) {
    const k = keyOfRecord(r);
    const i = byKey.get(k)?.shift();
    if (i === undefined) {
      problems.push(`flow ${r.flow_id} (${k}) not found`);
      continue;
    }
    const f = flows[i];
    const v6 = r.ip_version === 6;
    const want: [string, unknown, unknown][] = [
      ['src addr', sameAddress(v6 ? f.src6_addr : f.src4_addr, r.src_addr, v6), true],
      ['dst addr', sameAddress(v6 ? f.dst6_addr : f.dst4_addr, r.dst_addr, v6), true],
      ['client->server packets', f.in_packets, r.out_pkts],
      ['client->server bytes', f.in_bytes, r.out_bytes],
      ['server->client packets', f.out_packets, r.in_pkts],
      ['server->client bytes', f.out_bytes, r.in_bytes],
      ['first ms', Date.parse(`${String(f.first)}Z`), r.first_switched_ms],
      ['last ms', Date.parse(`${String(f.last)}Z`), r.last_switched_ms],
      ['vlan', f.src_vlan, r.vlan_id],
    ];
    if (r.ip_protocol === 1 || r.ip_protocol === 58) {
      want.push(['icmp type', f.icmp_type, r.icmp_type ?? 0], ['icmp code', f.icmp_code, r.icmp_code ?? 0]);
    } else {
      want.push(['src port', f.src_port, r.src_port], ['dst port', f.dst_port, r.dst_port]);
    }
    if (r.ip_protocol === 6) {
      const flags = protocol === 'ipfix' ? r.out_tcp_flags : r.out_tcp_flags | r.in_tcp_flags;
      want.push(['tcp flags', f.tcp_flags, flagString(flags & 0xff)]);
    }
    const rawRec = raw[i] ?? {};
    if (protocol === 'netflow9') {
      // nfdump prints a PANA-L7-PEN applicationId as engine..PEN..selector.
      want.push(['application id', (rawRec['app ID'] ?? '').split(':')[0], `20..35632..${r.detected_protocol}`]);
    } else {
      // nfdump 1.7.1 reads the IPFIX end reason (its v9 reader does not).
      want.push(['end reason', parseInt(rawRec['end reason'] ?? '', 16), flowEndReasonCode(r.flow_end_reason)]);
    }
    for (const [what, got, exp] of want) {
      if (got !== exp) problems.push(`flow ${r.flow_id} (${k}): ${what} ${String(got)}, sent ${String(exp)}`);
    }
  }
  return problems;
}

for (const protocol of ['ipfix', 'netflow9'] as const) {
  test(`${protocol}: nfcapd stores every flow of real captures with its 5-tuple, both directions' counters and millisecond times`, { skip: missing ?? false, timeout: 120_000 }, async () => {
    assert.ok(records.length > (corpusIPv6Pcaps().length > 0 ? 100 : 30), `only ${records.length} records`);
    assert.ok(records.some((r) => r.ip_version === 6) && records.some((r) => r.ip_version === 4));
    const nfcapd = await Nfcapd.start();
    const t = new IpfixTransport({ protocol, url: `udp://127.0.0.1:${nfcapd.port}`, maxBatch: 50 });
    try {
      for (let i = 0; i < records.length; i += t.maxBatch) {
        const result = await t.send(records.slice(i, i + t.maxBatch));
        assert.equal(result?.rejected ?? 0, 0);
      }
      await nfcapd.waitRecords(records.length);
      await nfcapd.stop();
      const problems = compare(protocol, records, readFlows(nfcapd.dir), readRawFlows(nfcapd.dir));
      assert.deepEqual(problems.slice(0, 20), [], `${problems.length} differences`);
      assert.match(nfcapd.summary, new RegExp(`Flows: ${records.length}, .*Sequence Errors: 0, Bad Packets: 0`));
    } finally {
      await t.close();
      await nfcapd.stop();
      nfcapd.remove();
    }
  });
}
