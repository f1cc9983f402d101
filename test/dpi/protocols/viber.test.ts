import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as viber } from '../../../src/dpi/protocols/viber';

const only = [viber];
// viber.pcap frame 359: 34-byte relay message type 0x0019; frame 443: TCP chat message (length 24, 0xFCFF marker).
const UDP34 = hex('05b819003518f5189864e44725df4d4ee1cd371b5c9abc26d9d30b4b01bb39b30000');
const TCP = hex('180000000000fcff05800900000000000000000033000000');


test('viber: relay messages over UDP and chat messages over TCP are Viber', () => {
  const r = dissect({ l4: 'udp', serverPort: 7987, dissectors: only }, [{ payload: UDP34 }]);
  assert.equal(r.name, 'Viber');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 5242, dissectors: only }, [{ payload: TCP }]).name, 'Viber');
});

test('viber: near miss: RTP whose sequence number looks like a message type, TCP without the marker', () => {
  const rtp = hex('80760300171ca8004010000570c7ee59fdfc7f7d51efcb98aabbcc');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 1272, dissectors: only }, [{ payload: rtp }]).confidence, 'dpi');
  const tcp = Buffer.from(TCP);
  tcp[6] = 0;
  assert.notEqual(dissect({ serverPort: 4244, dissectors: only }, [{ payload: tcp }]).confidence, 'dpi');
});

test('viber: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(UDP34)) assert.equal(direct(viber, 'udp', [{ payload: b }]), b.length === 34 ? P.Viber : 0);
  for (const b of prefixes(TCP)) assert.equal(direct(viber, 'tcp', [{ payload: b }]), b.length === TCP.length ? P.Viber : 0);
});
