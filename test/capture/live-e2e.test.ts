/**
 * The live capture acceptance test (issue 5): two network namespaces joined
 * by a veth pair; servers in one (HTTP on 8081, TLS with openssl s_server
 * on 4433 and a self-signed certificate for example.test, sshd on 10022, a
 * small DNS responder on 53), clients in the other (curl, openssl s_client
 * -servername example.test, ssh, dig), captured live on the client side's
 * veth in JSON Lines, stopped with SIGTERM; the records must show the four
 * flows labelled from their payload (confidence "dpi"): HTTP, TLS with
 * server_name example.test, SSH on port 10022, DNS.
 *
 * Two capture commands run the same scenario:
 *   - `node dist/cli.js -i <veth> --format jsonl` (the flowtap command);
 *   - test/capture/live-runner.ts, which builds the Probe, LiveSource and
 *     JSON Lines output by hand (used by scripts/live-load-test.sh --cmd runner).
 * Bad input, through both: a missing interface and an invalid filter (exit
 * code 2), no permission as user nobody (exit code 1), one line each.
 *
 * Needs root, iproute2, tcpdump, curl, openssl, openssh-server/-client and
 * dnsutils; each missing one skips the tests with its name.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowRecord } from '../../src/flow/record';
import { CLI, ROOT, parseJsonl } from '../cli/helpers';
import { Lab, netnsUnavailable, until } from './netns';

const RUNNER = join(ROOT, 'build', 'test', 'capture', 'live-runner.js');
const PY = '/usr/bin/python3';
const SSHD = '/usr/sbin/sshd';

function missingTool(): string | null {
  const base = netnsUnavailable();
  if (base !== null) return base;
  const tools: Array<[string, string[], string]> = [
    ['curl', ['--version'], 'curl'],
    ['openssl', ['version'], 'openssl'],
    ['ssh', ['-V'], 'openssh-client'],
    [SSHD, ['-V'], 'openssh-server'],
    ['ssh-keygen', ['--help'], 'openssh-client'],
    ['dig', ['-v'], 'dnsutils'],
    [PY, ['-V'], 'python3'],
    ['setpriv', ['--version'], 'util-linux'],
  ];
  for (const [cmd, args, pkg] of tools) {
    if (spawnSync(cmd, args).error !== undefined) return `${cmd} is not installed (apt-get install ${pkg})`;
  }
  return null;
}

const DNS_RESPONDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
print('ready', flush=True)
while True:
    d, a = s.recvfrom(4096)
    if len(d) < 12:
        continue
    r = bytearray(d)
    r[2] |= 0x80
    r[3] = (r[3] & 0xf0) | 3
    s.sendto(bytes(r), a)
`;

function collect(c: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  c.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  c.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
  return { out: () => out, err: () => err };
}

function exited(c: ChildProcess): Promise<number | null> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((resolve) => c.once('close', (code) => resolve(code)));
}

const skip = missingTool();

describe('live capture end to end (issue 5 acceptance)', { skip: skip ?? false }, () => {
  const lab = new Lab();
  const tmp = mkdtempSync(join(tmpdir(), 'flowtap-live-e2e-'));
  let srv = '';
  let cli = '';
  let capIf = '';
  let server = '';

  /** True when a packet socket is open in the namespace (a capture has started). */
  function captureSocketOpen(ns: string): boolean {
    return lab.exec(ns, 'cat', ['/proc/net/packet']).stdout.trim().split('\n').length > 1;
  }

  before(async () => {
    srv = lab.namespace('srv');
    cli = lab.namespace('cli');
    const link = lab.veth(srv, cli, [`ft${lab.tag}s`, `ft${lab.tag}c`]);
    server = link.addrA;
    capIf = link.ifB;

    const key = join(tmp, 'key.pem');
    const cert = join(tmp, 'cert.pem');
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=example.test', '-days', '2'], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    const hostKey = join(tmp, 'ssh_host_ed25519_key');
    const kg = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { encoding: 'utf8' });
    assert.equal(kg.status, 0, kg.stderr);
    const sshdConfig = join(tmp, 'sshd_config');
    writeFileSync(sshdConfig, [`Port 10022`, `ListenAddress ${server}`, `HostKey ${hostKey}`, `PidFile ${join(tmp, 'sshd.pid')}`, 'UsePAM no', 'StrictModes no', ''].join('\n'));
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    mkdirSync(join(tmp, 'www'));
    writeFileSync(join(tmp, 'www', 'index.html'), '<p>flowtap</p>\n');

    const http = collect(lab.spawn(srv, PY, ['-m', 'http.server', '8081', '--bind', server, '--directory', join(tmp, 'www')]));
    const tls = collect(lab.spawn(srv, 'openssl', ['s_server', '-accept', `${server}:4433`, '-cert', cert, '-key', key, '-www']));
    const sshd = collect(lab.spawn(srv, SSHD, ['-D', '-e', '-f', sshdConfig]));
    const dns = collect(lab.spawn(srv, PY, ['-c', DNS_RESPONDER, server]));
    await until(() => /ACCEPT/.test(tls.out()), `openssl s_server (${tls.err()})`);
    await until(() => /Server listening/.test(sshd.err()), `sshd (${sshd.err()})`);
    await until(() => /ready/.test(dns.out()), `the DNS responder (${dns.err()})`);
    await until(() => lab.exec(cli, 'curl', ['-s', '-o', '/dev/null', '-m', '2', `http://${server}:8081/`]).code === 0, `the HTTP server (${http.err()})`);
  });

  after(async () => {
    await lab.destroy();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs the clients in the client namespace, one after another. */
  function traffic(): void {
    const curl = lab.exec(cli, 'curl', ['-s', '-m', '5', '-A', 'flowtap-e2e', `http://${server}:8081/`]);
    assert.equal(curl.code, 0, `curl: ${curl.stderr}`);
    const tls = lab.exec(cli, 'openssl', ['s_client', '-connect', `${server}:4433`, '-servername', 'example.test', '-brief'], { input: '' });
    assert.equal(tls.code, 0, `openssl s_client: ${tls.stderr}`);
    const ssh = lab.exec(cli, 'ssh', [
      '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5',
      '-p', '10022', `nobody@${server}`, 'true',
    ]);
    assert.match(ssh.stderr, /Permission denied|Connection closed|authenticat/i, `ssh did not reach authentication: ${ssh.stderr}`);
    const dig = lab.exec(cli, 'dig', [`@${server}`, '-p', '53', 'example.test', 'A', '+tries=1', '+time=3']);
    assert.match(dig.stdout, /NXDOMAIN/, `dig: ${dig.stdout}${dig.stderr}`);
  }

  /** Captures the scenario with `argv` (node and its arguments) in the client namespace; returns the records. */
  async function capture(argv: string[], waitForLine: RegExp | null): Promise<{ records: FlowRecord[]; stderr: string; code: number | null }> {
    const child = lab.spawn(cli, process.execPath, argv);
    const io = collect(child);
    let early: number | null | undefined;
    const done = exited(child).then((code) => (early = code));
    try {
      await until(() => early !== undefined || captureSocketOpen(cli), 'a packet socket in the capture namespace');
      if (early !== undefined) throw new Error(`the capture exited early (code ${early}): ${io.err()}`);
      if (waitForLine !== null) await until(() => waitForLine.test(io.err()), `"${waitForLine.source}" on stderr (${io.err()})`);
      else await new Promise((r) => setTimeout(r, 500));
      traffic();
    } finally {
      child.kill('SIGTERM');
    }
    const code = await done;
    return { records: parseJsonl(io.out()), stderr: io.err(), code };
  }

  function assertLabels(records: readonly FlowRecord[], stderr: string): void {
    const show = (): string => `${records.map((r) => `${r.protocol} ${r.dst_addr}:${r.dst_port} ${r.protocol_name} ${r.confidence} ${r.server_name}`).join('\n')}\n${stderr}`;
    const flow = (proto: string, port: number): FlowRecord => {
      const r = records.find((x) => x.protocol === proto && x.dst_addr === server && x.dst_port === port);
      assert.ok(r !== undefined, `no ${proto} flow to ${server}:${port} among:\n${show()}`);
      return r;
    };
    const http = flow('TCP', 8081);
    assert.equal(http.protocol_name, 'HTTP', show());
    assert.equal(http.confidence, 'dpi');
    assert.ok(http.in_pkts > 0 && http.out_pkts > 0);
    const tls = flow('TCP', 4433);
    assert.match(tls.protocol_name, /^TLS/, show());
    assert.equal(tls.server_name, 'example.test');
    assert.equal(tls.confidence, 'dpi');
    const ssh = flow('TCP', 10022);
    assert.equal(ssh.protocol_name, 'SSH', show());
    assert.equal(ssh.confidence, 'dpi');
    const dns = flow('UDP', 53);
    assert.match(dns.protocol_name, /^DNS/, show());
    assert.equal(dns.server_name, 'example.test');
    assert.equal(dns.confidence, 'dpi');
  }

  test('live capture with the runner (Probe + LiveSource + JSON Lines) labels HTTP, TLS, SSH on 10022 and DNS; SIGTERM exports them', async () => {
    const r = await capture([RUNNER, '-i', capIf, '--format', 'jsonl'], /capturing on /);
    assert.equal(r.code, 0, r.stderr);
    assertLabels(r.records, r.stderr);
    assert.match(r.stderr, new RegExp(`capture on ${capIf}: [\\d,]+ packets received by the filter in all, none dropped`));
  });

  test('live capture with the CLI: flowtap -i <veth> --format jsonl, stopped with SIGTERM', async () => {
    const r = await capture([CLI, '-i', capIf, '--format', 'jsonl'], /capturing on /);
    assert.equal(r.code, 0, r.stderr);
    assertLabels(r.records, r.stderr);
    assert.match(r.stderr, /^flowtap: capturing on /m);
    assert.match(r.stderr, /^flowtap: stopped by SIGTERM: [\d,]+ flows still open were exported$/m);
    assert.match(r.stderr, new RegExp(`^  capture on ${capIf}: [\\d,]+ packets received by the filter in all, none dropped$`, 'm'));
  });

  test('bad input to the CLI: a missing interface, an invalid filter, no permission: one line each, non-zero exit', () => {
    const missing = lab.exec(cli, process.execPath, [CLI, '-i', 'ftnosuch0']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `flowtap: no network interface named 'ftnosuch0' (interfaces here: ${capIf}, lo)\n`);
    assert.equal(missing.stdout, '');
    const filter = lab.exec(cli, process.execPath, [CLI, '-i', capIf, '-f', 'tcp port 99999']);
    assert.equal(filter.code, 2);
    assert.match(filter.stderr, /^flowtap: invalid BPF filter 'tcp port 99999': .+\n$/);
    const nobody = lab.exec(cli, 'setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, '-i', capIf]);
    assert.equal(nobody.code, 1, nobody.stderr);
    assert.match(nobody.stderr, new RegExp(`^flowtap: no permission to capture on ${capIf}: run flowtap as root, or let /\\S*tcpdump capture without root: setcap cap_net_raw,cap_net_admin=eip /\\S*tcpdump\\n$`));
  });

  test('bad input to the runner: a missing interface, an invalid filter, no permission: one line each, non-zero exit', () => {
    const missing = lab.exec(cli, process.execPath, [RUNNER, '-i', 'ftnosuch0']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `flowtap: no network interface named 'ftnosuch0' (interfaces here: ${capIf}, lo)\n`);
    const filter = lab.exec(cli, process.execPath, [RUNNER, '-i', capIf, '-f', 'tcp port 99999']);
    assert.equal(filter.code, 2);
    assert.match(filter.stderr, /^flowtap: invalid BPF filter 'tcp port 99999': .+\n$/);
    const nobody = lab.exec(cli, 'setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, RUNNER, '-i', capIf]);
    assert.equal(nobody.code, 1, nobody.stderr);
    assert.match(nobody.stderr, new RegExp(`^flowtap: no permission to capture on ${capIf}: run flowtap as root, or let /\\S*tcpdump capture without root: setcap cap_net_raw,cap_net_admin=eip /\\S*tcpdump\\n$`));
  });
});
