/**
 * Tests for the NFS dissector: ONC RPC calls to the NFS family of programs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as nfs } from '../../../src/dpi/protocols/nfs';

const only = [nfs];

// nfsv2.pcap, UDP 139.25.22.2:3292 -> 139.25.22.102:2049: NFS v2 NULL call.
const NFS_NULL = hex(`
  3841aadf0000000000000002000186a300000002000000000000000000000000
  0000000000000000
`);

// nfsv2.pcap, same flow: the reply.
const NFS_REPLY = hex(`3841aadf0000000100000000000000000000000000000000`);

// nfsv2.pcap, UDP 139.25.22.2:3289 -> 139.25.22.102:111: portmapper GETPORT call for mountd.
const GETPORT = hex(`
  3841169f0000000000000002000186a000000003000000030000000000000000
  0000000000000000000186a50000000100000003756470000000000000000000
`);

test('nfs: an NFS NULL call is NFS', () => {
  const r = dissect({ l4: 'udp', serverPort: 2049, dissectors: only }, [
    { payload: NFS_NULL },
    { dir: 1, payload: NFS_REPLY },
  ]);
  assert.equal(r.name, 'NFS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nfs: a portmapper call is NFS (as nDPI labels it)', () => {
  const r = dissect({ l4: 'udp', serverPort: 111, dissectors: only }, [
    { payload: GETPORT },
  ]);
  assert.equal(r.name, 'NFS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nfs: a record-marked call over TCP is NFS', () => {
  const r = dissect({ serverPort: 2049, dissectors: only }, [
    { payload: Buffer.concat([hex('80000028'), NFS_NULL]) },
  ]);
  assert.equal(r.name, 'NFS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nfs: near miss: a call to another RPC program is not NFS', () => {
  const r = dissect({ l4: 'udp', serverPort: 2049, dissectors: only }, [
    { payload: Buffer.concat([NFS_NULL.subarray(0, 12), hex('000186a4'), NFS_NULL.subarray(16)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nfs: near miss: a reply without its call is not NFS', () => {
  const r = dissect({ l4: 'udp', serverPort: 2049, dissectors: only }, [
    { dir: 1, payload: NFS_REPLY },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nfs: near miss: RPC version 3 is not NFS', () => {
  const r = dissect({ l4: 'udp', serverPort: 2049, dissectors: only }, [
    { payload: Buffer.concat([NFS_NULL.subarray(0, 8), hex('00000003'), NFS_NULL.subarray(12)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nfs: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 2049, dissectors: only }, [{ payload: NFS_NULL }, { dir: 1, payload: NFS_REPLY }], 'NFS');
  truncations({ serverPort: 2049, dissectors: only }, [{ payload: Buffer.concat([hex('80000028'), NFS_NULL]) }], 'NFS');
});
