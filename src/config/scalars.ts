/**
 * The scalar value specs of the configuration schema (see schema.ts): strings,
 * secrets and secret files, booleans, whole numbers and ports, choices,
 * sizes and durations (units.ts), host names, URLs per scheme, paths, PEM
 * certificates and keys. Each says what it expects ("a port number 1-65535")
 * and turns a valid value back into its YAML form.
 */
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { bad, INVALID, Prim, scalar, ScalarContext, Spec, suggest } from './schema';
import { configPath, readSmallFile, Secret } from './secrets';
import { formatDuration, formatSize, parseDuration, parseSize } from './units';

const same = <T>(v: T): T => v;

export interface StrOptions {
  expected?: string;
  pattern?: RegExp;
  maxLength?: number;
  /** Allow "". */
  empty?: boolean;
}

export function str(o: StrOptions = {}): Spec<string> {
  return scalar({
    expected: o.expected ?? 'a string',
    parse(v, x) {
      if (typeof v === 'boolean') bad();
      const s = x.source;
      if (!o.empty && s.trim() === '') bad();
      if (o.maxLength !== undefined && s.length > o.maxLength) bad();
      if (o.pattern && !o.pattern.test(s)) bad();
      return s;
    },
    dump: same,
  });
}

/** A password, key or token (a string; numbers are taken as their text). Never echoed. */
export function secret(): Spec<Secret> {
  return scalar<Secret>({
    expected: 'a string',
    secret: true,
    parse(v, x) {
      if (typeof v === 'boolean') bad();
      return new Secret(x.source, x.origin);
    },
    dump: (s) => s.reference(),
  });
}

/** A file whose content is the secret (password_file ...); the path may be echoed. */
export function secretFile(): Spec<Secret> {
  return scalar<Secret>({
    expected: 'a file path',
    parse(v, { c, fromRef, shown: display }) {
      if (typeof v !== 'string' || v.trim() === '') bad();
      const path = configPath(c.baseDir, v);
      const r = readSmallFile(path, fromRef ? display : path);
      if ('error' in r) bad(r.error);
      return new Secret(r.data.toString('utf8').replace(/[\r\n]+$/, ''), { kind: 'file', path });
    },
    dump: (s) => s.reference(),
  });
}

const TRUE = new Set(['true', 'yes', 'on']);
const FALSE = new Set(['false', 'no', 'off']);

export function bool(): Spec<boolean> {
  return scalar({
    expected: 'true or false',
    parse(v) {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const l = v.trim().toLowerCase();
        if (TRUE.has(l)) return true;
        if (FALSE.has(l)) return false;
      }
      return bad();
    },
    dump: same,
  });
}

function wholeNumber(v: Prim): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v)) return Number(v);
  return undefined;
}

export function int(min: number, max: number, expected = `a whole number ${min}-${max}`): Spec<number> {
  return scalar({
    expected,
    parse(v) {
      const n = wholeNumber(v);
      if (n === undefined || n < min || n > max) bad();
      return n;
    },
    dump: same,
  });
}

export function port(): Spec<number> {
  return int(1, 65535, 'a port number 1-65535');
}

export function oneOf<T extends string>(values: readonly T[]): Spec<T> {
  const expected = `one of ${values.join(', ')}`;
  return scalar({
    expected,
    parse(v, x) {
      if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
      const hint = typeof v === 'string' && x.shown.startsWith('"') ? suggest(v, values) : undefined;
      return bad(`expected ${expected}, got ${x.shown}${hint ? ` (did you mean ${hint}?)` : ''}`);
    },
    dump: same,
  });
}

export function size(min: number, max: number): Spec<number> {
  return scalar({
    expected: `a size from ${formatSize(min)} to ${formatSize(max)} (e.g. 64MiB, 500MB, 4096)`,
    parse(v) {
      const n = typeof v === 'boolean' ? undefined : parseSize(v);
      if (n === undefined || n < min || n > max) bad();
      return n;
    },
    dump: formatSize,
  });
}

/** A duration in milliseconds. */
export function duration(minMs: number, maxMs: number): Spec<number> {
  return scalar({
    expected: `a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (e.g. 250ms, 30s, 5m, 1h)`,
    parse(v) {
      const n = typeof v === 'boolean' ? undefined : parseDuration(v);
      if (n === undefined || n < minMs || n > maxMs) bad();
      return n;
    },
    dump: formatDuration,
  });
}

/** A duration in seconds (flow timeouts), fractions allowed. */
export function seconds(min: number, max: number): Spec<number> {
  const ms = duration(min * 1000, max * 1000);
  return {
    expected: ms.expected,
    check(node, at, c) {
      const v = ms.check(node, at, c);
      return v === INVALID ? v : v / 1000;
    },
    dump: (s) => formatDuration(Math.round(s * 1000)),
  };
}

const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

export function isHost(h: string): boolean {
  return isIP(h) !== 0 || HOST_NAME.test(h);
}

export function host(): Spec<string> {
  return scalar({
    expected: 'a host name or IP address',
    parse(v) {
      if (typeof v !== 'string' || !isHost(v)) bad();
      return v;
    },
    dump: same,
  });
}

export interface UrlOptions {
  schemes: readonly string[];
  /** Added when the URL has no port (UDP collectors). */
  defaultPort?: number;
  /** Only scheme://host[:port] (UDP collectors). */
  hostOnly?: boolean;
}

export function url(o: UrlOptions): Spec<string> {
  const forms = o.schemes.map((s) => `${s}://`).join(' or ');
  const expected = o.hostOnly ? `a URL ${o.schemes[0]}://host:port` : `an ${forms} URL`;
  return scalar({
    expected,
    parse(v, x) {
      if (typeof v !== 'string') bad();
      let u: URL;
      try {
        u = new URL(v.trim());
      } catch {
        return bad();
      }
      if (u.username || u.password) {
        bad('must not contain a user name or password: give them as username and password');
      }
      const scheme = u.protocol.slice(0, -1);
      if (!o.schemes.includes(scheme)) bad();
      const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      if (hostname === '' || !isHost(hostname)) bad(`expected ${expected}, got ${x.shown} (no valid host)`);
      if (o.hostOnly) {
        if ((u.pathname !== '' && u.pathname !== '/') || u.search || u.hash) bad(`expected ${expected}, got ${x.shown} (nothing may follow the port)`);
        return `${scheme}://${u.host}${u.port === '' && o.defaultPort ? `:${o.defaultPort}` : ''}`;
      }
      return v.trim();
    },
    dump: same,
  });
}

/** A file or directory path; relative paths are relative to the configuration file. */
export function path(o: { keepDash?: boolean; existingDir?: boolean } = {}): Spec<string> {
  return scalar({
    expected: o.existingDir ? 'a directory' : 'a file path',
    parse(v, { c, fromRef, shown: display }) {
      if (typeof v !== 'string' || v.trim() === '' || v.includes('\0')) bad();
      if (o.keepDash && v === '-') return v;
      const p = configPath(c.baseDir, v);
      if (o.existingDir) {
        const name = fromRef ? display : p;
        let isDir = false;
        try {
          isDir = statSync(p).isDirectory();
        } catch {
          bad(`${name}: no such directory`);
        }
        if (!isDir) bad(`${name} is not a directory`);
      }
      return p;
    },
    dump: same,
  });
}

/** A PEM certificate or key: a file path (read now) or the PEM text itself. */
export class PemFile {
  constructor(
    readonly data: Buffer,
    /** Absolute path it was read from; undefined for PEM text given inline. */
    readonly path?: string,
  ) {}

  toJSON(): string {
    return this.path ?? this.data.toString('utf8');
  }
}

/** Key material pasted without its BEGIN line looks like this (base64 has no "." or "-"); a path rarely does. */
const BASE64ISH = /^[A-Za-z0-9+/=\s]{32,}$/;

function readPem(v: Prim, x: ScalarContext, secret: boolean): { data: Buffer; path?: string } {
  if (typeof v !== 'string' || v.trim() === '') return bad();
  if (v.trimStart().startsWith('-----BEGIN')) return { data: Buffer.from(v, 'utf8') };
  if (secret && BASE64ISH.test(v)) return bad('expected a PEM file path or PEM text (-----BEGIN ...), got <secret>');
  const p = configPath(x.c.baseDir, v);
  const name = x.fromRef ? x.shown : p;
  const r = readSmallFile(p, name);
  if ('error' in r) return bad(r.error);
  if (!r.data.includes('-----BEGIN ')) return bad(`${name} is not a PEM file (no -----BEGIN line)`);
  return { data: r.data, path: p };
}

export function pem(): Spec<PemFile> {
  return scalar({
    expected: 'a PEM file path',
    parse(v, x) {
      const r = readPem(v, x, false);
      return new PemFile(r.data, r.path);
    },
    dump: (p) => p.toJSON(),
  });
}

/** A private key: like pem() but kept as a Secret (inline PEM is never echoed or printed). */
export function pemSecret(): Spec<Secret<Buffer>> {
  return scalar<Secret<Buffer>>({
    expected: 'a PEM file path',
    secret: true,
    parse(v, x) {
      const r = readPem(v, x, true);
      return new Secret(r.data, r.path !== undefined ? { kind: 'path', path: r.path } : x.origin);
    },
    dump: (s) => s.reference(),
  });
}

