/**
 * Tests for the ISO 9506 MMS dissector: session CONNECT naming the MMS abstract
 * syntax, or session data carrying an MMS PDU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as mms } from '../../../src/dpi/protocols/iso9506-mms';

const only = [mms];

// iso9506-1-mms.pcap, TCP 172.16.0.101:1345 -> 172.16.202.5:102: COTP connection request.
const CR = hex(`0300001611e00000077800c1020001c2020001c0010d`);

// iso9506-1-mms.pcap, same flow: COTP connection confirm.
const CC = hex(`0300001611d00778340000c1020001c2020001c0010a`);

// iso9506-1-mms.pcap, same flow: session CONNECT with the MMS initiate request.
const CONNECT = hex(`
  030000a702f0800d9e0506130100160102140200023302000134020001c18831
  8185a003800101a27e810400000001820400000001a423300f02010106045201
  00013004060251013010020103060528ca220201300406025101880206006147
  3045020101a040603e80020780a107060528ca220203be2f282d020103a028a8
  26800300fa0081010a82010a830105a416800101810305e100820c03a0000000
  0000000000e110
`);

// iso9506-1-mms.pcap, same flow: session data with an MMS confirmed request.
const DATA = hex(`
  0300004202f0800100010061353033020103a02ea02c020304a273a625a023a1
  211a0e41413145315130314650324c44301a0f4c4c4e30244252247263625f42
  3032
`);

test('iso9506-mms: COTP connection then a session CONNECT naming MMS is ISO9506-1-MMS', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: CONNECT },
  ]);
  assert.equal(r.name, 'ISO9506-1-MMS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iso9506-mms: session data carrying an MMS confirmed request is ISO9506-1-MMS', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: DATA },
  ]);
  assert.equal(r.name, 'ISO9506-1-MMS');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('iso9506-mms: near miss: an S7comm Data TPDU is not MMS', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: CR },
    { dir: 1, payload: CC },
    { payload: hex('0300001902f08032010000000000080000f0000001000101e0') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iso9506-mms: near miss: a session CONNECT without the MMS abstract syntax is not MMS', () => {
  const r = dissect({ serverPort: 102, dissectors: only }, [
    { payload: hex('0300000f02f0800d0605061301001601') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('iso9506-mms: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 102, dissectors: only }, [{ payload: CR }, { dir: 1, payload: CC }, { payload: CONNECT }], 'ISO9506-1-MMS');
  truncations({ serverPort: 102, dissectors: only }, [{ payload: DATA }], 'ISO9506-1-MMS');
});
