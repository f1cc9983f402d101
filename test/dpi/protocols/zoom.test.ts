import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as zoom } from '../../../src/dpi/protocols/zoom';
import { P } from '../../../src/dpi/generated/protocols';

const only = [zoom];
// zoom2.pcap frames 21/23/24/25: SFU session request (type 1), the response repeating its token (type 2), control and media frames.
const REQ = hex(`
010003c84ac4528718cda2b8477a1b899f33830000000000000002006f613f006f613f00000040e6d766f594f24c8c93
02460b02e7de2892e09de53c6e5f03a336a430c96bfc90d80259b9fbc471b13716d1d1836079caa23b0fdcc0f60b64bd
3e017c3cf86d760000000000400040000075300001000300022000`);
const RESP = hex('020003c84ac4528718cda2b8477a1b899f3383004f8378006f613f0000000000000000004000400003e00300');
const CTRL = hex('03000000015cfb002a004f837800');
const MEDIA = hex(`
050000004f8378000c010da7a289330548fdb556c5d10b78e9080100080103000000000000000300000016646174615f`);
// zoom_p2p.pcapng frame 68: peer-to-peer set-up with the local address and the conference GUID.
const P2P = hex(`
1f0201000800010004004e150ef80000000700000063b6a50000000d3139322e3136382e312e32323600000024414630
36354438382d414139422d344138312d383041342d42383543443334314239323100000000`);


test('zoom: the SFU session request answered with its token is Zoom', () => {
  const r = dissect({ l4: 'udp', serverPort: 8801, dissectors: only }, [{ payload: REQ }, { dir: 1, payload: RESP }]);
  assert.equal(r.name, 'Zoom');
  assert.equal(r.confidence, 'dpi');
});

test('zoom: a flow caught mid-session is Zoom from two frames of one session', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 8801, dissectors: only }, [{ dir: 1, payload: CTRL }, { payload: MEDIA }]).name, 'Zoom');
});

test('zoom: the peer-to-peer set-up datagram is Zoom', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 46757, dissectors: only }, [{ payload: P2P }]).name, 'Zoom');
});

test('zoom: near miss: a response with another token, frames of different sessions, a P2P header without the GUID', () => {
  const resp = Buffer.from(RESP);
  resp[10] ^= 0xff;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 8801, dissectors: only }, [{ payload: REQ }, { dir: 1, payload: resp }]).confidence, 'dpi');
  const media = Buffer.from(MEDIA);
  media[5] ^= 0xff;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 8801, dissectors: only }, [{ dir: 1, payload: CTRL }, { payload: media }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 8801, dissectors: only }, [{ payload: P2P.subarray(0, 48) }]).confidence, 'dpi');
});

test('zoom: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(RESP)) assert.equal(direct(zoom, 'udp', [{ payload: REQ }, { dir: 1, payload: b }], 8801), b.length >= 19 ? P.Zoom : 0);
  for (const b of prefixes(P2P)) assert.equal(direct(zoom, 'udp', [{ payload: b }], 8801), b.length >= 81 ? P.Zoom : 0, `P2P cut at ${b.length}`);
  for (const b of prefixes(MEDIA)) assert.equal(direct(zoom, 'udp', [{ dir: 1, payload: CTRL }, { payload: b }], 8801), b.length >= 16 ? P.Zoom : 0);
});
