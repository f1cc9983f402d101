import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as teamspeak } from '../../../src/dpi/protocols/teamspeak';

const only = [teamspeak];
// teamspeak3.pcap frame 1: TeamSpeak 3 client init.
const INIT = hex('545333494e49543100650000880dd05766005f5916e0ade76b610000000000000000');
// teamspeak3.pcap frames 14-16: hello, echoed with a cookie, repeated with the cookie.
const HELLO = hex('01808401');
const ECHO = hex('018084017c65d9a7');
const AGAIN = hex('018184027c65d9a70327200000000000');


test('teamspeak: TS3INIT1 and the hello/cookie exchange are TeamSpeak', () => {
  const r = dissect({ l4: 'udp', serverPort: 9987, dissectors: only }, [{ payload: INIT }]);
  assert.equal(r.name, 'TeamSpeak');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: AGAIN }]).name, 'TeamSpeak');
  assert.equal(dissect({ serverPort: 8767, dissectors: only }, [{ payload: Buffer.concat([hex('f4be0300'), Buffer.alloc(176)]) }]).name, 'TeamSpeak');
});

test('teamspeak: near miss: an echo without the hello, a repeat with another cookie', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: hex('018084027c65d9a7') }, { payload: AGAIN }]).confidence, 'dpi');
  const again = Buffer.from(AGAIN);
  again[5] ^= 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: again }]).confidence, 'dpi');
});

test('teamspeak: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(INIT)) assert.equal(direct(teamspeak, 'udp', [{ payload: b }]), b.length >= 20 ? P.TeamSpeak : 0);
  for (const b of prefixes(AGAIN)) assert.equal(direct(teamspeak, 'udp', [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: b }]), b.length >= 12 ? P.TeamSpeak : 0);
});
