/**
 * tcpdump as the capture helper, without capturing: its command line, what
 * its standard error says (the "listening" line, the SIGUSR1 one-line
 * counters, the multi-line counters at exit, split anywhere across chunks),
 * finding the executable, and the mapping of its failure messages to typed
 * errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTcpdump, tcpdumpArgs, TcpdumpStderr, type StderrEvent } from '../../src/capture/tcpdump';
import { helperFailure, LiveCaptureError } from '../../src/capture/live-errors';
import { describeExit } from '../../src/capture/helper-process';

function parse(chunks: readonly string[]): { events: StderrEvent[]; p: TcpdumpStderr } {
  const events: StderrEvent[] = [];
  const p = new TcpdumpStderr((e) => events.push(e));
  for (const c of chunks) p.push(c);
  p.finish();
  return { events, p };
}

test('the command line asks for a packet-buffered pcap stream on stdout with the capture settings', () => {
  assert.deepEqual(tcpdumpArgs({ iface: 'eth1', snaplen: 262144, promisc: true }), ['-i', 'eth1', '-w', '-', '-U', '-s', '262144']);
  assert.deepEqual(
    tcpdumpArgs({ iface: 'eth2', snaplen: 128, bufferBytes: 64 * 1024 * 1024 + 1, promisc: false, filter: 'tcp port 80', immediate: true }),
    ['-i', 'eth2', '-w', '-', '-U', '-s', '128', '-B', '65537', '-p', '--immediate-mode', '--', 'tcp port 80'],
  );
  assert.deepEqual(tcpdumpArgs({ iface: 'eth1', snaplen: 96, promisc: true, filter: '  ' }), ['-i', 'eth1', '-w', '-', '-U', '-s', '96']);
});

test('the listening line says the helper is capturing, with the link type', () => {
  const { events } = parse(['tcpdump: listening on eth1, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n']);
  assert.deepEqual(events, [{ kind: 'listening', linkType: 'EN10MB' }]);
});

test('the one-line counters (SIGUSR1) are read, even when split across chunks', () => {
  const { events, p } = parse(['tcpdump: ', '5 packets captured, 7 packets received by filter, 2 packets dro', 'pped by kernel, 3 packets dropped by interface\n']);
  assert.deepEqual(events, [{ kind: 'stats', counters: { captured: 5, received: 7, kernelDrops: 2, interfaceDrops: 3 } }]);
  assert.equal(p.sawStats, true);
});

test('the multi-line counters at exit are read, singular forms and a last line without a newline included', () => {
  const { events } = parse(['1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n4 packets dropped by interface']);
  assert.deepEqual(events, [
    { kind: 'stats', counters: { captured: 1, received: 1, kernelDrops: 0, interfaceDrops: 0 } },
    { kind: 'stats', counters: { captured: 1, received: 1, kernelDrops: 0, interfaceDrops: 4 } },
  ]);
});

test('other lines are kept as messages (the last eight), for error reports', () => {
  const lines = Array.from({ length: 10 }, (_, i) => `tcpdump: message ${i}`);
  const { events, p } = parse([lines.join('\n') + '\n']);
  assert.equal(events.length, 10);
  assert.deepEqual(p.messages, lines.slice(2));
});

test('findTcpdump takes PATH, then the system directories; a missing one is E_CAPTURE_NO_HELPER', () => {
  assert.match(findTcpdump(undefined, '/nonexistent'), /\/tcpdump$/);
  assert.throws(() => findTcpdump('/nonexistent/tcpdump'), (e: unknown) => {
    assert.ok(e instanceof LiveCaptureError);
    assert.equal(e.code, 'E_CAPTURE_NO_HELPER');
    return true;
  });
});

test("tcpdump's failure messages map to one typed error each", () => {
  const here = (): string[] => ['eth0', 'lo'];
  const cases: Array<[string[], string, string]> = [
    [['tcpdump: eth9: No such device exists', '(No such device exists)'], 'E_CAPTURE_NO_DEVICE', "no network interface named 'eth9' (interfaces here: eth0, lo)"],
    [['tcpdump: eth9: That device is not up'], 'E_CAPTURE_DEVICE_DOWN', 'network interface eth9 is down: bring it up (ip link set eth9 up)'],
    [["tcpdump: eth9: You don't have permission to capture on that device", '(socket: Operation not permitted)'], 'E_CAPTURE_PERMISSION',
      'no permission to capture on eth9: run flowtap as root, or let /usr/bin/tcpdump capture without root: setcap cap_net_raw,cap_net_admin=eip /usr/bin/tcpdump'],
    [['tcpdump: something else went wrong'], 'E_CAPTURE_FAILED', 'cannot capture on eth9: /usr/bin/tcpdump: something else went wrong'],
    [[], 'E_CAPTURE_FAILED', 'cannot capture on eth9: /usr/bin/tcpdump: it exited without a message'],
  ];
  for (const [lines, code, message] of cases) {
    const e = helperFailure('eth9', '/usr/bin/tcpdump', lines, here);
    assert.equal(e.code, code, lines.join('|'));
    assert.equal(e.message, message);
    assert.equal(e.exitCode, code === 'E_CAPTURE_NO_DEVICE' ? 2 : 1);
  }
});

test('a helper exit is described by its code and last message, or its signal', () => {
  assert.equal(describeExit({ code: 1, signal: null, atMs: 0 }, ['tcpdump: pcap_loop: The interface disappeared']), 'exited (code 1: pcap_loop: The interface disappeared)');
  assert.equal(describeExit({ code: 0, signal: null, atMs: 0 }, []), 'exited (code 0)');
  assert.equal(describeExit({ code: null, signal: 'SIGKILL', atMs: 0 }, ['x']), 'was killed by SIGKILL');
});
