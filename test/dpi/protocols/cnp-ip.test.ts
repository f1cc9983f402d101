/**
 * Tests for the CNP-IP dissector: the CEA-852 packet header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as cnpip } from '../../../src/dpi/protocols/cnp-ip';

const only = [cnpip];

// cnp_ip.pcapng, UDP 127.0.0.1:39819 -> 127.0.0.1:1628: CNP/IP data packet.
const DATA = hex(`00200101000000006b8b45670000000000000000010901aa01a90103810d00ca`);

test('cnp-ip: a CNP/IP data packet is CNP-IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1628, dissectors: only }, [
    { payload: DATA },
  ]);
  assert.equal(r.name, 'CNP-IP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cnp-ip: near miss: version 2 is not CNP-IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1628, dissectors: only }, [
    { payload: Buffer.concat([DATA.subarray(0, 2), hex('02'), DATA.subarray(3)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cnp-ip: near miss: a length different from the datagram is not CNP-IP', () => {
  const r = dissect({ l4: 'udp', serverPort: 1628, dissectors: only }, [
    { payload: Buffer.concat([hex('0021'), DATA.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cnp-ip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 1628, dissectors: only }, [{ payload: DATA }], 'CNP-IP');
});
