import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as mining } from '../../../src/dpi/protocols/mining';

const only = [mining];
// mining.pcapng frame 246: Stratum mining.subscribe.
const SUBSCRIBE = Buffer.from('{"id":1,"method":"mining.subscribe","params":["EWBF 0.3.4b",null,"eu1-zcash.flypool.org","3333"]}\n', 'latin1');
const XMR = '{"method":"login","params":{"login":"4BCeEPhodg","pass":"x","agent":"xmr-stak-cpu/1.3.0-1.5.0"},"id":1}\n';


test('mining: Stratum and CryptoNote pool logins are Mining', () => {
  const r = dissect({ serverPort: 3333, dissectors: only }, [{ payload: SUBSCRIBE }]);
  assert.equal(r.name, 'Mining');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 9050, dissectors: only }, [{ payload: XMR }]).name, 'Mining');
  assert.equal(dissect({ serverPort: 9999, dissectors: only }, [{ payload: '{"worker": "eth1.0", "jsonrpc": "2.0", "params": ["0x9c9"], "id": 2, "method": "eth_submitLogin"}\n' }]).name, 'Mining');
});

test('mining: near miss: other JSON-RPC and JSON documents are not Mining', () => {
  assert.notEqual(dissect({ serverPort: 3333, dissectors: only }, [{ payload: '{"jsonrpc":"2.0","method":"eth_blockNumber","params":[],"id":1}' }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 3333, dissectors: only }, [{ payload: '{"login":"user","pass":"secret","remember":true}' }]).confidence, 'dpi');
});

test('mining: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(SUBSCRIBE)) assert.equal(direct(mining, 'tcp', [{ payload: b }]), b.length >= SUBSCRIBE.indexOf('"mining.subscribe"') + 18 ? P.Mining : 0, `cut at ${b.length}`);
});
