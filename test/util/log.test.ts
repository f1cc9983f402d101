/**
 * The logger: levels, the stderr format, the journald "<N>" prefix chosen by
 * JOURNAL_STREAM matching standard error, and syslog through logger(1) to a
 * Unix datagram socket (a receiver bound by python3 in the test stands in
 * for /dev/log), including a missing socket reported once on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fstatSync, openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJournalStream, Logger, parseLogLevel } from '../../src/util/log';
import { UsageError } from '../../src/util/errors';

class Lines {
  readonly text: string[] = [];
  write(s: string): void {
    this.text.push(s);
  }
}

test('messages below the level are dropped; the rest get the flowtap prefix, one line each', () => {
  const out = new Lines();
  const log = new Logger({ level: 'warn', stderr: out, journal: false });
  log.error('cannot open x');
  log.warn('two\nlines');
  log.info('not shown');
  log.debug('not shown');
  assert.deepEqual(out.text, ['flowtap: cannot open x\n', 'flowtap: warning: two lines\n']);
  const all = new Lines();
  const dbg = new Logger({ level: 'debug', stderr: all, journal: false });
  dbg.info('i');
  dbg.debug('d');
  assert.deepEqual(all.text, ['flowtap: i\n', 'flowtap: debug: d\n']);
});

test('journald gets syslog severity prefixes instead', () => {
  const out = new Lines();
  const log = new Logger({ level: 'debug', stderr: out, journal: true });
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  assert.deepEqual(out.text, ['<3>e\n', '<4>w\n', '<6>i\n', '<7>d\n']);
});

test('JOURNAL_STREAM counts only when it names the file open on the descriptor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-log-'));
  try {
    const fd = openSync(join(dir, 'f'), 'w');
    const st = fstatSync(fd, { bigint: true });
    assert.equal(isJournalStream({ JOURNAL_STREAM: `${st.dev}:${st.ino}` }, fd), true);
    assert.equal(isJournalStream({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1n}` }, fd), false);
    assert.equal(isJournalStream({}, fd), false);
    assert.equal(isJournalStream({ JOURNAL_STREAM: 'garbage' }, fd), false);
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('level names parse (warning is warn); anything else is a usage error naming the option', () => {
  assert.equal(parseLogLevel('DEBUG'), 'debug');
  assert.equal(parseLogLevel('warning'), 'warn');
  assert.throws(() => parseLogLevel('loud'), (e: unknown) => e instanceof UsageError && e.message === "--log-level: expected one of error, warn, info, debug, got 'loud'");
});

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('ready', flush=True)
while True:
    print(s.recv(65536).decode('utf-8', 'replace'), flush=True)
`;

const noLogger = spawnSync('logger', ['--version']).error !== undefined ? 'logger(1) is not installed (apt-get install bsdutils)' : false;
const noPython = spawnSync('/usr/bin/python3', ['-V']).error !== undefined ? 'python3 is needed for the test socket' : false;

test('syslog messages reach a Unix datagram socket with facility and severity, tag and pid', { skip: noLogger || noPython }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-syslog-'));
  const sock = join(dir, 'log');
  const rx = spawn('/usr/bin/python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let got = '';
    rx.stdout.on('data', (d: Buffer) => (got += d.toString('utf8')));
    await waitFor(() => got.includes('ready'));
    const out = new Lines();
    const log = new Logger({ level: 'info', stderr: out, journal: false, syslog: { socket: sock, facility: 'local3' } });
    log.error('capture failed');
    log.warn('drops on eth1');
    log.info('capturing on eth1');
    log.debug('not sent');
    await log.close();
    await waitFor(() => got.split('\n').filter((l) => l.startsWith('<')).length >= 3);
    const lines = got.split('\n').filter((l) => l.startsWith('<'));
    const pid = process.pid;
    assert.match(lines[0], new RegExp(`^<155>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d flowtap\\[${pid}\\]: capture failed$`));
    assert.match(lines[1], new RegExp(`^<156>.* flowtap\\[${pid}\\]: drops on eth1$`));
    assert.match(lines[2], new RegExp(`^<158>.* flowtap\\[${pid}\\]: capturing on eth1$`));
    assert.equal(lines.length, 3);
    assert.equal(out.text.length, 3);
  } finally {
    rx.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a syslog socket that is not there is reported once on stderr; messages still reach stderr', { skip: noLogger }, async () => {
  const out = new Lines();
  const log = new Logger({ level: 'info', stderr: out, journal: false, syslog: { socket: '/nonexistent/log' } });
  log.info('first');
  await waitFor(() => out.text.some((l) => l.includes('syslog:')));
  log.info('second');
  await log.close();
  const warnings = out.text.filter((l) => l.includes('syslog:'));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^flowtap: warning: syslog: logger stopped \(exit code 1\) writing to \/nonexistent\/log \(.*\); messages go to standard error only for now\n$/);
  assert.ok(out.text.includes('flowtap: first\n') && out.text.includes('flowtap: second\n'));
});

test('an unknown syslog facility is a usage error', () => {
  assert.throws(() => new Logger({ syslog: { facility: 'kernel' } }), UsageError);
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
