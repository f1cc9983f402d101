import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as ntp } from '../../../src/dpi/protocols/ntp';

const only = [ntp];

// NTPv4.pcap frame 1, a version 4 client message (stratum 2), made a server reply (mode 4).
const REPLY = hex('240207eb00000450000003ab83bc03dfd94f51c33165b860d944575530336fd0d944575531b4e978d94f51f42d26e2f4');

function request(transmit: Buffer): Buffer {
  const b = Buffer.alloc(48);
  b[0] = 0x23; // LI 0, version 4, mode 3
  transmit.copy(b, 40);
  return b;
}

function reply(origin: Buffer): Buffer {
  const b = Buffer.from(REPLY);
  origin.copy(b, 24);
  return b;
}

test('ntp: a reply on port 123 is NTP', () => {
  const r = dissect({ l4: 'udp', clientPort: 123, serverPort: 123, dissectors: only }, [{ payload: REPLY }]);
  assert.equal(r.name, 'NTP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('ntp: off port 123 a request answered with its transmit timestamp echoed is NTP', () => {
  const t = hex('e3a1b2c3d4e5f607');
  const r = dissect({ l4: 'udp', clientPort: 40000, serverPort: 10123, dissectors: only }, [{ payload: request(t) }, { dir: 1, payload: reply(t) }]);
  assert.equal(r.name, 'NTP');
  const wrong = dissect({ l4: 'udp', clientPort: 40000, serverPort: 10123, dissectors: only }, [{ payload: request(t) }, { dir: 1, payload: reply(hex('0000000000000001')) }]);
  assert.notEqual(wrong.confidence, 'dpi');
});

test('ntp: near misses: version 0, mode 7 and odd lengths on 123', () => {
  const v0 = Buffer.from(REPLY);
  v0[0] = 0x04;
  const m7 = Buffer.from(REPLY);
  m7[0] = 0x27;
  for (const p of [v0, m7, REPLY.subarray(0, 47), Buffer.concat([REPLY, Buffer.alloc(3)])]) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 123, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('ntp: every truncation of the reply is handled', () => {
  for (const b of prefixes(REPLY)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 123, dissectors: only }, [{ payload: b }]);
    if (b.length < 48) assert.notEqual(r.confidence, 'dpi');
    else assert.equal(r.name, 'NTP');
  }
});
