/**
 * Host-name classification: maps a host name (TLS/QUIC SNI, HTTP Host, DNS
 * query) to an application protocol id with nDPI's pattern conventions:
 *   "example.com" or ".example.com"  matches example.com and any subdomain
 *                                    (whole labels only, never "badexample.com");
 *   "example."                       matches a label "example" followed by
 *                                    anything ("example.co.uk", "cdn.example.net");
 *   "*.example.com"                  same as ".example.com".
 * The longest matching pattern wins. Lookups allocate one substring per
 * label of the name, once per flow, never per packet; the answers are
 * remembered per name (a flow often asks twice, and many flows ask for the
 * same names), bounded: a full memo is emptied, and adding a pattern
 * empties it.
 */
import { HOST_PATTERNS } from '../generated/hosts';

/** Most names whose answer is remembered. */
const MAX_REMEMBERED = 8192;

export class HostClassifier {
  private readonly suffix = new Map<string, number>();
  /** Patterns ending with '.', matched as a label prefix anywhere. */
  private label: { pat: string; id: number }[] = [];
  /** The label patterns by their first label, each list longest first. */
  private byFirstLabel = new Map<string, { pat: string; id: number }[]>();
  /** Answers already given, by the name asked for. */
  private readonly known = new Map<string, number>();

  constructor(patterns: readonly (string | number)[] = HOST_PATTERNS) {
    this.addAll(patterns);
  }

  /** Adds [pattern, id, pattern, id, ...]; later entries replace earlier ones. */
  addAll(patterns: readonly (string | number)[]): void {
    for (let i = 0; i + 1 < patterns.length; i += 2) this.add(String(patterns[i]), Number(patterns[i + 1]));
  }

  /** Orders the label patterns longest first and indexes them by first label. */
  private reindex(): void {
    this.label.sort((a, b) => b.pat.length - a.pat.length);
    this.byFirstLabel.clear();
    for (const e of this.label) {
      const first = e.pat.slice(0, e.pat.indexOf('.'));
      const list = this.byFirstLabel.get(first);
      if (list === undefined) this.byFirstLabel.set(first, [e]);
      else list.push(e);
    }
  }

  add(pattern: string, id: number): void {
    let p = pattern.trim().toLowerCase();
    if (p.startsWith('*.')) p = p.slice(1);
    if (p.startsWith('.')) p = p.slice(1);
    if (p === '') return;
    this.known.clear();
    if (p.endsWith('.')) {
      this.label = this.label.filter((e) => e.pat !== p);
      this.label.push({ pat: p, id });
      this.reindex();
    } else {
      this.suffix.set(p, id);
    }
  }

  get size(): number {
    return this.suffix.size + this.label.length;
  }

  /** The protocol id for a host name, or 0. */
  classify(host: string): number {
    let id = this.known.get(host);
    if (id === undefined) {
      id = this.match(host);
      if (this.known.size >= MAX_REMEMBERED) this.known.clear();
      this.known.set(host, id);
    }
    return id;
  }

  private match(host: string): number {
    let h = host.toLowerCase();
    while (h.endsWith('.')) h = h.slice(0, -1);
    if (h === '') return 0;
    let best = 0;
    let bestLen = 0;
    // Longest suffix first: the first hit at a label boundary is the longest.
    for (let i = 0; i < h.length; i++) {
      if (i !== 0 && h.charCodeAt(i - 1) !== 46) continue;
      const id = this.suffix.get(i === 0 ? h : h.slice(i));
      if (id !== undefined) {
        best = id;
        bestLen = h.length - i;
        break;
      }
    }
    if (this.byFirstLabel.size === 0) return best;
    // A label pattern matches at any label start; the longest match wins, here as in the suffix map.
    let labelId = 0;
    let labelLen = bestLen;
    for (let i = 0; i < h.length; ) {
      const dot = h.indexOf('.', i);
      if (dot < 0) break;
      const list = this.byFirstLabel.get(h.slice(i, dot));
      if (list !== undefined) {
        for (const e of list) {
          if (e.pat.length <= labelLen) break;
          if (h.startsWith(e.pat, i)) {
            labelId = e.id;
            labelLen = e.pat.length;
            break;
          }
        }
      }
      i = dot + 1;
    }
    return labelId !== 0 ? labelId : best;
  }
}
