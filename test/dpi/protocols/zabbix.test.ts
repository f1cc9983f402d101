/**
 * Tests for the Zabbix dissector: "ZBXD" header with flags and lengths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as zabbix } from '../../../src/dpi/protocols/zabbix';

const only = [zabbix];

// zabbix.pcap, TCP 192.168.67.98:57162 -> 192.168.67.25:10050: passive check request "proc.num[]".
const REQUEST = hex(`5a425844010a0000000000000070726f632e6e756d5b5d`);

// zabbix.pcap, same flow: the agent reply "263".
const REPLY = hex(`5a425844010300000000000000323633`);

// zabbix.pcap, TCP 192.168.7.16:36699 -> 192.168.7.17:10051: compressed (flags 0x03) active check request, first 40 bytes.
const COMPRESSED = hex(`
  5a425844034e00000045000000789caa562a4a2d2c4d2d2e51b2524a4c2ec92c
  4b5548ce484dce2e
`);

test('zabbix: a passive check request and reply are Zabbix', () => {
  const r = dissect({ serverPort: 10050, dissectors: only }, [
    { payload: REQUEST },
    { dir: 1, payload: REPLY },
  ]);
  assert.equal(r.name, 'Zabbix');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('zabbix: a compressed message is Zabbix on any port', () => {
  const r = dissect({ serverPort: 20051, dissectors: only }, [
    { payload: COMPRESSED },
  ]);
  assert.equal(r.name, 'Zabbix');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('zabbix: near miss: "ZBXD" without the protocol flag is not Zabbix', () => {
  const r = dissect({ serverPort: 10051, dissectors: only }, [
    { payload: Buffer.concat([REQUEST.subarray(0, 4), hex('00'), REQUEST.subarray(5)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('zabbix: near miss: an uncompressed message with a non-zero reserved field is not Zabbix', () => {
  const r = dissect({ serverPort: 10051, dissectors: only }, [
    { payload: Buffer.concat([REQUEST.subarray(0, 9), hex('01000000'), REQUEST.subarray(13)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('zabbix: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 10050, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: REPLY }], 'Zabbix');
});
