/**
 * Tests for the MS-TDS dissector: packet header with a known type, EOM set,
 * length equal to the segment and window 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as tds } from '../../../src/dpi/protocols/mssql-tds';

const only = [tds];

// mssql_tds.pcap, TCP 10.111.111.111:1111 -> 10.0.0.1:1433: SQL batch (type 1, status EOM).
const SQL_BATCH = hex(`
  010100be00000100160000001200000002000000000000000000010000002000
  73006500740020007400720061006e00730061006300740069006f006e002000
  690073006f006c006100740069006f006e0020006c006500760065006c002000
  20007200650061006400200063006f006d006d00690074007400650064002000
  2000730065007400200069006d0070006c0069006300690074005f0074007200
  61006e00730061006300740069006f006e00730020006f00660066002000
`);

// mssql_tds.pcap, same flow: tabular result (type 4).
const RESPONSE = hex(`
  0401002200350100fd0100f9000000000000000000fd0000ba00000000000000
  0000
`);

// mssql_tds.pcap, TCP 10.111.111.111:8888 -> 10.0.0.1:1433: RPC request (type 3, status EOM|reset connection).
const RPC = hex(`
  0309005800000100160000001200000002000000000000000000010000001b00
  70005f004700650074004d0079004500780061006d0070006c00650054006100
  62006c00650052006f00770043006f0075006e0074000000
`);

// A PRELOGIN (type 18) with VERSION, ENCRYPTION, INSTOPT, THREADID and MARS options (MS-TDS 4.1 example layout).
const PRELOGIN = hex(`
  1201002f0000010000001a000601002000010200210001030022000404002600
  01ff0f0008b8000002000000000000
`);

test('mssql-tds: a SQL batch and its response are MsSQL-TDS', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: SQL_BATCH },
    { dir: 1, payload: RESPONSE },
  ]);
  assert.equal(r.name, 'MsSQL-TDS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mssql-tds: an RPC request alone is MsSQL-TDS', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: RPC },
  ]);
  assert.equal(r.name, 'MsSQL-TDS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mssql-tds: a PRELOGIN with a well-formed option list is MsSQL-TDS', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: PRELOGIN },
  ]);
  assert.equal(r.name, 'MsSQL-TDS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mssql-tds: near miss: an RDP X.224 Connection Request on port 1433 is not TDS', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: hex('0300002722e00000000000436f6f6b69653a206d737473686173683d41646d696e697374720d0a') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mssql-tds: near miss: a TDS header whose length is one byte off is not TDS', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: Buffer.concat([SQL_BATCH.subarray(0, 2), hex('00bd'), SQL_BATCH.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mssql-tds: near miss: a TDS packet without EOM (a message continued elsewhere) is not taken', () => {
  const r = dissect({ serverPort: 1433, dissectors: only }, [
    { payload: Buffer.concat([hex('0100'), SQL_BATCH.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mssql-tds: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 1433, dissectors: only }, [{ payload: SQL_BATCH }, { dir: 1, payload: RESPONSE }], 'MsSQL-TDS');
  truncations({ serverPort: 1433, dissectors: only }, [{ payload: PRELOGIN }], 'MsSQL-TDS');
});
