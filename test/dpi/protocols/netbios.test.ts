import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as netbios } from '../../../src/dpi/protocols/netbios';

const only = [netbios];

// 1kxun.pcap frame 985: name query for SC.ARRANCAR.ORG<00>.
const NAME_QUERY = hex('f0f9011000010000000000002046444544434f4542464346434542454f454445424643434f45504643454841410000200001');
// tor.pcap frame 97: browser announcement from ENDIAN-PC in a direct group datagram (SMB Transaction to \MAILSLOT\BROWSE).
const DATAGRAM = hex(`1102c94fc0a801fc008a00c40000204546454f4545454a4542454f434e46414544434143414341434143414341414100
204142414346504650454e4644454346434550464846444546465046504143414200ff534d42250000000000000000000000000000000000000000000000000000001100002a
000000000000000000e80300000000000000002a00560003000100010002003b005c4d41494c534c4f545c42524f575345000c00a0bb0d00574f524b47524f55500000000000
0000030a00100080fe070000454e4449414e2d504300`);
// netbios.pcap frame 261: session request to IBIFHQ11WS023 on TCP 139.
const SESSION = hex(`8100004420454a4543454a45474549464244424442464846444441444344444341434143410020464345504644454745494642444144484648464444414441444543414341414100`);

test('netbios: a name query is NetBIOS with the decoded name', () => {
  const r = dissect({ l4: 'udp', clientPort: 137, serverPort: 137, server: '192.168.255.255', dissectors: only }, [{ payload: NAME_QUERY }]);
  assert.equal(r.name, 'NetBIOS');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'sc.arrancar.org');
  assert.deepEqual(r.undeclared, []);
});

test('netbios: a datagram carrying an SMB mailslot message is NetBIOS.SMBv1 with the source name', () => {
  const r = dissect({ l4: 'udp', clientPort: 138, serverPort: 138, client: '192.168.1.252', server: '192.168.1.255', dissectors: only }, [{ payload: DATAGRAM }]);
  assert.equal(r.name, 'NetBIOS.SMBv1');
  assert.equal(r.meta.server_name, 'endian-pc');
  assert.equal(r.meta.smb_version, 'SMBv1');
  assert.ok(r.risks.includes('Unsafe Protocol'));
  assert.ok(!r.risks.includes('SMB Insecure Vers'));
});

test('netbios: a session request on TCP is NetBIOS with the called name', () => {
  const r = dissect({ serverPort: 139, dissectors: only }, [{ payload: SESSION }]);
  assert.equal(r.name, 'NetBIOS');
  assert.equal(r.meta.server_name, 'ibifhq11ws023');
});

test('netbios: near misses: a DNS query on 137, a session request with a bad name, text on 138', () => {
  const dnsQuery = hex('784301000001000000000000026537087768617473617070036e65740000010001');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 137, dissectors: only }, [{ payload: dnsQuery }]).confidence, 'dpi');
  const bad = Buffer.from(SESSION);
  bad[10] = 0x5a;
  assert.notEqual(dissect({ serverPort: 139, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 138, dissectors: only }, [{ payload: 'hello world, not a datagram' }]).confidence, 'dpi');
});

test('netbios: every truncation of a name query, a datagram and a session request is handled', () => {
  for (const b of prefixes(NAME_QUERY)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 137, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'NetBIOS');
  }
  for (const b of prefixes(DATAGRAM)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 138, dissectors: only }, [{ payload: b }]);
    // DGM_LENGTH makes every shorter datagram invalid.
    if (b.length < DATAGRAM.length) assert.notEqual(r.confidence, 'dpi', `length ${b.length}`);
  }
  for (const b of prefixes(SESSION)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 139, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'NetBIOS');
  }
});
