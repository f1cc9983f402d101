/**
 * Tests for the BeckhoffADS dissector: AMS/TCP and AMS headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as ads } from '../../../src/dpi/protocols/beckhoff-ads';

const only = [ads];

// beckhoff_ads.pcapng, TCP 192.168.1.99:49201 -> 192.168.1.8:48898: ADS Read State request.
const READ_STATE = hex(`
  000020000000050d756001011027c0a801630101038004000400000000000000
  000005000000
`);

// beckhoff_ads.pcapng, same flow: its response.
const READ_STATE_RESP = hex(`
  000028000000c0a8016301010380050d75600101102704000500080000000000
  0000050000000000000005000200
`);

test('beckhoff-ads: an ADS request and response are BeckhoffADS', () => {
  const r = dissect({ serverPort: 48898, dissectors: only }, [
    { payload: READ_STATE },
    { dir: 1, payload: READ_STATE_RESP },
  ]);
  assert.equal(r.name, 'BeckhoffADS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('beckhoff-ads: near miss: an unknown ADS command is not BeckhoffADS', () => {
  const r = dissect({ serverPort: 48898, dissectors: only }, [
    { payload: Buffer.concat([READ_STATE.subarray(0, 22), hex('2000'), READ_STATE.subarray(24)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('beckhoff-ads: near miss: an AMS data length that does not match is not BeckhoffADS', () => {
  const r = dissect({ serverPort: 48898, dissectors: only }, [
    { payload: Buffer.concat([READ_STATE.subarray(0, 26), hex('04000000'), READ_STATE.subarray(30)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('beckhoff-ads: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 48898, dissectors: only }, [{ payload: READ_STATE }, { dir: 1, payload: READ_STATE_RESP }], 'BeckhoffADS');
});
