import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as syslog } from '../../../src/dpi/protocols/syslog';

const only = [syslog];

// syslog.pcap: an RFC 3164 message from chillispot.
const BSD = hex('3c3134373e4a616e2020322031303a30393a3532206e6236206368696c6c6973706f745b343232325d3a20433a3139322e3136382e322e38332f30303a31393a37443a33423a36463a44340a');

test('syslog: an RFC 3164 datagram is Syslog', () => {
  const r = dissect({ l4: 'udp', serverPort: 514, dissectors: only }, [{ payload: BSD }]);
  assert.equal(r.name, 'Syslog');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('syslog: RFC 5424 over TCP on another port, plain and octet-counted', () => {
  const msg = '<22>1 2021-04-18T14:51:48+04:00 iPhone7,2 com.example - - - hello\n';
  assert.equal(dissect({ serverPort: 52173, dissectors: only }, [{ payload: msg }]).name, 'Syslog');
  assert.equal(dissect({ serverPort: 6514, dissectors: only }, [{ payload: `${msg.length} ${msg}` }]).name, 'Syslog');
});

test('syslog: near misses: XML, a PRI over 191, binary after the PRI, rsh on 514', () => {
  for (const p of ['<?xml version="1.0"?><a/>', '<192>Jan  2 10:09:52 host x', Buffer.from('<13>\x00\x01\x02\x03\x04\x05\x06\x07', 'latin1'), '1022\x00']) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 514, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('syslog: every truncation of the message is handled', () => {
  for (const b of prefixes(BSD)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 514, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'Syslog');
    if (b.length < 8) assert.notEqual(r.confidence, 'dpi');
  }
});
