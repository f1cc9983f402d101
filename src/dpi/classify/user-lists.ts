/**
 * User-supplied classification lists, loaded from a directory at start and
 * again on reload (no rebuild): every `*.hosts` file holds lines
 * "host-pattern<TAB or spaces>protocol-name" (patterns as in hosts.ts), every
 * `*.ips` file holds "CIDR<TAB or spaces>protocol-name" (IPv4 or IPv6).
 * Protocol names are nDPI's (case-insensitive). Lines starting with '#' and
 * blank lines are ignored. User entries take precedence over the built-in
 * lists. A mistake is reported as a UsageError (E_CONFIG) naming file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../util/errors';
import { PROTOCOL_NAMES } from '../generated/protocols';
import { HostClassifier } from './hosts';
import { IpClassifier, parseIpv6 } from './ip-trie';

let byName: Map<string, number> | undefined;
function protocolId(name: string): number | undefined {
  if (byName === undefined) {
    byName = new Map();
    PROTOCOL_NAMES.forEach((n, id) => {
      if (n !== undefined) byName!.set(n.toLowerCase(), id);
    });
  }
  return byName.get(name.toLowerCase());
}

export interface LoadedLists {
  hosts: HostClassifier;
  ips: IpClassifier;
  files: number;
  entries: number;
}

/** Built-in lists plus the directory's lists. */
export function loadLists(dir: string): LoadedLists {
  const hosts = new HostClassifier();
  const ips = new IpClassifier();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.hosts') || n.endsWith('.ips')).sort();
  } catch (err) {
    throw new UsageError(`--lists ${dir}: cannot read the directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'E_CONFIG');
  }
  let entries = 0;
  for (const name of names) {
    const file = join(dir, name);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const where = `${file}:${i + 1}`;
      const m = /^(\S+)\s+(\S+)$/.exec(line);
      if (!m) throw new UsageError(`${where}: expected "<pattern> <protocol>", got '${line}'`, 'E_CONFIG');
      const id = protocolId(m[2]);
      if (id === undefined) throw new UsageError(`${where}: unknown protocol '${m[2]}' (use nDPI's names, see docs/protocols.md)`, 'E_CONFIG');
      if (name.endsWith('.hosts')) {
        hosts.add(m[1], id);
      } else {
        const [addr, lenText = ''] = m[1].split('/');
        const v6 = addr.includes(':');
        const len = lenText === '' ? (v6 ? 128 : 32) : Number(lenText);
        if (!Number.isInteger(len) || len < 0 || len > (v6 ? 128 : 32)) throw new UsageError(`${where}: bad prefix length in '${m[1]}'`, 'E_CONFIG');
        if (v6) {
          const w = parseIpv6(addr);
          if (!w) throw new UsageError(`${where}: bad IPv6 address '${addr}'`, 'E_CONFIG');
          ips.addV6(w, len, id);
        } else {
          const parts = addr.split('.').map(Number);
          if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new UsageError(`${where}: bad IPv4 address '${addr}'`, 'E_CONFIG');
          ips.addV4(((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0, len, id);
        }
      }
      entries++;
    });
  }
  return { hosts, ips, files: names.length, entries };
}
