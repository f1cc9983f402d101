import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as jsonRpc } from '../../../src/dpi/protocols/json-rpc';

const only = [jsonRpc];
// jsonrpc.pcap: a JSON-RPC 2.0 echo request over TCP.
const REQ = '{"jsonrpc": "2.0", "method": "echo", "params": ["Testing!"], "id": "ca08159b-af1a-481f-a9e1-0dafdd22bdec"}';

test('json-rpc: a JSON-RPC 2.0 request over TCP is JSON-RPC', () => {
  assert.equal(dissect({ serverPort: 8080, dissectors: only }, [{ payload: REQ }]).name, 'JSON-RPC');
  assert.equal(dissect({ serverPort: 4444, dissectors: only }, [{ payload: ' [{"jsonrpc":"2.0","method":"a","id":1}]' }]).name, 'JSON-RPC');
});

test('json-rpc: near misses: plain JSON, another version and JSON-RPC inside HTTP are not JSON-RPC', () => {
  for (const m of ['{"id":1,"method":"mining.subscribe","params":[]}', '{"jsonrpc": "1.0", "method": "x", "id": 1}',
    'POST / HTTP/1.1\r\n\r\n{"jsonrpc":"2.0","method":"x"}']) {
    assert.notEqual(dissect({ serverPort: 8080, dissectors: only }, [{ payload: m }]).confidence, 'dpi', m);
  }
});

test('json-rpc: every truncation is handled; the version string must be complete', () => {
  const full = REQ.indexOf('"2.0"') + 5;
  for (const b of prefixes(Buffer.from(REQ))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 8080, dissectors: only }, [{ payload: b }]);
    if (b.length >= full && b.length >= 30) assert.equal(r.name, 'JSON-RPC');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
