import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as jabber } from '../../../src/dpi/protocols/jabber';

const only = [jabber];
const OPEN = "<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

test('jabber: an XMPP stream header on port 15222 is Jabber with the "to" domain', () => {
  const r = dissect({ serverPort: 15222, dissectors: only }, [{ payload: OPEN }]);
  assert.equal(r.name, 'Jabber');
  assert.equal(r.meta.server_name, 'example.com');
  assert.deepEqual(r.undeclared, []);
});

test('jabber: a stream to truphone.com is TruPhone (ossfuzz_seed_fake_traces_2.pcapng)', () => {
  const r = dissect({ serverPort: 1299, dissectors: only }, [
    { payload: "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'to='im.truphone.com'>" },
  ]);
  assert.equal(r.name, 'TruPhone');
});

test('jabber: near misses: other XML and a stream tag without the XMPP namespace are not Jabber', () => {
  for (const m of ['<?xml version="1.0"?><soap:Envelope/>', '<stream:stream xmlns="urn:other">']) {
    assert.notEqual(dissect({ serverPort: 5222, dissectors: only }, [{ payload: m }]).confidence, 'dpi', m);
  }
});

test('jabber: every truncation of the stream header is handled', () => {
  for (const b of prefixes(Buffer.from(OPEN))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 5222, dissectors: only }, [{ payload: b }]);
    if (b.length === OPEN.length) assert.equal(r.name, 'Jabber');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
