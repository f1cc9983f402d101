/**
 * Tests for the NoMachine dissector: NXSH/NXD handshake over TCP, NX UDP
 * datagrams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as nomachine } from '../../../src/dpi/protocols/nomachine';

const only = [nomachine];

// nomachine.pcapng, TCP 192.168.88.231:48084 -> 192.168.88.208:4000: client "NXSH-8.10.1\\n".
const NXSH = hex(`4e5853482d382e31302e310a`);

// nomachine.pcapng, same flow: server "NXD-8.10.1\\n".
const NXD = hex(`4e58442d382e31302e310a`);

// nomachine.pcapng, UDP 192.168.88.231:56019 -> 192.168.88.208:4000: first UDP datagram.
const UDP1 = hex(`010001000a0000000000`);

// nomachine.pcapng, same flow: second UDP datagram.
const UDP2 = hex(`010001000a0001000000`);

test('nomachine: the NXSH/NXD handshake is NoMachine', () => {
  const r = dissect({ serverPort: 4000, dissectors: only }, [
    { payload: NXSH },
    { dir: 1, payload: NXD },
  ]);
  assert.equal(r.name, 'NoMachine');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('nomachine: two NX UDP datagrams are NoMachine', () => {
  const r = dissect({ l4: 'udp', serverPort: 4000, dissectors: only }, [
    { payload: UDP1 },
    { payload: UDP2 },
  ]);
  assert.equal(r.name, 'NoMachine');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('nomachine: near miss: NXSH followed by a non-version is not NoMachine', () => {
  const r = dissect({ serverPort: 4000, dissectors: only }, [
    { payload: Buffer.from('NXSH-hello\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nomachine: near miss: a single NX-like UDP datagram is not enough', () => {
  const r = dissect({ l4: 'udp', serverPort: 4000, dissectors: only }, [
    { payload: UDP1 },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nomachine: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4000, dissectors: only }, [{ payload: NXSH }, { dir: 1, payload: NXD }], 'NoMachine');
  truncations({ l4: 'udp', serverPort: 4000, dissectors: only }, [{ payload: UDP1 }, { payload: UDP2 }], 'NoMachine');
});
