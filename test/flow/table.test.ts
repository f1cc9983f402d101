/**
 * FlowTable keying and accounting, driven with hand-filled DecodedPackets:
 * both directions of a conversation land on one flow (IPv4, IPv6, equal
 * addresses with different ports), VLAN and protocol separate flows, the
 * first sender is the client unless a SYN-ACK comes first, per-direction
 * packets/bytes/TCP flags, fragment frame accounting, and first/last times
 * with out-of-order packets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpProto } from '../../src/decode/packet';
import { ACK, FIN_ACK, Harness, PSH_ACK, SYN, SYN_ACK, T0 } from './helpers';

test('both directions of an IPv4 UDP conversation are one flow', () => {
  const h = new Harness();
  const a = h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 53, ts: T0, bytes: 80 });
  assert.equal(h.table.lastDirection, 0);
  const b = h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 40000, ts: T0 + 1, bytes: 200 });
  assert.equal(h.table.lastDirection, 1);
  assert.equal(a, b);
  assert.equal(h.table.count, 1);
  const [r] = h.flush();
  assert.equal(h.records.length, 1);
  assert.deepEqual(
    [r.src_addr, r.src_port, r.dst_addr, r.dst_port, r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes],
    ['10.0.0.1', 40000, '10.0.0.2', 53, 1, 80, 1, 200],
  );
});

test('both directions are one flow whichever endpoint sorts first (high-bit IPv4 addresses)', () => {
  // 200.x has the sign bit set as an Int32: the canonical order must compare unsigned.
  for (const [c, s] of [['200.1.1.1', '10.0.0.1'], ['10.0.0.1', '200.1.1.1'], ['255.255.255.255', '0.0.0.0']]) {
    const h = new Harness();
    h.send({ src: c, dst: s, sport: 1234, dport: 80, ts: T0 });
    h.send({ src: s, dst: c, sport: 80, dport: 1234, ts: T0 + 1 });
    h.send({ src: c, dst: s, sport: 1234, dport: 80, ts: T0 + 2 });
    assert.equal(h.table.count, 1, `${c} <-> ${s}`);
    const [r] = h.flush();
    assert.deepEqual([r.src_addr, r.dst_addr, r.out_pkts, r.in_pkts], [c, s, 2, 1]);
  }
});

test('both directions of an IPv6 conversation are one flow', () => {
  const pairs = [
    ['2001:db8::1', '2001:db8::2'],
    ['fe80::1', '2001:db8::1'],
    ['2001:db8::1:0:0:1', '2001:db8:0:1::1'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe', '::1'],
  ];
  for (const [c, s] of pairs) {
    const h = new Harness();
    h.send({ src: c, dst: s, sport: 5000, dport: 443, proto: IpProto.Tcp, tcpFlags: SYN, ts: T0 });
    h.send({ src: s, dst: c, sport: 443, dport: 5000, proto: IpProto.Tcp, tcpFlags: SYN_ACK, ts: T0 + 1 });
    h.send({ src: c, dst: s, sport: 5000, dport: 443, proto: IpProto.Tcp, tcpFlags: ACK, ts: T0 + 2 });
    assert.equal(h.table.count, 1, `${c} <-> ${s}`);
    const [r] = h.flush();
    assert.equal(r.ip_version, 6);
    assert.deepEqual([r.src_addr, r.src_port, r.dst_addr, r.dst_port, r.out_pkts, r.in_pkts], [c, 5000, s, 443, 2, 1]);
  }
});

test('equal addresses with different ports: both directions are one flow', () => {
  for (const addr of ['127.0.0.1', '::1']) {
    const h = new Harness();
    h.send({ src: addr, dst: addr, sport: 50000, dport: 8080, ts: T0, bytes: 10 });
    h.send({ src: addr, dst: addr, sport: 8080, dport: 50000, ts: T0 + 1, bytes: 20 });
    h.send({ src: addr, dst: addr, sport: 8080, dport: 50000, ts: T0 + 2, bytes: 30 });
    assert.equal(h.table.count, 1, addr);
    const [r] = h.flush();
    assert.deepEqual([r.src_port, r.dst_port, r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes], [50000, 8080, 1, 10, 2, 50]);
  }
});

test('the same endpoints on different VLANs are different flows', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, vlan: 10, ts: T0 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1, vlan: 20, ts: T0 + 1 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1, vlan: 4095, ts: T0 + 2 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 2, dport: 1, vlan: 10, ts: T0 + 3 });
  assert.equal(h.table.count, 3);
  const recs = h.flush();
  assert.deepEqual(recs.map((r) => [r.vlan_id, r.src_addr, r.out_pkts, r.in_pkts]), [
    [10, '10.0.0.1', 1, 1],
    [20, '10.0.0.2', 1, 0],
    [4095, '10.0.0.2', 1, 0],
  ]);
});

test('the same endpoints and ports with different protocols (or IP versions) are different flows', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 7, dport: 7, proto: IpProto.Udp, ts: T0 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 7, dport: 7, proto: IpProto.Tcp, tcpFlags: SYN, ts: T0 + 1 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 7, dport: 7, proto: IpProto.Sctp, ts: T0 + 2 });
  // IPv6 addresses whose first words equal the IPv4 ones.
  h.send({ src: 'a00:1::', dst: 'a00:2::', sport: 7, dport: 7, proto: IpProto.Udp, ts: T0 + 3 });
  assert.equal(h.table.count, 4);
  assert.deepEqual(h.flush().map((r) => `${r.protocol}/${r.ip_version}`), ['UDP/4', 'TCP/4', 'SCTP/4', 'UDP/6']);
});

test('the first sender is the client (src, "out") even when it is the higher port', () => {
  const h = new Harness();
  h.send({ src: '192.168.1.1', dst: '192.168.1.200', sport: 53, dport: 33333, ts: T0, bytes: 70 });
  h.send({ src: '192.168.1.200', dst: '192.168.1.1', sport: 33333, dport: 53, ts: T0 + 1, bytes: 90 });
  const [r] = h.flush();
  assert.deepEqual([r.src_addr, r.src_port, r.dst_addr, r.dst_port], ['192.168.1.1', 53, '192.168.1.200', 33333]);
  assert.deepEqual([r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes], [1, 70, 1, 90]);
});

test('a SYN-ACK seen first makes its sender the server, whichever endpoint sorts first', () => {
  for (const [client, server] of [['10.0.0.9', '10.0.0.1'], ['10.0.0.1', '10.0.0.9']]) {
    const h = new Harness();
    h.send({ src: server, dst: client, sport: 443, dport: 51000, proto: IpProto.Tcp, tcpFlags: SYN_ACK, ts: T0, bytes: 66 });
    assert.equal(h.table.lastDirection, 1, 'the SYN-ACK travels server to client');
    h.send({ src: client, dst: server, sport: 51000, dport: 443, proto: IpProto.Tcp, tcpFlags: ACK, ts: T0 + 1, bytes: 54 });
    assert.equal(h.table.lastDirection, 0);
    h.send({ src: client, dst: server, sport: 51000, dport: 443, proto: IpProto.Tcp, tcpFlags: PSH_ACK, ts: T0 + 2, bytes: 500 });
    h.send({ src: server, dst: client, sport: 443, dport: 51000, proto: IpProto.Tcp, tcpFlags: ACK, ts: T0 + 3, bytes: 54 });
    const [r] = h.flush();
    assert.deepEqual([r.src_addr, r.src_port, r.dst_addr, r.dst_port], [client, 51000, server, 443]);
    assert.deepEqual([r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes], [2, 554, 2, 120]);
    assert.equal(r.out_tcp_flags, ACK | PSH_ACK);
    assert.equal(r.in_tcp_flags, SYN_ACK);
  }
});

test('a plain SYN-less first packet keeps its sender as client even from port 443', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 443, dport: 51000, proto: IpProto.Tcp, tcpFlags: ACK, ts: T0 });
  const [r] = h.flush();
  assert.deepEqual([r.src_port, r.dst_port, r.out_pkts, r.in_pkts], [443, 51000, 1, 0]);
});

test('packets, bytes and TCP flags are counted per direction', () => {
  const h = new Harness();
  const c = { src: '10.1.1.1', dst: '10.2.2.2', sport: 40001, dport: 80, proto: IpProto.Tcp };
  const s = { src: '10.2.2.2', dst: '10.1.1.1', sport: 80, dport: 40001, proto: IpProto.Tcp };
  h.send({ ...c, tcpFlags: SYN, ts: T0, bytes: 74 });
  h.send({ ...s, tcpFlags: SYN_ACK, ts: T0 + 1, bytes: 74 });
  h.send({ ...c, tcpFlags: ACK, ts: T0 + 2, bytes: 66 });
  h.send({ ...c, tcpFlags: PSH_ACK, ts: T0 + 3, bytes: 400 });
  h.send({ ...s, tcpFlags: PSH_ACK, ts: T0 + 4, bytes: 1500 });
  h.send({ ...s, tcpFlags: PSH_ACK | 0x40 | 0x80, ts: T0 + 5, bytes: 1500 });
  h.send({ ...c, tcpFlags: FIN_ACK, ts: T0 + 6, bytes: 66 });
  const [r] = h.flush();
  assert.deepEqual([r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes], [4, 74 + 66 + 400 + 66, 3, 74 + 1500 + 1500]);
  assert.equal(r.out_tcp_flags, SYN | ACK | PSH_ACK | FIN_ACK);
  assert.equal(r.in_tcp_flags, SYN_ACK | PSH_ACK | 0xc0);
});

test('a packet standing for several frames (held fragments) adds all its frames and bytes', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5353, dport: 53, ts: T0, bytes: 100 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: 53, dport: 5353, ts: T0 + 1, bytes: 1514 + 1514 + 600, frames: 3 });
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5353, dport: 53, ts: T0 + 2, bytes: 3000, frames: 2 });
  const [r] = h.flush();
  assert.deepEqual([r.out_pkts, r.out_bytes, r.in_pkts, r.in_bytes], [3, 3100, 3, 3628]);
});

test('first/last times: an out-of-order earlier packet moves first back, never last', () => {
  const h = new Harness();
  const k = { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 2000 };
  h.send({ ...k, ts: T0 + 1000 });
  h.send({ ...k, ts: T0 + 3000 });
  h.send({ ...k, ts: T0 + 500 });
  h.send({ ...k, ts: T0 + 2000 });
  const [r] = h.flush();
  assert.equal(r.first_switched_ms, T0 + 500);
  assert.equal(r.last_switched_ms, T0 + 3000);
  assert.equal(r.duration_ms, 2500);
  assert.equal(r.first_switched, Math.floor((T0 + 500) / 1000));
  assert.equal(r.last_switched, Math.floor((T0 + 3000) / 1000));
  assert.equal(r.out_pkts, 4);
});

test('tunnel and ICMP type/code of the first packet are kept on the flow', () => {
  const h = new Harness();
  h.send({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.Icmp, icmpType: 8, tunnel: 2, ts: T0 });
  h.send({ src: '10.0.0.2', dst: '10.0.0.1', proto: IpProto.Icmp, icmpType: 0, tunnel: 2, ts: T0 + 1 });
  const [r] = h.flush();
  assert.equal(r.tunnel, 'VXLAN');
  assert.equal(r.icmp_type, 8);
  assert.equal(r.icmp_code, 0);
  assert.deepEqual([r.out_pkts, r.in_pkts], [1, 1]);
});

test('flow ids count up from 1 in creation order; created/count follow', () => {
  const h = new Harness();
  for (let i = 0; i < 5; i++) h.send({ src: '10.0.0.1', dst: `10.0.1.${i}`, sport: 1, dport: 2, ts: T0 + i });
  assert.equal(h.table.created, 5);
  assert.equal(h.table.count, 5);
  assert.deepEqual(h.flush().map((r) => [r.flow_id, r.record_seq]), [[1, 0], [2, 0], [3, 0], [4, 0], [5, 0]]);
  assert.equal(h.table.count, 0);
  assert.equal(h.table.created, 5);
});
