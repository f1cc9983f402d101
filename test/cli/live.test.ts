/**
 * Live capture in the flowtap command (src/cli/live.ts and its flags):
 *  - which -i names are interfaces and which are capture files; mixing them
 *    is one usage line (exit 2);
 *  - the live flags (--snaplen, --no-promisc, --capture-buffer,
 *    --metrics-listen, --log-level, --log-syslog) and the configuration keys
 *    they override (input.*, metrics.listen, log.*), with their mistakes;
 *  - a live run on a veth (root): records of an idle link reach the -w file
 *    before SIGTERM, /metrics shows the capture, text lines (-v 2) are
 *    flushed while running, SIGTERM writes the flows still open, the summary
 *    has the drop report, and --stats-json its counters;
 *  - with two worker threads (-n 2): idle UDP flows to 12 hosts are written
 *    while running (expiry on the wall clock in each worker), /metrics sums
 *    the workers' counters, and open TCP flows to 24 hosts, spread over both
 *    workers, are all written at SIGTERM (none lost).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputsOf, isInterfaceName } from '../../src/cli/live';
import { parseArgs } from '../../src/cli/args';
import { cliOverrides } from '../../src/cli/overrides';
import { mergeCli } from '../../src/config/cli-merge';
import { defaultConfig } from '../../src/config/load';
import { UsageError } from '../../src/util/errors';
import { CLI, flowtap, parseJsonl } from './helpers';
import { Lab, netnsUnavailable, until } from '../capture/netns';
import { addressPairHash } from '../../src/workers/partition';
import { v4Word } from '../flow/helpers';

const SAMPLE = join(__dirname, '..', '..', '..', 'samples', 'sample.pcap');

test('an -i name is an interface unless a file has that name or it looks like a file name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-live-'));
  try {
    assert.equal(isInterfaceName('lo'), true);
    assert.equal(isInterfaceName('any'), true);
    assert.equal(isInterfaceName('ftnosuch0'), true, 'a mistyped interface is still treated as one (for its message)');
    assert.equal(isInterfaceName('capture.pcap'), false);
    assert.equal(isInterfaceName('dir/capture'), false);
    assert.equal(isInterfaceName('-'), false);
    const playlist = join(dir, 'playlist');
    writeFileSync(playlist, '');
    assert.equal(isInterfaceName(playlist), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the inputs are capture files or interfaces, never both', () => {
  const input = defaultConfig().input;
  assert.deepEqual(inputsOf({ ...input, read: ['a.pcap'], interface: ['b.pcap'] }), { files: ['a.pcap', 'b.pcap'] });
  assert.deepEqual(inputsOf({ ...input, interface: ['lo', 'ftnosuch0'], snaplen: 128, promiscuous: false, bufferSize: 8 << 20 }), {
    files: [],
    live: { interfaces: ['lo', 'ftnosuch0'], snaplen: 128, promisc: false, bufferBytes: 8 << 20 },
  });
  assert.throws(() => inputsOf({ ...input, read: ['a.pcap'], interface: ['lo'] }), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'live capture (lo) and capture files (a.pcap) cannot be mixed in one run: run flowtap once for each');
    return true;
  });
});

test('the live flags: values, ranges and the configuration keys they override', () => {
  const o = parseArgs(['-i', 'lo', '--snaplen', '128', '--no-promisc', '--capture-buffer', '16M', '--metrics-listen', '9273', '--log-level', 'warning', '--log-syslog']);
  assert.deepEqual(o.interfaceNames, ['lo']);
  const cfg = mergeCli(defaultConfig(), cliOverrides(o, {}));
  assert.deepEqual(cfg.input.interface, ['lo']);
  assert.deepEqual(cfg.input.read, []);
  assert.equal(cfg.input.snaplen, 128);
  assert.equal(cfg.input.promiscuous, false);
  assert.equal(cfg.input.bufferSize, 16 << 20);
  assert.deepEqual(cfg.metrics.listen, { host: '127.0.0.1', port: 9273 });
  assert.equal(cfg.log.level, 'warn');
  assert.equal(cfg.log.syslog, true);
  // ndff's -i with a capture file stays a capture file, in order with -r.
  const files = mergeCli(defaultConfig(), cliOverrides(parseArgs(['-r', 'a.pcap', '-i', 'b.pcap', '-r', 'c.pcap']), {}));
  assert.deepEqual(files.input.read, ['a.pcap', 'b.pcap', 'c.pcap']);
  assert.deepEqual(files.input.interface, []);
  assert.deepEqual(parseArgs(['-i', 'lo', '--metrics-listen', '[::1]:9100']).metricsListen, { host: '::1', port: 9100 });
  assert.deepEqual(parseArgs(['-i', 'lo', '--metrics-listen', ':9100']).metricsListen, { host: '::', port: 9100 });
  for (const [args, message] of [
    [['--snaplen', '32'], '--snaplen: 32 is out of range (64-262144)'],
    [['--capture-buffer', '512K'], "--capture-buffer: expected a size from 1M to 2G, got '512K'"],
    [['--capture-buffer', '3G'], "--capture-buffer: expected a size from 1M to 2G, got '3G'"],
    [['--metrics-listen', 'localhost'], "--metrics-listen: expected host:port, [v6]:port, :port or a port (e.g. 127.0.0.1:9273), got 'localhost'"],
    [['--log-level', 'loud'], "--log-level: expected one of error, warn, info, debug, got 'loud'"],
  ] as const) {
    assert.throws(() => parseArgs(['-i', 'lo', ...args]), (e: unknown) => e instanceof UsageError && e.message === message, message);
  }
});

test('the configuration file\'s live keys are used, and flags override them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-live-'));
  try {
    const file = join(dir, 'flowtap.yaml');
    writeFileSync(file, 'input: { interface: [lo], snaplen: 1500, promiscuous: false, buffer_size: 8M }\nmetrics: { listen: "127.0.0.1:9273" }\nlog: { level: debug }\n');
    const r = flowtap(['-c', file, '--snaplen', '9000', '--log-level', 'error', '--print-config']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /interface:\s*\n?\s*- lo/);
    assert.match(r.stdout, /snaplen: 9000/);
    assert.match(r.stdout, /promiscuous: false/);
    assert.match(r.stdout, /listen: 127\.0\.0\.1:9273/);
    assert.match(r.stdout, /level: error/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI refuses to mix interfaces and files, and reading an interface with -r', () => {
  const mixed = flowtap(['-i', 'lo', '-r', SAMPLE]);
  assert.equal(mixed.code, 2);
  assert.equal(mixed.stderr, `flowtap: live capture (lo) and capture files (${SAMPLE}) cannot be mixed in one run: run flowtap once for each\n`);
  const asFile = flowtap(['-q', '-r', 'lo']);
  assert.equal(asFile.code, 2);
  assert.equal(asFile.stderr, 'flowtap: lo is a network interface, not a capture file: capture from it with -i lo\n');
});

const SENDER = `
const [dst, port, count] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const s = require('dgram').createSocket('udp4');
let sent = 0;
function next() {
  if (sent === count) return s.close();
  sent++;
  s.send(Buffer.from('flowtap live test'), port, dst, next);
}
next();
`;

/** Sends `count` UDP datagrams to port `port` of each address in the comma-separated list. */
const SPRAYER = `
const [dsts, port, count] = process.argv.slice(1);
const s = require('dgram').createSocket('udp4');
const queue = [];
for (const d of dsts.split(',')) for (let i = 0; i < Number(count); i++) queue.push(d);
function next() {
  const d = queue.shift();
  if (d === undefined) return s.close();
  s.send(Buffer.from('flowtap workers test'), Number(port), d, next);
}
next();
`;

/** Opens a TCP connection to port `port` of each address in the list; nobody answers (the SYNs stay open flows), given up after 500 ms. */
const KNOCKER = `
const [dsts, port] = process.argv.slice(1);
const net = require('net');
for (const d of dsts.split(',')) {
  const c = net.connect({ host: d, port: Number(port) });
  c.on('error', () => undefined);
  setTimeout(() => c.destroy(), 500);
}
`;

/** The worker (0-based, of n) the dispatcher gives the packets between a and b. */
function workerOfPair(a: string, b: string, n: number): number {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeInt32BE(v4Word(a), 12);
  ip.writeInt32BE(v4Word(b), 16);
  return ((addressPairHash(ip, 0, 20) >>> 16) * n) >>> 16;
}

const skip = netnsUnavailable();

describe('flowtap -i on a veth', { skip: skip ?? false }, () => {
  const lab = new Lab();
  const tmp = mkdtempSync(join(tmpdir(), 'flowtap-live-cli-'));
  let ns = '';
  let hostIf = '';
  let dst = '';
  let src = '';
  const children: ChildProcess[] = [];

  before(() => {
    ns = lab.namespace('a');
    const link = lab.veth(null, ns, [`ft${lab.tag}h`, `ft${lab.tag}n`]);
    hostIf = link.ifA;
    dst = link.addrA;
    src = link.addrB;
    const r = lab.exec(ns, 'ip', ['neigh', 'add', dst, 'lladdr', '02:00:5e:10:00:01', 'dev', link.ifB, 'nud', 'permanent']);
    assert.equal(r.code, 0, r.stderr);
    // Many destination hosts (many address pairs) through the same link.
    const route = lab.exec(ns, 'ip', ['route', 'add', '203.0.113.0/24', 'via', dst, 'dev', link.ifB]);
    assert.equal(route.code, 0, route.stderr);
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await lab.destroy();
    rmSync(tmp, { recursive: true, force: true });
  });

  function send(port: number, count: number): void {
    const r = lab.exec(ns, process.execPath, ['-e', SENDER, dst, String(port), String(count)]);
    assert.equal(r.code, 0, r.stderr);
  }

  function start(args: string[]): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    return { child, out: () => out, err: () => err, exited };
  }

  test('an idle link\'s records reach the -w file before SIGTERM; /metrics shows the capture; SIGTERM writes the open flows', async () => {
    const file = join(tmp, 'live.jsonl');
    // 3 s idle: long enough that the flow sent just before SIGTERM is still open when it arrives on a loaded machine.
    const c = start(['-i', hostIf, '-w', file, '--timeout', 'udp=3', '--metrics-listen', '127.0.0.1:0', '--log-level', 'debug']);
    try {
      await until(() => /capturing on /.test(c.err()), `"capturing on" (${c.err()})`);
      const base = /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(c.err())?.[1];
      assert.ok(base !== undefined, c.err());
      send(7301, 3);
      const records = (): ReturnType<typeof parseJsonl> => (existsSync(file) ? parseJsonl(readFileSync(file, 'utf8')) : []);
      // Ended by the wall clock (3 s idle), written out by the idle flush: no packet and no signal needed.
      await until(() => records().some((r) => r.dst_port === 7301), `the idle flow's record in ${file} (${c.err()})`);
      const rec = records().find((r) => r.dst_port === 7301);
      assert.equal(rec?.out_pkts, 3);
      assert.equal(rec?.flow_end_reason, 'idle');
      // The helper's counters come on request: a scrape asks, a later one shows them.
      const receivedLine = new RegExp(`^flowtap_capture_received_total\\{interface="${hostIf}"\\} [1-9]\\d*$`, 'm');
      let metrics = '';
      for (let i = 0; i < 100 && !receivedLine.test(metrics); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        metrics = await (await fetch(`${base}/metrics`)).text();
      }
      assert.match(metrics, new RegExp(`^flowtap_capture_up\\{interface="${hostIf}"\\} 1$`, 'm'));
      assert.match(metrics, new RegExp(`^flowtap_capture_received_total\\{interface="${hostIf}"\\} [1-9]\\d*$`, 'm'));
      assert.match(metrics, new RegExp(`^flowtap_capture_drops_total\\{interface="${hostIf}",kind="kernel"\\} 0$`, 'm'));
      assert.match(metrics, /^flowtap_records_total 1$/m);
      const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; capture: Array<{ interface: string; up: boolean }> };
      assert.equal(health.status, 'ok');
      assert.deepEqual(health.capture.map((x) => [x.interface, x.up]), [[hostIf, true]]);

      send(7302, 2);
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0, c.err());
      const open = records().find((r) => r.dst_port === 7302);
      assert.equal(open?.out_pkts, 2, `the flow open at SIGTERM was written: ${readFileSync(file, 'utf8')}`);
      assert.equal(open?.flow_end_reason, 'end_of_input');
      assert.match(c.err(), new RegExp(`^  capture on ${hostIf}: [\\d,]+ packets received by the filter in all, none dropped$`, 'm'));
    } finally {
      c.child.kill('SIGKILL');
    }
  });

  test('text lines are written while capturing; --stats-json has the capture counters', async () => {
    const c = start(['-i', hostIf, '-v', '2', '--timeout', 'udp=1', '--stats-json']);
    try {
      await until(() => /capturing on /.test(c.err()), `"capturing on" (${c.err()})`);
      send(7401, 2);
      await until(() => /7401/.test(c.out()), `the text line of the idle flow on standard output (${c.err()})`);
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0, c.err());
      const stats = JSON.parse(c.err().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { input: string; capture: Array<{ iface: string; captured: number; kernelDrops: number }> };
      assert.equal(stats.input, hostIf);
      assert.equal(stats.capture.length, 1);
      assert.equal(stats.capture[0].iface, hostIf);
      assert.ok(stats.capture[0].captured >= 2);
      assert.equal(stats.capture[0].kernelDrops, 0);
    } finally {
      c.child.kill('SIGKILL');
    }
  });

  test('-n 2: flows spread over both workers; idle ones are written while running, and none is lost at SIGTERM', async () => {
    const hosts = Array.from({ length: 24 }, (_, i) => `203.0.113.${i + 1}`);
    const used = new Set(hosts.map((h) => workerOfPair(src, h, 2)));
    assert.equal(used.size, 2, 'the 24 address pairs go to both workers');
    const file = join(tmp, 'workers.jsonl');
    const c = start(['-i', hostIf, '-n', '2', '-w', file, '--timeout', 'udp=1', '--metrics-listen', '127.0.0.1:0', '--stats-json']);
    try {
      await until(() => /capturing on /.test(c.err()), `"capturing on" (${c.err()})`);
      const base = /metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(c.err())?.[1];
      assert.ok(base !== undefined, c.err());
      const records = (): ReturnType<typeof parseJsonl> => (existsSync(file) ? parseJsonl(readFileSync(file, 'utf8')) : []);
      // First wave: ended by the wall clock in each worker (1 s idle) and written while running.
      let r = lab.exec(ns, process.execPath, ['-e', SPRAYER, hosts.slice(0, 12).join(','), '7501', '2']);
      assert.equal(r.code, 0, r.stderr);
      await until(() => records().filter((x) => x.dst_port === 7501).length === 12, `the 12 idle flows in ${file} (${c.err()})`);
      let metrics = '';
      for (let i = 0; i < 50 && !/^flowtap_records_total 12$/m.test(metrics); i++) {
        if (i > 0) await new Promise((res) => setTimeout(res, 200));
        metrics = await (await fetch(`${base}/metrics`)).text();
      }
      assert.match(metrics, /^flowtap_records_total 12$/m, 'the workers\' records, summed');
      assert.match(metrics, /^flowtap_flows_total 12$/m);
      // Second wave: unanswered TCP connection attempts (open for 20 s: tcp-opening) when SIGTERM comes.
      r = lab.exec(ns, process.execPath, ['-e', KNOCKER, hosts.join(','), '7502']);
      assert.equal(r.code, 0, r.stderr);
      c.child.kill('SIGTERM');
      assert.equal(await c.exited, 0, c.err());
      const open = records().filter((x) => x.dst_port === 7502);
      assert.deepEqual(open.map((x) => x.dst_addr).sort(), [...hosts].sort(), 'every flow open at SIGTERM was written');
      for (const x of open) {
        assert.equal(x.protocol, 'TCP', x.dst_addr);
        assert.ok(x.out_pkts >= 1, x.dst_addr);
        assert.equal(x.flow_end_reason, 'end_of_input', x.dst_addr);
      }
      assert.equal(new Set(records().map((x) => x.flow_id)).size, records().length, 'flow ids are unique across workers');
      const stats = JSON.parse(c.err().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { records: number; flows: number };
      assert.equal(stats.records, 36);
      assert.equal(stats.flows, 36);
    } finally {
      c.child.kill('SIGKILL');
    }
  });
});
