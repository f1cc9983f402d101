/**
 * Live capture in the flowtap command (src/cli/live.ts and its flags):
 *  - which -i names are interfaces and which are capture files; mixing them,
 *    and -n above 1 with live capture, are one usage line each (exit 2);
 *  - the live flags (--snaplen, --no-promisc, --capture-buffer,
 *    --metrics-listen, --log-level, --log-syslog) and the configuration keys
 *    they override (input.*, metrics.listen, log.*), with their mistakes;
 *  - a live run on a veth (root): records of an idle link reach the -w file
 *    before SIGTERM, /metrics shows the capture, text lines (-v 2) are
 *    flushed while running, SIGTERM writes the flows still open, the summary
 *    has the drop report, and --stats-json its counters.
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

test('the inputs are capture files or interfaces, never both; -n above 1 is refused for live capture', () => {
  const input = defaultConfig().input;
  assert.deepEqual(inputsOf({ ...input, read: ['a.pcap'], interface: ['b.pcap'] }, 4), { files: ['a.pcap', 'b.pcap'] });
  assert.deepEqual(inputsOf({ ...input, interface: ['lo', 'ftnosuch0'], snaplen: 128, promiscuous: false, bufferSize: 8 << 20 }, 1), {
    files: [],
    live: { interfaces: ['lo', 'ftnosuch0'], snaplen: 128, promisc: false, bufferBytes: 8 << 20 },
  });
  assert.throws(() => inputsOf({ ...input, read: ['a.pcap'], interface: ['lo'] }, 1), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'live capture (lo) and capture files (a.pcap) cannot be mixed in one run: run flowtap once for each');
    return true;
  });
  assert.throws(() => inputsOf({ ...input, interface: ['lo'] }, 2), /^UsageError: -n 2: -n is not implemented yet for live capture/);
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

test('the CLI refuses to mix interfaces and files, -n 2 with live capture, and reading an interface with -r', () => {
  const mixed = flowtap(['-i', 'lo', '-r', SAMPLE]);
  assert.equal(mixed.code, 2);
  assert.equal(mixed.stderr, `flowtap: live capture (lo) and capture files (${SAMPLE}) cannot be mixed in one run: run flowtap once for each\n`);
  const workers = flowtap(['-i', 'lo', '-n', '2']);
  assert.equal(workers.code, 2);
  assert.equal(workers.stderr, 'flowtap: -n 2: -n is not implemented yet for live capture (one thread captures and classifies); leave it out or give -n 1 (workers: 1 in the configuration file)\n');
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

const skip = netnsUnavailable();

describe('flowtap -i on a veth', { skip: skip ?? false }, () => {
  const lab = new Lab();
  const tmp = mkdtempSync(join(tmpdir(), 'flowtap-live-cli-'));
  let ns = '';
  let hostIf = '';
  let dst = '';
  const children: ChildProcess[] = [];

  before(() => {
    ns = lab.namespace('a');
    const link = lab.veth(null, ns, [`ft${lab.tag}h`, `ft${lab.tag}n`]);
    hostIf = link.ifA;
    dst = link.addrA;
    const r = lab.exec(ns, 'ip', ['neigh', 'add', dst, 'lladdr', '02:00:5e:10:00:01', 'dev', link.ifB, 'nud', 'permanent']);
    assert.equal(r.code, 0, r.stderr);
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
});
