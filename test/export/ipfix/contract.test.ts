/**
 * The shared Transport contract (test/export/sinks/transport-contract.ts) for
 * the IPFIX and NetFlow v9 exporters, with nfdump's nfcapd as the real peer:
 * received() turns the records nfcapd prints (-E) back into the part of a
 * flow record IPFIX / v9 carry and nfdump shows (5-tuple, both directions'
 * counters, millisecond times, TCP flags, VLAN).
 *
 * UDP cannot notice a stopped collector on the send that follows the stop
 * (the datagrams are handed to the kernel; the ICMP error comes later), so
 * the peer says detectsOutage: false; the send after restart() must still
 * arrive, which the exporter's probe after an ICMP error makes sure of.
 */
import { test } from 'node:test';
import { IpfixTransport } from '../../../src/export/ipfix/ipfix-transport';
import type { ExportProtocol } from '../../../src/export/ipfix/templates';
import type { FlowRecord } from '../../../src/flow/record';
import { transportContract, type ContractPeer } from '../sinks/transport-contract';
import { fullIPv6 } from './decode';
import { Nfcapd, nfdumpMissing } from './nfcapd';

/** The fields compared: what both sides know of a flow. */
interface Carried {
  ip_protocol: number;
  src_addr: string;
  src_port: number;
  dst_addr: string;
  dst_port: number;
  out_pkts: number;
  out_bytes: number;
  in_pkts: number;
  in_bytes: number;
  first_switched_ms: number;
  last_switched_ms: number;
  tcp_flags: number;
  vlan_id: number;
}

const address = (a: string): string => (a.includes(':') ? fullIPv6(a) : a);

function carried(protocol: ExportProtocol, r: FlowRecord): Carried {
  const tcp = r.ip_protocol === 6;
  return {
    ip_protocol: r.ip_protocol,
    src_addr: address(r.src_addr),
    src_port: r.src_port,
    dst_addr: address(r.dst_addr),
    dst_port: r.dst_port,
    out_pkts: r.out_pkts,
    out_bytes: r.out_bytes,
    in_pkts: r.in_pkts,
    in_bytes: r.in_bytes,
    first_switched_ms: r.first_switched_ms,
    last_switched_ms: r.last_switched_ms,
    // IPFIX: the forward (client) flags; v9 has one TCP_FLAGS, the union. nfdump keeps 8 bits.
    tcp_flags: tcp ? (protocol === 'ipfix' ? r.out_tcp_flags : r.out_tcp_flags | r.in_tcp_flags) & 0xff : 0,
    vlan_id: r.vlan_id,
  };
}

/** A record block nfcapd printed, as the same fields (nfdump: "in" = client->server). */
function fromBlock(b: Record<string, string>): Carried {
  const n = (k: string): number => Number((b[k] ?? '0').split(/\s+/)[0]);
  return {
    ip_protocol: n('proto'),
    src_addr: address(b['src addr'] ?? ''),
    src_port: n('src port'),
    dst_addr: address(b['dst addr'] ?? ''),
    dst_port: n('dst port'),
    out_pkts: n('in packets'),
    out_bytes: n('in bytes'),
    in_pkts: n('out packets'),
    in_bytes: n('out bytes'),
    first_switched_ms: n('first'),
    last_switched_ms: n('last'),
    tcp_flags: parseInt((b['tcp flags'] ?? '0').split(/\s+/)[0], 16),
    vlan_id: n('src vlan'),
  };
}

function peer(protocol: ExportProtocol): () => Promise<ContractPeer> {
  return async () => {
    const runs: Nfcapd[] = [await Nfcapd.start()];
    const port = runs[0].port;
    const transport = new IpfixTransport({ protocol, url: `udp://127.0.0.1:${port}` });
    return {
      transport,
      detectsOutage: false,
      expected: (r) => carried(protocol, r),
      received: () => Promise.resolve(runs.flatMap((n) => n.blocks.map(fromBlock)) as unknown as FlowRecord[]),
      stop: () => runs[runs.length - 1].stop(),
      restart: async () => {
        runs.push(await Nfcapd.start(port));
      },
      close: async () => {
        for (const n of runs) {
          await n.stop();
          n.remove();
        }
      },
    };
  };
}

const missing = nfdumpMissing();
if (missing !== null) {
  test('transport contract: IPFIX / NetFlow v9 with nfcapd', { skip: missing }, () => undefined);
} else {
  transportContract('ipfix udp (nfcapd)', peer('ipfix'), { hangLimitMs: 10_000 });
  transportContract('netflow9 udp (nfcapd)', peer('netflow9'), { hangLimitMs: 10_000 });
}
