/**
 * Network namespaces and veth pairs for the live capture tests (needs root
 * and iproute2). Every name carries a random tag (ft-<tag>-...), so tests
 * running at once do not collide; destroy() kills the processes started in
 * the namespaces and deletes the namespaces, which deletes their veth ends
 * and so the pairs, whatever state a failed test left them in.
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking, never routed),
 * a /30 per link chosen from the tag.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Cmd {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Why namespaces cannot be used here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'live capture tests need root (network namespaces, packet capture)';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.error !== undefined) return 'live capture tests need iproute2 (ip): apt-get install iproute2';
  const td = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (td.error !== undefined) return 'live capture tests need tcpdump: apt-get install tcpdump';
  const name = `ft-probe-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', name]);
  return null;
}

export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Cmd {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: opts.timeoutMs ?? 20_000, input: opts.input, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error !== undefined ? String(r.error) : '') };
}

function must(cmd: string, args: readonly string[]): string {
  const r = run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export class Lab {
  readonly tag = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly children: ChildProcess[] = [];
  /** Third octet base for this lab's /30 links. */
  private readonly octet = parseInt(this.tag.slice(0, 2), 16);
  private links = 0;

  /** A new namespace with its loopback up. */
  namespace(suffix: string): string {
    const ns = `ft-${this.tag}-${suffix}`;
    must('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /**
   * A veth pair between two namespaces (null: the test's own namespace, no
   * address there), both ends up, IPv6 address generation off (no router
   * solicitations in the captures). Returns the interface names and the
   * IPv4 addresses given to the ends that are in a namespace.
   */
  veth(a: string | null, b: string | null, names: [string, string]): { ifA: string; ifB: string; addrA: string; addrB: string } {
    const n = this.links++;
    const third = (this.octet + n) & 0xff;
    const base = 198 * 0x1000000 + (18 + (n & 1)) * 0x10000 + third * 0x100 + ((parseInt(this.tag.slice(2, 4), 16) & 0x3f) << 2);
    const addr = (k: number): string => [(base + k) >>> 24, ((base + k) >>> 16) & 255, ((base + k) >>> 8) & 255, (base + k) & 255].join('.');
    const [ifA, ifB] = names;
    must('ip', ['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB]);
    for (const [ifc, ns, k] of [[ifA, a, 1], [ifB, b, 2]] as const) {
      if (ns !== null) must('ip', ['link', 'set', ifc, 'netns', ns]);
      const ip = ns !== null ? ['-n', ns] : [];
      must('ip', [...ip, 'link', 'set', ifc, 'addrgenmode', 'none']);
      if (ns !== null) must('ip', [...ip, 'addr', 'add', `${addr(k)}/30`, 'dev', ifc]);
      must('ip', [...ip, 'link', 'set', ifc, 'mtu', '9000', 'up']);
    }
    return { ifA, ifB, addrA: addr(1), addrB: addr(2) };
  }

  /** Runs a command in a namespace and waits for it. */
  exec(ns: string, cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Cmd {
    return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
  }

  /** Starts a command in a namespace; it is killed by destroy(). */
  spawn(ns: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    this.children.push(c);
    return c;
  }

  /** Kills what was started and whatever else runs in the namespaces, then deletes them (and with them the veth pairs). */
  async destroy(): Promise<void> {
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    for (const ns of this.namespaces) {
      const pids = run('ip', ['netns', 'pids', ns]).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
      for (const p of pids) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    const closed = (c: ChildProcess): Promise<void> | undefined =>
      c.exitCode === null && c.signalCode === null ? new Promise<void>((r) => c.once('exit', () => r())) : undefined;
    await Promise.race([Promise.all(this.children.map(closed)), new Promise((r) => setTimeout(r, 5000).unref())]);
    for (const c of this.children) {
      c.stdout?.destroy();
      c.stderr?.destroy();
    }
    for (const ns of this.namespaces) run('ip', ['netns', 'del', ns]);
  }
}

/** Waits until cond() is true, checking every 50 ms; throws with `what` after timeoutMs. */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
