/**
 * A small declarative validator over a parsed YAML document (the `yaml`
 * package's node tree, which keeps source offsets). A schema is built from
 * specs (scalars.ts: str, int, port, bool, oneOf, size, duration, url, host,
 * path, pem ...; here: list, map, anyMapping); checking a node returns the
 * typed value and records a Problem (source offset, key path, message) for
 * every mistake, so all of them can be reported at once; checking no node at
 * all (no file: a Checker without a document) gives every default. Specs
 * also turn a value back into its YAML form (dump), which gives the
 * redacted view and `--print-config`.
 *
 * Rules every spec follows: a string value may hold ${env:...}/${file:...}
 * references (resolved first, see secrets.ts); secret specs never echo the
 * value; null/empty values count as "not given" (a map-valued key given
 * empty means "all defaults"); aliases are followed, `<<` merge keys are
 * honoured, and the number of nodes visited is bounded (alias bombs).
 */
import type { Document, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { Env, resolveRefs, SecretOrigin } from './secrets';
import { isAlias, isMap, isScalar, isSeq } from './yaml';

export type Path = readonly (string | number)[];

/** "outputs.fluentd[1].tls.ca" */
export function pathText(path: Path): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (/^[A-Za-z0-9_<-]{1,64}$/.test(p)) s += (s ? '.' : '') + p;
    else s += `[${JSON.stringify(p.length > 40 ? `${p.slice(0, 37)}...` : p)}]`;
  }
  return s;
}

export interface Problem {
  /** Source offset (the value, or the key for unknown/missing keys). */
  offset: number;
  path: string;
  message: string;
}

/** Where a value is: its key path and source offset. */
export interface Where {
  path: Path;
  offset: number;
}

const MAX_NODES = 100_000;

export class Checker {
  readonly problems: Problem[] = [];
  private nodesLeft = MAX_NODES;
  private exhausted = false;

  constructor(
    /** The parsed file; undefined when there is none (the defaults: no nodes to check). */
    readonly doc: Document.Parsed | undefined,
    readonly env: Env,
    /** Directory relative paths (and ${file:...}) are resolved against. */
    readonly baseDir: string,
    /** Suggests where an unknown key at `path` belongs when no sibling is close ("input.filter"). */
    readonly keyHint?: (key: string, path: Path) => string | undefined,
  ) {}

  /** The document the nodes come from (a node exists only when there is one). */
  document(): Document.Parsed {
    if (this.doc === undefined) throw new Error('a YAML node without its document');
    return this.doc;
  }

  report(at: Where, message: string): void {
    this.problems.push({ offset: at.offset, path: pathText(at.path), message });
  }

  /**
   * The node a value stands for: aliases followed, null scalars as null.
   * Undefined after a problem (unknown alias, too many nodes).
   */
  deref(node: unknown, at: Where): YNode | null | undefined {
    if (--this.nodesLeft < 0) {
      if (!this.exhausted) this.report(at, `more than ${MAX_NODES} values (aliases nested too deeply?)`);
      this.exhausted = true;
      return undefined;
    }
    let n = node;
    for (let hops = 0; isAlias(n); hops++) {
      const target = hops < 64 ? n.resolve(this.document()) : undefined;
      if (!target) {
        this.report(at, `unknown alias *${n.source} (an anchor &${n.source} must come before it)`);
        return undefined;
      }
      n = target;
    }
    if (n === null || n === undefined) return null;
    if (isScalar(n)) return n.value === null || n.value === undefined ? null : n;
    if (isMap(n) || isSeq(n)) return n;
    this.report(at, 'unexpected YAML node');
    return undefined;
  }
}

export type YNode = Scalar | YAMLMap | YAMLSeq;

/** Source offset of a node (undefined when it has none). */
export function offsetOf(node: unknown): number | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? r[0] : undefined;
}

/** Where a key's value is: the value itself, or the key when the value is empty. */
export function valueOffset(value: unknown, keyOffset: number): number {
  return isScalar(value) && (value.value === null || value.value === undefined) ? keyOffset : offsetOf(value) ?? keyOffset;
}

export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface Spec<T> {
  /** What a valid value looks like ("a port number 1-65535"); used in messages. */
  readonly expected: string;
  /** Mapping-valued: given empty (`tls:`) means "all defaults", absent sections can be filled from defaults. */
  readonly section?: boolean;
  /** Checks a given value (null only for sections given empty or absent). */
  check(node: YNode | null, at: Where, c: Checker): T | Invalid;
  /** The value as the configuration file would write it (secrets as references or "<secret>"). */
  dump(value: T): unknown;
}

/** Thrown by scalar parsers: the value is wrong (message, or "expected ..., got ..." when none). */
class Bad {
  constructor(readonly message?: string) {}
}

export function bad(message?: string): never {
  throw new Bad(message);
}

export type Prim = string | number | boolean;

/** Text for a value in "got ..." (quoted, shortened; never a secret). */
export function shown(v: unknown, secret = false): string {
  if (secret) return '<secret>';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isScalar(v)) return shown(v.value, secret);
  if (isMap(v)) return 'a mapping';
  if (isSeq(v)) return 'a list';
  return 'something else';
}

/** What a scalar parser gets besides the value. */
export interface ScalarContext {
  at: Where;
  c: Checker;
  /** Where a string came from (a single ${env:}/${file:} reference, or inline). */
  origin: SecretOrigin;
  /** The value as written in the file (numbers: "012", not 12). */
  source: string;
  /** The value for "got ...": quoted, "<secret>", or the reference it came from (never a referenced value). */
  shown: string;
  /** The value came from ${env:...}/${file:...}: messages name the reference, not the value (e.g. a path). */
  fromRef: boolean;
}

interface ScalarOptions<T> {
  expected: string;
  /** Returns the value or calls bad(). Strings arrive with their references resolved. */
  parse: (v: Prim, x: ScalarContext) => T;
  dump: (v: T) => unknown;
  secret?: boolean;
}

/** A spec for one scalar value. */
export function scalar<T>(o: ScalarOptions<T>): Spec<T> {
  return {
    expected: o.expected,
    check(node, at, c) {
      if (!node || !isScalar(node)) {
        c.report(at, `expected ${o.expected}, got ${shown(node)}`);
        return INVALID;
      }
      let v = node.value as unknown;
      if (typeof v === 'bigint') v = Number(v);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        c.report(at, `expected ${o.expected}, got ${shown(v, o.secret)}`);
        return INVALID;
      }
      let origin: SecretOrigin = { kind: 'inline' };
      let display = shown(v, o.secret);
      let fromRef = false;
      if (typeof v === 'string') {
        const r = resolveRefs(v, c.env, c.baseDir);
        if ('error' in r) {
          c.report(at, r.error);
          return INVALID;
        }
        fromRef = r.refs > 0;
        if (!o.secret && fromRef) {
          // A referenced value may be a secret given to the wrong key: name the reference, not the value.
          display = r.origin.kind === 'inline' ? `${shown(v)} (with its references replaced)` : `the value of ${v}`;
        }
        v = r.value;
        origin = r.origin;
      }
      const src = node.srcToken && 'source' in node.srcToken ? node.srcToken.source : undefined;
      try {
        return o.parse(v as Prim, { at, c, origin, source: typeof src === 'string' && typeof v !== 'string' ? src : String(v), shown: display, fromRef });
      } catch (err) {
        if (!(err instanceof Bad)) throw err;
        c.report(at, err.message ?? `expected ${o.expected}, got ${display}`);
        return INVALID;
      }
    },
    dump: o.dump,
  };
}

export function list<T>(item: Spec<T>, o: { single?: boolean } = {}): Spec<T[]> {
  const expected = `a list of ${item.expected.replace(/^an? /, '')}s`;
  return {
    expected: o.single ? `${item.expected} or ${expected}` : expected,
    check(node, at, c) {
      if (!node) return [];
      if (!isSeq(node)) {
        if (!o.single || isMap(node)) {
          c.report(at, `expected ${this.expected}, got ${shown(node)}`);
          return INVALID;
        }
        const one = item.check(node, at, c);
        return one === INVALID ? INVALID : [one as T];
      }
      const out: T[] = [];
      let ok = true;
      node.items.forEach((raw, i) => {
        const w = { path: [...at.path, i], offset: offsetOf(raw) ?? at.offset };
        const n = c.deref(raw, w);
        if (n === undefined) {
          ok = false;
        } else if (n === null) {
          c.report(w, `expected ${item.expected}, got nothing`);
          ok = false;
        } else {
          const v = item.check(n, w, c);
          if (v === INVALID) ok = false;
          else out.push(v);
        }
      });
      return ok ? out : INVALID;
    },
    dump: (vs) => vs.map((v) => item.dump(v)),
  };
}

/** Any mapping, converted to plain JavaScript untouched (checked by its own module later). */
export function anyMapping(): Spec<Record<string, unknown>> {
  return {
    expected: 'a mapping',
    section: true,
    check(node, at, c) {
      if (!node) return {};
      if (!isMap(node)) {
        c.report(at, `expected a mapping, got ${shown(node)}`);
        return INVALID;
      }
      try {
        return node.toJS(c.document(), { maxAliasCount: 1000 }) as Record<string, unknown>;
      } catch {
        c.report(at, 'cannot be read (aliases nested too deeply?)');
        return INVALID;
      }
    },
    dump: redactPlain,
  };
}

const SECRET_NAME = /(?:pass(?:word)?|secret|token|api_?key|shared_?key|private_?key)$/i;

/** A plain value with secret-looking keys hidden (for sections this module does not know). */
function redactPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactPlain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = SECRET_NAME.test(k) && x !== null && typeof x !== 'object' && !/^\$\{(?:env|file):[^}]*\}$/.test(String(x)) ? '<secret>' : redactPlain(x);
    }
    return out;
  }
  return v;
}

export interface Field<T = unknown> {
  spec: Spec<T>;
  /** Makes the key required; the text says what it is ("the fluentd server's host name or address"). */
  required?: string;
  /** Value when the key is absent. */
  default?: T;
  /** Sections only: absent → the section's defaults. */
  fill?: boolean;
  /** Property name in the result (default: the key in camelCase). */
  to?: string;
  /** Another way to give the `to` property (password_file for password): not written back by dump. */
  alternative?: boolean;
}

/** What a map's rules see after its keys were checked. */
export interface RuleContext {
  /** The key was given (with a value) in the file. */
  given(key: string): boolean;
  /** The checked value (after defaults); undefined when absent or invalid. */
  value<V = unknown>(key: string): V | undefined;
  /** Sets a derived default. */
  set(key: string, v: unknown): void;
  /** A problem about one key, at that key (or at the mapping when the key is absent). */
  report(key: string, message: string): void;
  readonly at: Where;
  readonly checker: Checker;
}

export interface MapOptions {
  /** Cross-key checks and derived defaults; run after every key was checked. */
  rules?: (r: RuleContext) => void;
}

export interface MapSpec<T> extends Spec<T> {
  readonly fields: Readonly<Record<string, Field>>;
}

export function camel(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase());
}

interface KeyedNode {
  key: string;
  keyOffset: number;
  value: unknown;
}

/** A mapping's pairs with `<<` merges applied (own keys first, then merged ones not already present). */
export function pairsOf(node: YAMLMap, at: Where, c: Checker): KeyedNode[] | undefined {
  const own: KeyedNode[] = [];
  const merged: KeyedNode[] = [];
  let ok = true;
  for (const pair of node.items) {
    const k = pair.key;
    const kv = isScalar(k) ? k.value : k;
    if (kv !== null && typeof kv === 'object') {
      c.report({ path: at.path, offset: offsetOf(k) ?? at.offset }, 'keys must be plain names, not lists or mappings');
      ok = false;
      continue;
    }
    const key = kv === null || kv === undefined ? '' : String(kv);
    const keyOffset = offsetOf(k) ?? offsetOf(pair.value) ?? at.offset;
    if (key === '<<' && !(isScalar(k) && k.type !== 'PLAIN')) {
      const w = { path: at.path, offset: keyOffset };
      const src = c.deref(pair.value, w);
      const sources = src && isSeq(src) ? src.items.map((i) => c.deref(i, w)) : [src];
      for (const s of sources) {
        if (s === undefined) {
          ok = false;
        } else if (!s || !isMap(s)) {
          c.report(w, '<< (merge) needs a mapping or a list of mappings');
          ok = false;
        } else {
          const sub = pairsOf(s, w, c);
          if (!sub) ok = false;
          else merged.push(...sub);
        }
      }
      continue;
    }
    own.push({ key, keyOffset, value: pair.value });
  }
  if (!ok) return undefined;
  const seen = new Set(own.map((p) => p.key));
  for (const p of merged) {
    if (!seen.has(p.key)) {
      seen.add(p.key);
      own.push(p);
    }
  }
  return own;
}

export function map<T>(fields: Record<string, Field>, o: MapOptions = {}): MapSpec<T> {
  const names = Object.keys(fields);
  const expected = 'a mapping';
  const spec: MapSpec<T> = {
    expected,
    section: true,
    fields,
    check(node, at, c) {
      if (node && !isMap(node)) {
        c.report(at, `expected a mapping (with ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}), got ${shown(node)}`);
        return INVALID;
      }
      const pairs = node ? pairsOf(node, at, c) : [];
      if (!pairs) return INVALID;
      const out: Record<string, unknown> = {};
      const given = new Map<string, Where>();
      let ok = true;
      for (const p of pairs) {
        const w: Where = { path: [...at.path, p.key], offset: p.keyOffset };
        const f = Object.hasOwn(fields, p.key) ? fields[p.key] : undefined;
        if (!f) {
          const near = suggest(p.key, names) ?? c.keyHint?.(p.key, at.path);
          c.report(w, `unknown key${near ? ` (did you mean ${near}?)` : names.length ? `; known keys: ${names.join(', ')}` : ''}`);
          ok = false;
          continue;
        }
        const vw: Where = { path: w.path, offset: valueOffset(p.value, p.keyOffset) };
        const n = c.deref(p.value, vw);
        if (n === undefined) {
          ok = false;
          continue;
        }
        if (n === null && !f.spec.section) continue;
        given.set(p.key, w);
        const v = f.spec.check(n, vw, c);
        if (v === INVALID) ok = false;
        else out[f.to ?? camel(p.key)] = v;
      }
      for (const [key, f] of Object.entries(fields)) {
        const prop = f.to ?? camel(key);
        if (given.has(key) || out[prop] !== undefined) continue;
        if (f.required && !(f.to && names.some((k) => k !== key && fields[k].to === f.to && given.has(k)))) {
          c.report({ path: [...at.path, key], offset: at.offset }, `required (${f.required})`);
          ok = false;
        } else if (f.default !== undefined) {
          out[prop] = f.default;
        } else if (f.fill) {
          const v = f.spec.check(null, { path: [...at.path, key], offset: at.offset }, c);
          if (v === INVALID) ok = false;
          else out[prop] = v;
        }
      }
      if (o.rules) {
        o.rules({
          given: (k) => given.has(k),
          value: <V>(k: string) => out[fields[k]?.to ?? camel(k)] as V | undefined,
          set: (k, v) => {
            out[fields[k]?.to ?? camel(k)] = v;
          },
          report: (k, message) => {
            c.report(given.get(k) ?? { path: [...at.path, k], offset: at.offset }, message);
            ok = false;
          },
          at,
          checker: c,
        });
      }
      return ok ? (out as T) : INVALID;
    },
    dump(value) {
      const v = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, f] of Object.entries(fields)) {
        if (f.alternative) continue;
        const x = v[f.to ?? camel(key)];
        if (x !== undefined) out[key] = f.spec.dump(x);
      }
      return out;
    },
  };
  return spec;
}

/** Two keys that cannot both be given. */
export function conflict(r: RuleContext, a: string, b: string, why: string): void {
  if (r.given(a) && r.given(b)) r.report(b, `cannot be used together with ${a} (${why})`);
}

/** A key that only makes sense with another one. */
export function needs(r: RuleContext, key: string, other: string, why: string): void {
  if (r.given(key) && !r.given(other)) r.report(key, `needs ${other} too (${why})`);
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours as 1 (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

/** The closest candidate when it is close enough to be a typo (case and -/_ differences count little). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64) return undefined;
  const norm = (s: string): string => s.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of candidates) {
    const d = norm(word) === norm(cand) ? 0.5 : editDistance(word.toLowerCase(), cand.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  const limit = Math.max(1, Math.floor(Math.min(word.length, best?.length ?? 0) / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}
