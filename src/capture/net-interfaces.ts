/**
 * The network interfaces of this host (of the calling process's network
 * namespace), read from sysfs (sysfs-class-net): names from /sys/class/net,
 * the ARPHRD_* type of each (mapped to the LINKTYPE_* value libpcap gives its
 * captures, for checking a BPF filter before capturing), and the packet
 * counters of /sys/class/net/<if>/statistics. Without sysfs the names come
 * from os.networkInterfaces(), which only lists interfaces that have an
 * address, and types and counters are unknown.
 *
 * "any" is libpcap's pseudo-device for every interface (Linux cooked v2).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

const SYS_NET = '/sys/class/net';
/** libpcap's capture-on-every-interface device. */
export const ANY_DEVICE = 'any';
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_IEEE802_11 = 105;
const LINKTYPE_RADIOTAP = 127;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;

/**
 * ARPHRD_* (include/uapi/linux/if_arp.h) → the link type libpcap's Linux
 * capture gives (its map_arphrd_to_dlt); types not listed are captured in
 * cooked mode.
 */
const ARPHRD_TO_LINKTYPE: ReadonlyMap<number, number> = new Map([
  [1, LINKTYPE_ETHERNET], // ARPHRD_ETHER
  [772, LINKTYPE_ETHERNET], // ARPHRD_LOOPBACK: libpcap presents lo as Ethernet
  [768, LINKTYPE_RAW], // ARPHRD_TUNNEL (ipip)
  [769, LINKTYPE_RAW], // ARPHRD_TUNNEL6
  [776, LINKTYPE_RAW], // ARPHRD_SIT
  [778, LINKTYPE_RAW], // ARPHRD_IPGRE
  [823, LINKTYPE_RAW], // ARPHRD_IP6GRE
  [65534, LINKTYPE_RAW], // ARPHRD_NONE (tun, wireguard)
  [801, LINKTYPE_IEEE802_11], // ARPHRD_IEEE80211
  [803, LINKTYPE_RADIOTAP], // ARPHRD_IEEE80211_RADIOTAP
]);

/** Names of the interfaces of this network namespace, sorted. */
export function listInterfaces(): string[] {
  try {
    return readdirSync(SYS_NET).sort();
  } catch {
    return Object.keys(networkInterfaces()).sort();
  }
}

/** True when `name` is an interface of this namespace or the "any" pseudo-device. */
export function interfaceExists(name: string): boolean {
  if (name === ANY_DEVICE) return true;
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  return listInterfaces().includes(name);
}

/**
 * The LINKTYPE_* value libpcap will give captures on `name`, or undefined
 * when unknown (no sysfs, unusual hardware type).
 */
export function interfaceLinkType(name: string): number | undefined {
  if (name === ANY_DEVICE) return LINKTYPE_LINUX_SLL2;
  const t = readNumber(join(SYS_NET, name, 'type'));
  if (t === undefined) return undefined;
  return ARPHRD_TO_LINKTYPE.get(t) ?? LINKTYPE_LINUX_SLL;
}

/** The interface's operational state ("up", "down", "unknown" ...), or undefined. */
export function interfaceOperState(name: string): string | undefined {
  try {
    return readFileSync(join(SYS_NET, name, 'operstate'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Kernel counters of one interface since it was created
 * (/sys/class/net/<if>/statistics, see sysfs-class-net-statistics).
 */
export interface InterfaceCounters {
  /** Packets received, and sent (a capture sees both directions). */
  rxPackets: number;
  txPackets: number;
  /** Received packets the kernel dropped before any protocol or capture saw them (no buffer, no handler). */
  rxDropped: number;
  /** Packets the NIC missed (its ring was full) and FIFO overruns: libpcap's "dropped by interface". */
  rxMissed: number;
}

/** The counters of `name`, or undefined when sysfs does not have them. */
export function interfaceCounters(name: string): InterfaceCounters | undefined {
  if (name === ANY_DEVICE) return undefined;
  const dir = join(SYS_NET, name, 'statistics');
  const rxPackets = readNumber(join(dir, 'rx_packets'));
  const txPackets = readNumber(join(dir, 'tx_packets'));
  if (rxPackets === undefined || txPackets === undefined) return undefined;
  return {
    rxPackets,
    txPackets,
    rxDropped: readNumber(join(dir, 'rx_dropped')) ?? 0,
    rxMissed: (readNumber(join(dir, 'rx_missed_errors')) ?? 0) + (readNumber(join(dir, 'rx_fifo_errors')) ?? 0),
  };
}

function readNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
