/**
 * Record outputs: LineOutput (a file, buffered in chunks, flushed on close;
 * open and write errors as FlowtapError E_OUTPUT; a reader that goes away is
 * a quiet stop) and
 * TextSink (numbered ndff lines; -v 1 keeps unknown flows only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineOutput } from '../../src/export/output';
import { TextSink } from '../../src/export/text';
import { formatTextLine, type FlowRecord } from '../../src/flow/record';
import { FlowtapError } from '../../src/util/errors';
import { ROOT, scratch } from '../cli/helpers';

function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    protocol: 'UDP', src_addr: '10.0.0.1', src_port: 1234, dst_addr: '8.8.8.8', dst_port: 53,
    master_protocol: 0, detected_protocol: 0, protocol_name: 'Unknown',
    out_pkts: 1, out_bytes: 74, in_pkts: 1, in_bytes: 90,
    first_switched: 1_700_000_000, last_switched: 1_700_000_000, server_name: '', risks: [], category: 'Unspecified', confidence: 'unknown', flow_id: 1, record_seq: 0,
    ip_version: 4, ip_protocol: 17, vlan_id: 0, tunnel: '', out_tcp_flags: 0, in_tcp_flags: 0,
    first_switched_ms: 1_700_000_000_000, last_switched_ms: 1_700_000_000_010, duration_ms: 10,
    flow_end_reason: 'idle', community_id: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    ...over,
  };
}

let seq = 0;
const tempFile = (name: string): string => join(scratch(), `${seq++}-${name}`);

test('LineOutput writes lines to a file, each ended by a newline, on close', async () => {
  const path = tempFile('lines.txt');
  const out = new LineOutput(path);
  assert.equal(out.target, path);
  out.line('one');
  out.line('');
  out.line('three é');
  assert.equal(readFileSync(path, 'utf8'), '', 'small output stays buffered until close');
  await out.close();
  assert.equal(readFileSync(path, 'utf8'), 'one\n\nthree é\n');
});

test('LineOutput writes in chunks before close once ~256 KiB are buffered, losing nothing', async () => {
  const path = tempFile('big.txt');
  const out = new LineOutput(path);
  const line = 'x'.repeat(999);
  for (let i = 0; i < 300; i++) out.line(line);
  assert.ok(statSync(path).size >= 256 * 1024, 'a chunk was written before close');
  for (let i = 0; i < 300; i++) out.line(`${i}`);
  await out.close();
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines.length, 601);
  assert.equal(lines[600], '');
  assert.ok(lines.slice(0, 300).every((l) => l === line));
  assert.deepEqual(lines.slice(300, 600), Array.from({ length: 300 }, (_, i) => `${i}`));
});

test('LineOutput: close with nothing written leaves an empty file', async () => {
  const path = tempFile('empty.txt');
  const out = new LineOutput(path);
  await out.close();
  assert.ok(existsSync(path));
  assert.equal(readFileSync(path, 'utf8'), '');
});

test('LineOutput: an unopenable path is E_OUTPUT naming it', () => {
  const path = join(scratch(), 'missing-dir', 'x.jsonl');
  assert.throws(() => new LineOutput(path), (err: unknown) => {
    assert.ok(err instanceof FlowtapError);
    assert.equal(err.code, 'E_OUTPUT');
    assert.match(err.message, /cannot open output file .*missing-dir\/x\.jsonl/);
    return true;
  });
});

test('LineOutput: a failing write surfaces as E_OUTPUT from close() (/dev/full)', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const out = new LineOutput('/dev/full');
  out.line('data');
  await assert.rejects(out.close(), (err: unknown) => {
    assert.ok(err instanceof FlowtapError);
    assert.equal(err.code, 'E_OUTPUT');
    assert.match(err.message, /cannot write to \/dev\/full: ENOSPC/);
    return true;
  });
});

test('LineOutput on stdout: a reader that goes away (EPIPE) stops output quietly', () => {
  // A child writes ~3 MB of lines to its stdout through LineOutput; `head -c 100` closes the pipe early.
  const mod = join(ROOT, 'build', 'src', 'export', 'output.js');
  const script = `
    const { LineOutput } = require(${JSON.stringify(mod)});
    const out = new LineOutput();
    for (let i = 0; i < 30000; i++) out.line('line ' + i + ' ' + 'y'.repeat(90));
    out.close().then(() => { process.stderr.write('closed ' + out.closedByPeer + '\\n'); }, (e) => { process.stderr.write('ERR ' + e.message + '\\n'); process.exitCode = 9; });
  `;
  const r = spawnSync('bash', ['-c', `"${process.execPath}" -e "$SCRIPT" | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`], {
    env: { ...process.env, SCRIPT: script },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'closed true\n');
});

test('TextSink numbers lines from 1 in ndff format', async () => {
  const path = tempFile('records.txt');
  const sink = new TextSink(new LineOutput(path));
  const recs = [record(), record({ flow_id: 2, src_port: 999, protocol_name: 'DNS', detected_protocol: 5 })];
  for (const r of recs) sink.write(r);
  await sink.close();
  assert.equal(readFileSync(path, 'utf8'), `${formatTextLine(recs[0], 1)}\n${formatTextLine(recs[1], 2)}\n`);
});

test('TextSink for -v 1 keeps only flows of unknown application, numbered without gaps', async () => {
  const path = tempFile('unknown.txt');
  const sink = new TextSink(new LineOutput(path), true);
  const known = record({ protocol_name: 'DNS', detected_protocol: 5 });
  const u1 = record({ flow_id: 2 });
  const u2 = record({ flow_id: 3, src_port: 4321 });
  sink.write(u1);
  sink.write(known);
  sink.write(u2);
  await sink.close();
  assert.equal(readFileSync(path, 'utf8'), `${formatTextLine(u1, 1)}\n${formatTextLine(u2, 2)}\n`);
});
