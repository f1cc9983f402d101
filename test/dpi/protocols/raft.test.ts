/**
 * Tests for the Raft dissector (canonical C raft TCP transport): handshake, or
 * two messages with consistent 64-bit headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as raft } from '../../../src/dpi/protocols/raft';

const only = [raft];

// raft.pcap, TCP 127.0.0.1:38488 -> 127.0.0.1:9001: handshake (version 1, server id 2, "127.0.0.1:9002").
const HANDSHAKE = hex(`
  0100000000000000020000000000000010000000000000003132372e302e302e
  313a393030320000
`);

// raft.pcap, same flow: RequestVote result message.
const VOTE_RESULT = hex(`
  0400000000000000180000000000000006000000000000000100000000000000
  0100000000000000
`);

// raft.pcap, TCP 127.0.0.1:46286 -> 127.0.0.1:9002: RequestVote message.
const VOTE = hex(`
  0300000000000000280000000000000006000000000000000100000000000000
  c60000000000000004000000000000000200000000000000
`);

test('raft: the transport handshake is Raft', () => {
  const r = dissect({ serverPort: 9001, dissectors: only }, [
    { payload: HANDSHAKE },
  ]);
  assert.equal(r.name, 'Raft');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('raft: two messages with consistent headers are Raft', () => {
  const r = dissect({ serverPort: 9002, dissectors: only }, [
    { payload: VOTE },
    { payload: VOTE_RESULT },
  ]);
  assert.equal(r.name, 'Raft');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('raft: near miss: a handshake address without a port is not Raft', () => {
  const r = dissect({ serverPort: 9001, dissectors: only }, [
    { payload: Buffer.concat([HANDSHAKE.subarray(0, 33), Buffer.from('.', 'latin1'), HANDSHAKE.subarray(34)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('raft: near miss: a single message is not enough', () => {
  const r = dissect({ serverPort: 9002, dissectors: only }, [
    { payload: VOTE },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('raft: near miss: a message whose length is off is not Raft', () => {
  const r = dissect({ serverPort: 9002, dissectors: only }, [
    { payload: Buffer.concat([VOTE.subarray(0, 8), hex('29'), VOTE.subarray(9)]) },
    { payload: VOTE },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('raft: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 9001, dissectors: only }, [{ payload: HANDSHAKE }], 'Raft');
  truncations({ serverPort: 9002, dissectors: only }, [{ payload: VOTE }, { payload: VOTE_RESULT }], 'Raft');
});
