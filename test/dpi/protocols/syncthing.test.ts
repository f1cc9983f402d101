import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as syncthing } from '../../../src/dpi/protocols/syncthing';

const only = [syncthing];
// syncthing.pcap frame 20 (first 60 bytes): local discovery announcement, magic 0x2EA7D90B, device id, first address.
const ANNOUNCE = hex('2ea7d90b0a2092b76262996294825fc6cce6cf34794288282d73b5ecdf2dcb29bfd484c42d6f12197463703a2f2f3139322e3136382e322e3130303a');


test('syncthing: a local discovery announcement is Syncthing', () => {
  const r = dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: ANNOUNCE }]);
  assert.equal(r.name, 'Syncthing');
  assert.equal(r.confidence, 'dpi');
});

test('syncthing: relay protocol messages over TCP are Syncthing', () => {
  const join = hex('9e79bc40 00000003 00000000');
  assert.equal(dissect({ serverPort: 22067, dissectors: only }, [{ payload: join }]).name, 'Syncthing');
});

test('syncthing: near miss: the magic without the device id field, or another magic', () => {
  const noId = Buffer.from(ANNOUNCE);
  noId[5] = 0x10;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: noId }]).confidence, 'dpi');
  const other = Buffer.from(ANNOUNCE);
  other[0] = 0x2f;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 21027, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
});

test('syncthing: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(ANNOUNCE)) assert.equal(direct(syncthing, 'udp', [{ payload: b }]), b.length >= 38 ? P.Syncthing : 0);
});
