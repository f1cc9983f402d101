import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, directOne } from '../harness';
import { Verdict } from '../../../src/dpi/dissector';
import { dissector } from '../../../src/dpi/protocols/xiaomi';

const only = [dissector];
const L4 = 6;

const direct = (payload: Buffer, dir = 0, state?: unknown): ReturnType<typeof directOne> => directOne(dissector, L4, payload, dir, state);

const CONN = hex(`
  # xiaomi.pcap frame 37 (217 bytes)
  c2 fe 00 05 00 00 00 cd 00 02 00 16 00 00 00 af 08 00 1a 0a 78 69 61 6f 6d 69 2e 63 6f 6d 2a 04
  43 4f 4e 4e 48 00 08 6a 12 0d 52 65 64 6d 69 20 4e 6f 74 65 20 38 54 1a 11 56 31 32 2e 35 2e 31
  2e 30 2e 52 43 58 52 55 58 4d 22 2a 61 2d 35 30 35 38 33 34 35 39 43 37 35 30 45 37 45 31 43 30
  35 30 43 45 43 32 30 32 36 39 45 44 42 42 31 46 39 45 39 37 38 32 28 2e 32 04 77 69 66 69 3a 48
  66 72 2d 61 70 70 2d 63 68 61 74 2d 67 6c 6f 62 61 6c 2d 78 69 61 6f 6d 69 2d 6e 65 74 32 2d 32
  31 31 37 35 31 37 38 37 34 2e 65 75 2d 63 65 6e 74 72 61 6c 2d 31 2e 65 6c 62 2e 61 6d 61 7a 6f
  6e 61 77 73 2e 63 6f 6d 42 05 72 75 5f 52 55 4a 02 18 00 50 1e eb 64 3a 90
`);
const CONN_REPLY = hex(`
  # xiaomi.pcap frame 39 (66 bytes)
  c2 fe 00 05 00 00 00 36 00 02 00 16 00 00 00 18 08 00 1a 0a 78 69 61 6f 6d 69 2e 63 6f 6d 2a 04
  43 4f 4e 4e 48 00 0a 0a 38 34 39 39 35 38 35 33 31 31 12 04 66 38 33 32 1a 02 08 00 22 00 7e 29
  0b 78
`);
const CONN_IP = hex(`
  # xiaomi.pcap frame 8 (159 bytes)
  c2 fe 00 05 00 00 00 93 00 02 00 16 00 00 00 75 08 00 1a 0a 78 69 61 6f 6d 69 2e 63 6f 6d 2a 04
  43 4f 4e 4e 48 00 08 6a 12 0a 4d 32 30 31 30 4a 31 39 53 47 1a 11 56 31 32 2e 30 2e 39 2e 30 2e
  51 4a 51 4d 49 58 4d 22 2a 61 2d 43 35 44 46 37 43 38 45 43 43 46 46 33 31 37 38 46 39 32 39 34
  44 42 43 37 30 35 37 38 42 45 46 43 41 35 39 41 38 33 43 28 2a 32 04 77 69 66 69 3a 11 34 37 2e
  32 34 31 2e 33 35 2e 37 33 3a 35 32 32 32 42 05 61 72 5f 45 47 4a 02 18 00 50 1d ab de 23 05
`);
const CONN_IP_REPLY = hex(`
  # xiaomi.pcap frame 9 (66 bytes)
  c2 fe 00 05 00 00 00 36 00 02 00 16 00 00 00 18 08 00 1a 0a 78 69 61 6f 6d 69 2e 63 6f 6d 2a 04
  43 4f 4e 4e 48 00 0a 0a 38 34 34 34 34 33 35 37 36 37 12 04 37 30 39 38 1a 02 08 00 22 00 7c 0b
  0b 4c
`);

test('xiaomi: the CONN exchange is Xiaomi, with the device model and dialled host', () => {
  const r = dissect({ serverPort: 5222, clientPort: 45106, dissectors: only }, [{ payload: CONN }, { dir: 1, payload: CONN_REPLY }]);
  assert.equal(r.name, 'Xiaomi');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.user_agent, 'Redmi Note 8T');
  assert.equal(r.meta.server_name, 'fr-app-chat-global-xiaomi-net2-2117517874.eu-central-1.elb.amazonaws.com');
  assert.deepEqual(r.undeclared, []);
});

test('xiaomi: a "host:port" target is reported without the port, whichever side opened the capture', () => {
  const r = dissect({ serverPort: 38018, clientPort: 5222, dissectors: only }, [{ payload: CONN_IP_REPLY }, { dir: 1, payload: CONN_IP }]);
  assert.equal(r.name, 'Xiaomi');
  assert.equal(r.meta.server_name, '47.241.35.73');
  assert.equal(r.meta.user_agent, 'M2010J19SG');
});

test('xiaomi: near miss: XMPP on port 5222, or the magic with a wrong frame length, is not Xiaomi', () => {
  const badLen = Buffer.from(CONN);
  badLen[7] += 1;
  for (const p of [Buffer.from("<stream:stream to='example.com' xmlns='jabber:client'>"), badLen]) {
    const r = dissect({ serverPort: 5222, dissectors: only }, [{ payload: p }]);
    assert.notEqual(r.confidence, 'dpi');
  }
});

test('xiaomi: every truncation of the CONN frame is handled; only the whole frame is recognised', () => {
  for (const b of prefixes(CONN)) {
    const r = direct(b);
    assert.equal(r.verdict === Verdict.Done, b.length === CONN.length);
    if (b.length < CONN.length) assert.equal(r.verdict, Verdict.Exclude);
  }
});
