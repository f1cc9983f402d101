/**
 * Tests for the RDP dissector: X.224 Connection Request with cookie or
 * RDP_NEG_REQ, bare CR confirmed by the server or MCS, RDP-UDP SYN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as rdp } from '../../../src/dpi/protocols/rdp';

const only = [rdp];

// rdp3.pcap, TCP 10.150.9.21:1685 -> 10.157.4.161:3389: X.224 CR with "Cookie: mstshash=Administr".
const CR_COOKIE = hex(`
  0300002722e00000000000436f6f6b69653a206d737473686173683d41646d69
  6e697374720d0a
`);

// rdp3.pcap, same flow: the bare X.224 Connection Confirm.
const CC = hex(`0300000b06d00000123400`);

// rdp3.pcap, same flow: X.224 DT with the MCS Connect-Initial, first 64 bytes.
const MCS_CONNECT = hex(`
  0300019c02f0807f658201900401010401010101ff3019020122020102020100
  0201010201000201010202ffff02010230190201010201010201010201010201
`);

// rdp2.pcap, UDP 192.168.122.181:54759 -> 192.168.122.2:3389: RDP-UDP SYN datagram, first 32 of its 1232 bytes (the rest is padding).
const UDP_SYN = hex(`ffffffff00401801bbff568704d004d0a69040c1df7948b78fa08c4d63630000`);

// iso9506-1-mms.pcap: an X.224 CR with TSAP parameters (ISO-on-TCP for MMS).
const MMS_CR = hex(`0300001611e00000077800c1020001c2020001c0010d`);

// rdp2.pcap, UDP 10.8.37.100:51652 -> 10.100.2.87:3389: RDP-UDP data datagram carrying three TLS records (joined mid-connection).
const UDP_TLS = hex(`
  109760330400000c00010000e65f846de65f846d1603030106100001020100a3
  8eca15cb0fb0a3915a4809eb2e0ecad35d2542129249ccf41cb128dd16d90d0a
  4720cf033ae8357f320c2984368ebd6aa30186569db8ad6d5c7621a30c78d039
  5e8f59cc2b2b9c43d1655c8b32853ec629413b665709db9ee9d52ab6f7e26890
  3fa4b5ab7bac2681f7680672398bd96e4e081c120d59f75416b88f22baff4918
  9686cd0b52c07ba8621f6a171c164958bee363b0a22baea9692bd87cc5b724dc
  a148c8e4bf05a06d1f8dca5093de20fb4d1e4021b8a00081ba4f83630a608b6b
  5e7a3e70caf62c611dd142e0a215986c35d40e3b10690c00e1cd09f5b0bf2908
  57051f0590f2c800dd29d616339733ecf6eca95dc43668f992433764de23ae14
  030300010116030300280000000000000000922967b60a58176e9500cdab47cb
  4e156f9de4741cd70709d21d40c0e7c2ab23
`);

test('rdp: a Connection Request with an mstshash cookie is RDP', () => {
  const r = dissect({ serverPort: 3389, dissectors: only }, [
    { payload: CR_COOKIE },
    { dir: 1, payload: CC },
  ]);
  assert.equal(r.name, 'RDP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('rdp: a Connection Request with RDP_NEG_REQ is RDP on any port', () => {
  const r = dissect({ serverPort: 13389, dissectors: only }, [
    { payload: hex('030000130ee000000000000100080003000000') },
  ]);
  assert.equal(r.name, 'RDP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('rdp: a bare Connection Request followed by an MCS Connect-Initial is RDP', () => {
  const r = dissect({ serverPort: 3389, dissectors: only }, [
    { payload: hex('0300000b06e00000000000') },
    { dir: 1, payload: CC },
    { payload: Buffer.concat([hex('03000040'), MCS_CONNECT.subarray(4)]) },
  ]);
  assert.equal(r.name, 'RDP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('rdp: an RDP-UDP SYN datagram is RDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3389, dissectors: only }, [
    { payload: UDP_SYN },
  ]);
  assert.equal(r.name, 'RDP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('rdp: an RDP-UDP data datagram carrying TLS records is RDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3389, dissectors: only }, [
    { payload: UDP_TLS },
  ]);
  assert.equal(r.name, 'RDP');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('rdp: near miss: an ISO-on-TCP CR with TSAP parameters (MMS/S7) is not RDP', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: MMS_CR },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rdp: near miss: a bare CR followed by an S7comm Data TPDU is not RDP', () => {
  const r = dissect({ serverPort: 3389, dissectors: only }, [
    { payload: hex('0300000b06e00000000000') },
    { dir: 1, payload: CC },
    { payload: hex('0300001902f08032010000000000080000f0000001000101e0') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rdp: near miss: a UDP datagram with snSourceAck -1 but implausible MTUs is not RDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3389, dissectors: only }, [
    { payload: Buffer.concat([UDP_SYN.subarray(0, 12), hex('00100010'), UDP_SYN.subarray(16)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rdp: near miss: an RDP-UDP data datagram whose TLS records do not tile it is not RDP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3389, dissectors: only }, [
    { payload: Buffer.concat([UDP_TLS, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('rdp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 3389, dissectors: only }, [{ payload: CR_COOKIE }, { dir: 1, payload: CC }], 'RDP');
  truncations({ l4: 'udp', serverPort: 3389, dissectors: only }, [{ payload: UDP_SYN }], 'RDP');
  truncations({ l4: 'udp', serverPort: 3389, dissectors: only }, [{ payload: UDP_TLS }], 'RDP');
});
