import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as softether } from '../../../src/dpi/protocols/softether';

const only = [softether];
// softether.pcap frames 1/2: NAT-T query "A" and the reply with the public address.
const REPLY = Buffer.from('IP=90.186.132.133,PORT=51381', 'latin1');
// softether.pcap frame 41: PACK with opcode "get_token", tran_id, nat_traversal_version.
const PACK = hex(`
00000003000000076f70636f64650000000200000001000000096765745f746f6b656e000000087472616e5f69640000
00040000000155ca14e54bbd177a000000166e61745f74726176657273616c5f76657273696f6e000000000000000100
000001`);


test('softether: the NAT-T exchange and PACK messages are Softether', () => {
  const r = dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: 'A' }, { dir: 1, payload: REPLY }]);
  assert.equal(r.name, 'Softether');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: PACK }]).name, 'Softether');
});

test('softether: near miss: a PACK whose last value overruns, text that is not an address reply', () => {
  const bad = Buffer.from(PACK);
  bad.writeUInt32BE(9, 12);
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: bad }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 5004, dissectors: only }, [{ payload: 'IP=who knows,PORT=x' }]).confidence, 'dpi');
});

test('softether: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(PACK)) assert.equal(direct(softether, 'udp', [{ payload: b }]), b.length === PACK.length ? P.Softether : 0);
  for (const b of prefixes(REPLY)) assert.equal(direct(softether, 'udp', [{ payload: b }]), b.length >= 24 ? P.Softether : 0, `cut at ${b.length}`);
});
