/**
 * Tests for the FINS dissector: FINS/UDP header and FINS/TCP framing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as fins } from '../../../src/dpi/protocols/fins';

const only = [fins];

// fins.pcap, UDP 10.1.1.173:54855 -> 10.1.1.164:9600: controller data read command.
const UDP_CMD = hex(`800002000000006300ef050100`);

// fins.pcap, same flow: response, first 40 bytes.
const UDP_RESP = hex(`
  c0000200630000c800ef050100004350314c2d454c323044522d440000002020
  202030312e303000
`);

// fins.pcap, TCP 10.1.1.173:17134 -> 10.1.1.164:9600: FINS/TCP node address request.
const TCP_NODE = hex(`46494e530000000c000000000000000000000000`);

// fins.pcap, same flow: FINS/TCP frame send with a FINS command.
const TCP_FRAME = hex(`46494e5300000015000000020000000080000200c8000000ef05050100`);

test('fins: a FINS/UDP command is FINS', () => {
  const r = dissect({ l4: 'udp', serverPort: 9600, dissectors: only }, [
    { payload: UDP_CMD },
    { dir: 1, payload: UDP_RESP },
  ]);
  assert.equal(r.name, 'FINS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('fins: FINS/TCP framing is FINS', () => {
  const r = dissect({ serverPort: 9600, dissectors: only }, [
    { payload: TCP_NODE },
  ]);
  assert.equal(r.name, 'FINS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('fins: a FINS/TCP frame send with a FINS header is FINS', () => {
  const r = dissect({ serverPort: 19600, dissectors: only }, [
    { payload: TCP_FRAME },
  ]);
  assert.equal(r.name, 'FINS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('fins: near miss: a FINS/UDP header with reserved ICF bits is not FINS', () => {
  const r = dissect({ l4: 'udp', serverPort: 9600, dissectors: only }, [
    { payload: Buffer.concat([hex('82'), UDP_CMD.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('fins: near miss: a FINS/TCP length that does not match is not FINS', () => {
  const r = dissect({ serverPort: 9600, dissectors: only }, [
    { payload: Buffer.concat([TCP_NODE.subarray(0, 7), hex('0d'), TCP_NODE.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('fins: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 9600, dissectors: only }, [{ payload: UDP_CMD }, { dir: 1, payload: UDP_RESP }], 'FINS');
  truncations({ serverPort: 19600, dissectors: only }, [{ payload: TCP_FRAME }], 'FINS');
});
