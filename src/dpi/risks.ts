/**
 * Flow risks that need the whole flow (raised when its final record is
 * written), with nDPI's names (generated/protocols.ts, Risk):
 *  - Unidirectional Traffic: TCP/UDP packets went one way only (multicast and
 *    broadcast destinations excepted);
 *  - Known Proto on Non Std Port: DPI named a protocol that has default ports
 *    and neither endpoint uses one of them;
 *  - HTTP/TLS/QUIC Numeric Hostname/SNI: the server name is an IP address;
 *  - Susp DGA Domain name: the server name looks machine-generated (dga.ts).
 * Risks a single packet shows (weak cipher, clear-text credentials, ...) are
 * raised by the dissectors themselves. finalRisks() runs once per flow and
 * allocates nothing: it answers with bits (FinalRisk), FINAL_RISKS names them.
 */
import type { FlowTable } from '../flow/table';
import type { RecordHead } from '../flow/record';
import type { FlowDpi } from './flow-dpi';
import type { Registry } from './registry';
import { P, Risk } from './generated/protocols';
import { looksLikeDga } from './classify/dga';

/** The risks finalRisks() may raise, as bits of its answer; bit k is FINAL_RISKS[k], added in that order. */
export const enum FinalRisk {
  Unidirectional = 1,
  NonStdPort = 2,
  NumericHost = 4,
  Dga = 8,
}

export const FINAL_RISKS: readonly number[] = [
  Risk.Unidirectional_Traffic,
  Risk.Known_Proto_on_Non_Std_Port,
  Risk.HTTP_TLS_QUIC_Numeric_Hostname_SNI,
  Risk.Susp_DGA_Domain_name,
];

const NUMERIC_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]*:[0-9a-f:.]*\]?)(:\d+)?$/i;

/** Protocols whose server name is checked for numeric hosts and DGA names. */
function nameChecked(id: number): boolean {
  return id === P.HTTP || id === P.TLS || id === P.QUIC || id === P.DNS || id === P.DTLS;
}

function isGroupAddress(t: FlowTable, h: RecordHead): boolean {
  const w = t.keyAddr[h.dstAddrOff];
  if (h.ipVersion === 4) return (w >>> 28) === 14 || w === -1 || (w & 0xff) === 0xff;
  return (w >>> 24) === 0xff;
}

/** Risks to add to flow f at its end, as FinalRisk bits (0: none). */
export function finalRisks(t: FlowTable, f: number, h: RecordHead, app: number, master: number, confidence: number,
  reg: Registry, fd: FlowDpi | undefined): number {
  let out = 0;
  if ((h.proto === 6 || h.proto === 17) && (t.pkts[(f << 1) | 1] === 0 || t.pkts[f << 1] === 0) && !isGroupAddress(t, h)) {
    out |= FinalRisk.Unidirectional;
  }
  if (confidence === 1 && app !== 0) {
    const id = master !== 0 ? master : app;
    if (reg.hasDefaultPorts(id, h.proto) && !reg.isDefaultPort(id, h.proto, h.dstPort) && !reg.isDefaultPort(id, h.proto, h.srcPort)) {
      out |= FinalRisk.NonStdPort;
    }
  }
  if (fd !== undefined && nameChecked(master !== 0 ? master : app)) {
    const name = fd.getMeta('server_name');
    if (typeof name === 'string' && name !== '') {
      if (NUMERIC_HOST.test(name)) out |= FinalRisk.NumericHost;
      else if (looksLikeDga(name)) out |= FinalRisk.Dga;
    }
  }
  return out;
}
