/**
 * Cross-check against tshark: for corpus pcaps with tunnels (VXLAN, GTP-U,
 * 6in4, 4in6, CAPWAP) every packet's innermost addresses, ports and protocol
 * from the decoder must equal what tshark dissects. tshark prints every
 * occurrence of ip.src/ipv6.src/tcp.srcport/...; the innermost one is picked
 * with frame.protocols: the last ip/ipv6 layer before any icmp/icmpv6 (whose
 * quoted datagram the decoder does not open), and the transport layer right
 * after it. Frames tshark finds no IP in must be NotIp. Skipped when tshark or
 * the corpus is missing.
 */

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Decoder } from '../../src/decode/decoder';
import { addrWords, CORPUS, fmtAddr, outcome, readPcap } from './frames';

const run = promisify(execFile);
const FILES = ['vxlan.pcap', 'ipv6_in_gtp.pcap', '6in4tunnel.pcap', 'capwap.pcap', '4in6tunnel.pcap'];
const FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'ip.proto', 'ipv6.nxt'];
const L4: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, gre: 47, sctp: 132, esp: 50, igmp: 2, ospf: 89, vrrp: 112, pim: 103 };

interface Expected {
  ip: false | { v: 4 | 6; src: string; dst: string; proto: number | null; sport: number; dport: number };
  protocols: string;
}

function innermost(line: string): Expected {
  const c = line.split('\t');
  const all = c[0].split(':');
  const cut = all.findIndex((x) => x === 'icmp' || x === 'icmpv6');
  const chain = cut >= 0 ? all.slice(0, cut + 1) : all;
  let last = -1;
  for (let i = 0; i < chain.length; i++) if (chain[i] === 'ip' || chain[i] === 'ipv6') last = i;
  if (last < 0) return { ip: false, protocols: c[0] };
  const v = chain[last] === 'ip' ? 4 : 6;
  const nth = (col: number, n: number) => (c[col] ?? '').split('|')[n - 1] ?? '';
  const count = (name: string, upTo: number) => chain.slice(0, upTo + 1).filter((x) => x === name).length;
  const n = count(chain[last], last);
  const src = v === 4 ? nth(1, n) : nth(3, n);
  const dst = v === 4 ? nth(2, n) : nth(4, n);
  let k = last + 1;
  while (k < chain.length && /^ipv6\.(hopopts|routing|dstopts|fraghdr|shim6|mipv6)$/.test(chain[k])) k++;
  const next = chain[k];
  let sport = 0;
  let dport = 0;
  if (next === 'tcp') { const m = count('tcp', k); sport = Number(nth(5, m)); dport = Number(nth(6, m)); }
  if (next === 'udp') { const m = count('udp', k); sport = Number(nth(7, m)); dport = Number(nth(8, m)); }
  let proto: number | null = next !== undefined && next in L4 ? L4[next] : null;
  if (proto === null && v === 4) proto = Number(nth(9, n));
  return { ip: { v, src, dst, proto, sport, dport }, protocols: c[0] };
}

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('tshark-innermost-flow-keys-match-on-tunnel-pcaps', async (t) => {
  const files = FILES.map((f) => join(CORPUS, f)).filter((p) => existsSync(p));
  if (!haveTshark() || files.length === 0) {
    t.skip('tshark or the corpus is not available');
    return;
  }
  const outputs = await Promise.all(
    files.map((f) => run('tshark', ['-r', f, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((x) => ['-e', x])], { maxBuffer: 64 << 20 })),
  );
  files.forEach((file, fi) => {
    const lines = outputs[fi].stdout.split('\n').filter((l) => l.length > 0);
    const { linkType, frames } = readPcap(file);
    assert.equal(lines.length, frames.length, `${file}: tshark and the reader disagree on the packet count`);
    const d = new Decoder();
    let tunneled = 0;
    frames.forEach((fr, i) => {
      const ctx = `${file} frame ${i + 1} (${innermost(lines[i]).protocols})`;
      const r = d.decode(linkType, fr.data, 0, fr.data.length, fr.wireLen, fr.tsMs);
      const e = innermost(lines[i]).ip;
      const p = d.pkt;
      if (e === false) {
        assert.equal(outcome(d, r), 'NotIp', ctx);
        return;
      }
      assert.equal(outcome(d, r), 'Ok', ctx);
      assert.equal(p.ipVersion, e.v, `${ctx}: ip version`);
      assert.deepEqual(Array.from(p.addr), addrWords(e.src, e.dst), `${ctx}: addresses ${fmtAddr(p).join(' -> ')} vs ${e.src} -> ${e.dst}`);
      if (e.proto !== null) assert.equal(p.proto, e.proto, `${ctx}: protocol`);
      assert.equal(p.srcPort, e.sport, `${ctx}: source port`);
      assert.equal(p.dstPort, e.dport, `${ctx}: destination port`);
      if (p.tunnel !== 0) tunneled++;
    });
    assert.ok(tunneled > 0, `${file}: no packet was decapsulated`);
    t.diagnostic(`${file}: ${frames.length} packets, ${tunneled} decapsulated`);
  });
});
