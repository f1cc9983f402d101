import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as discord } from '../../../src/dpi/protocols/discord';
import { P } from '../../../src/dpi/generated/protocols';

const only = [discord];
// discord.pcap frames 35/36: voice IP discovery request and response.
const REQ = hex(`
0001004600024b1800000000000000000000000000000000000000000000000000000000000000000000000000000000
000000000000000000000000000000000000000000000000f1e2`);
const RESP = hex(`
0002004600024b1838342e35392e3133322e313030000000000000000000000000000000000000000000000000000000
000000000000000000000000000000000000000000000000fd45`);
const KEEPALIVE = hex('1337cafea9010000');


test('discord: the voice IP discovery request and response are Discord', () => {
  const r = dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: REQ }, { dir: 1, payload: RESP }]);
  assert.equal(r.name, 'Discord');
  assert.equal(r.confidence, 'dpi');
});

test('discord: keep-alives after RTCP identify a flow caught mid-call', () => {
  const rtcp = hex('81c9000700162ffd537109592cf065d572db9ac11958463c6401471ff8b35bcbfa66e0fe');
  assert.equal(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: rtcp }, { dir: 1, payload: KEEPALIVE }, { payload: KEEPALIVE }]).name, 'Discord');
});

test('discord: near miss: a request alone, a response for another SSRC, another length field, junk in the address', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: REQ }]).confidence, 'dpi');
  const ssrc = Buffer.from(RESP);
  ssrc[7] ^= 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: REQ }, { dir: 1, payload: ssrc }]).confidence, 'dpi');
  const len = Buffer.from(REQ);
  len[3] = 0x47;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: len }]).confidence, 'dpi');
  const junk = Buffer.from(RESP);
  junk[40] = 0x07;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: junk }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 50001, dissectors: only }, [{ payload: KEEPALIVE }]).confidence, 'dpi');
});

test('discord: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(RESP)) assert.equal(direct(discord, 'udp', [{ payload: REQ }, { dir: 1, payload: b }]), b.length === RESP.length ? P.Discord : 0);
  for (const b of prefixes(KEEPALIVE)) assert.equal(direct(discord, 'udp', [{ payload: KEEPALIVE }, { payload: b }]), b.length === 8 ? P.Discord : 0);
});
