/**
 * Command-line parsing in process (parseArgs): defaults, ndff's short flags
 * and bundles, `--name=value` and `-xVALUE` forms, comma-separated and
 * repeated inputs, timeouts, fluentd options, and the UsageError each
 * mistake raises (the message names the option).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText, OPTIONS, parseArgs } from '../../src/cli/args';
import { DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUTS } from '../../src/flow/expiry';
import { UsageError } from '../../src/util/errors';
import { usage } from './helpers';

test('defaults: JSON Lines to stdout, tunnels on, documented timeouts, statistics on', () => {
  const o = parseArgs(['-r', 'a.pcap']);
  assert.deepEqual(o.inputs, ['a.pcap']);
  assert.equal(o.format, 'jsonl');
  assert.equal(o.verbose, 0);
  assert.equal(o.quiet, false);
  assert.equal(o.outFile, undefined);
  assert.equal(o.tunnels, true);
  assert.equal(o.threads, 1);
  assert.deepEqual(o.timeouts, { ...DEFAULT_TIMEOUTS });
  assert.equal(o.maxFlows, DEFAULT_MAX_FLOWS);
  assert.equal(o.fluentd, undefined);
  assert.equal(o.statsJson, false);
  assert.equal(o.help, false);
  assert.equal(o.version, false);
});

test('inputs: comma-separated, repeated, -i as -r, attached and --name=value forms', () => {
  assert.deepEqual(parseArgs(['-r', 'a.pcap,b.pcap']).inputs, ['a.pcap', 'b.pcap']);
  assert.deepEqual(parseArgs(['-r', 'a.pcap', '-i', 'b.pcap', '--read', 'c', '--interface=d']).inputs, ['a.pcap', 'b.pcap', 'c', 'd']);
  assert.deepEqual(parseArgs(['-ra.pcap']).inputs, ['a.pcap']);
  assert.deepEqual(parseArgs(['-r', '-']).inputs, ['-']);
  assert.deepEqual(parseArgs(['--read=x=y.pcap']).inputs, ['x=y.pcap']);
});

test('ndff bundles of value-less flags expand; a bundle starting with a value flag does not', () => {
  const o = parseArgs(['-qT', '-r', 'a']);
  assert.equal(o.quiet, true);
  assert.equal(o.tunnels, true);
  const h = parseArgs(['-qh']);
  assert.equal(h.help, true);
  assert.equal(h.quiet, true);
  assert.equal(parseArgs(['-v2', '-r', 'a']).verbose, 2);
  usage(['-qx', '-r', 'a'], /'-q' takes no value/);
  // A value that looks like a bundle stays a value.
  assert.equal(parseArgs(['-r', 'a', '-w', '-qT']).outFile, '-qT');
});

test('-v 1/2 imply text format unless --format is given', () => {
  assert.equal(parseArgs(['-r', 'a', '-v', '2']).format, 'text');
  assert.equal(parseArgs(['-r', 'a', '-v', '1']).format, 'text');
  assert.equal(parseArgs(['-r', 'a', '-v', '0']).format, 'jsonl');
  assert.equal(parseArgs(['-r', 'a', '-v', '2', '--format', 'jsonl']).format, 'jsonl');
  assert.equal(parseArgs(['-r', 'a', '--format=text']).format, 'text');
});

test('--timeout sets named timeouts, comma-separated, leaving the others at their defaults', () => {
  const o = parseArgs(['-r', 'a', '--timeout', 'tcp-opening=5,udp=30', '--timeout=active=600']);
  assert.deepEqual(o.timeouts, { ...DEFAULT_TIMEOUTS, tcpOpening: 5, udp: 30, active: 600 });
  const all = parseArgs(['-r', 'a', '--timeout', 'tcp-opening=1,tcp=2,tcp-closed=3,udp=4,icmp=5,other=6,active=7']);
  assert.deepEqual(all.timeouts, { tcpOpening: 1, tcp: 2, tcpClosed: 3, udp: 4, icmp: 5, other: 6, active: 7 });
  usage(['-r', 'a', '--timeout', 'udp'], /--timeout: expected name=seconds/);
  usage(['-r', 'a', '--timeout', 'udp=-1'], /got 'udp=-1'/);
  usage(['-r', 'a', '--timeout', 'udp=1.5'], /got 'udp=1.5'/);
  usage(['-r', 'a', '--timeout', 'active=0'], /--timeout active: 0 is out of range/);
  usage(['-r', 'a', '--timeout', `tcp=${7 * 86400 + 1}`], /out of range/);
});

test('numeric options: ranges and whole numbers only', () => {
  assert.equal(parseArgs(['-r', 'a', '-n', '64']).threads, 64);
  assert.equal(parseArgs(['-r', 'a', '--max-flows', '16']).maxFlows, 16);
  usage(['-r', 'a', '-n', '65'], /-n: 65 is out of range \(1-64\)/);
  usage(['-r', 'a', '-n', ' 4'], /-n: expected a whole number/);
  usage(['-r', 'a', '-n', '1e3'], /-n: expected a whole number/);
  usage(['-r', 'a', '--threads', '-1'], /--threads: expected a whole number/);
  usage(['-r', 'a', '--max-flows', '15'], /--max-flows: 15 is out of range/);
  usage(['-r', 'a', '-v', '3'], /-v: 3 is out of range \(0-2\)/);
});

test('fluentd options are collected with -s and refused without it', () => {
  const o = parseArgs(['-r', 'a', '-s', 'collector', '-p', '24225', '-t', 'flows.x', '-m', 'json']);
  assert.deepEqual(o.fluentd, { host: 'collector', port: 24225, tag: 'flows.x', mode: 'json', tls: false });
  assert.deepEqual(parseArgs(['-r', 'a', '-s', 'h']).fluentd, { host: 'h', port: 24224, tag: 'ndpi.flow', mode: 'msgpack', tls: false });
  usage(['-r', 'a', '-t', 'x'], /-t needs a fluentd server/);
  usage(['-r', 'a', '--fluentd-mode', 'json'], /--fluentd-mode needs a fluentd server/);
  usage(['-r', 'a', '-s', 'h', '-t', 'bad tag'], /-t: invalid fluentd tag/);
  usage(['-r', 'a', '-s', 'bad host'], /-s: invalid host/);
  usage(['-r', 'a', '-s', 'h', '-p', '0'], /-p: 0 is out of range/);
});

test('mistakes are UsageErrors naming the option', () => {
  usage(['--nope'], /unknown option '--nope'/);
  usage(['-Z'], /unknown option '-Z'/);
  usage(['-r', 'a', 'extra'], /unexpected argument 'extra'/);
  usage(['-r'], /option '-r' needs a value/);
  usage(['--read'], /option '--read' needs a value/);
  usage(['-r', 'a,,b'], /-r: empty input name in 'a,,b'/);
  usage(['-r', 'a', '-f', '  '], /-f: empty filter expression/);
  usage(['-r', 'a', '-w', ''], /-w: empty file name/);
  usage(['-r', 'a', '--quiet=1'], /option '--quiet' takes no value/);
  usage(['-r', 'a', '--format', 'csv'], /--format: expected jsonl or text, got 'csv'/);
  usage([], /no input/);
});

test('--help and --version need no input', () => {
  assert.equal(parseArgs(['--help']).help, true);
  assert.equal(parseArgs(['--version']).version, true);
});

test('help text lists every option with its value placeholder', () => {
  const h = helpText();
  for (const o of OPTIONS) {
    const name = (o.short ? `-${o.short}, ` : '') + `--${o.long}` + (o.arg ? ` <${o.arg}>` : '');
    assert.ok(h.includes(name), name);
    assert.ok(h.includes(o.help), `help of --${o.long}`);
  }
});
