/**
 * Secrets in the configuration file: `${env:NAME}` and `${file:/path}`
 * references inside string values, files read for *_file keys and TLS keys,
 * and the Secret wrapper that keeps a password, key or token out of every
 * message, log line, JSON dump and console.log of the configuration.
 *
 * Reference syntax (in any string value): `${env:NAME}` is the environment
 * variable NAME (letters, digits, _; not set → error naming NAME);
 * `${file:PATH}` is the content of the file PATH (relative paths are relative
 * to the configuration file's directory; trailing newlines removed;
 * unreadable → error naming PATH); `$${` is a literal `${`. Anything else
 * after `${` is an error. Messages never contain the text around a reference
 * (it may be part of a password).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';

/** Where a secret came from: what a printed configuration shows instead of it. */
export type SecretOrigin =
  | { kind: 'inline' }
  | { kind: 'env'; name: string }
  /** A `${file:...}` reference or a *_file key: the file holds the secret. */
  | { kind: 'file'; path: string }
  /** A TLS private key given as a file path (the configuration shows the path). */
  | { kind: 'path'; path: string };

const HIDDEN = '<secret>';

/**
 * A password, key or token. Its value only comes out through reveal(); every
 * other way of turning it into text gives "<secret>".
 */
export class Secret<T = string> {
  readonly #value: T;
  readonly origin: SecretOrigin;

  constructor(value: T, origin: SecretOrigin) {
    this.#value = value;
    this.origin = origin;
  }

  reveal(): T {
    return this.#value;
  }

  /** What the configuration file can say instead of the secret: ${env:NAME}, ${file:/path}, the key's path, or "<secret>". */
  reference(): string {
    switch (this.origin.kind) {
      case 'env': return `\${env:${this.origin.name}}`;
      case 'file': return `\${file:${this.origin.path}}`;
      case 'path': return this.origin.path;
      default: return HIDDEN;
    }
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}

/** Files read for secrets and certificates are small; a bigger one is a mistake (or /dev/zero). */
const MAX_FILE_BYTES = 1 << 20;

const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** Resolves a path from the configuration file against the file's directory. */
export function configPath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Reads a regular file of at most 1 MiB; errors are "cannot read NAME: reason" (NAME: the path, unless told otherwise). */
export function readSmallFile(path: string, name = path): { data: Buffer } | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { error: `cannot read ${name}: ${reason(err)}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: `cannot read ${name}: not a regular file` };
    if (st.size > MAX_FILE_BYTES) return { error: `cannot read ${name}: larger than 1 MiB` };
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { data: buf.subarray(0, got) };
  } catch (err) {
    return { error: `cannot read ${name}: ${reason(err)}` };
  } finally {
    closeSync(fd);
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && FS_REASONS[code]) ?? code ?? 'unreadable';
}

/** A secret file's text without its trailing newline(s). */
export function readSecretFile(path: string): { value: string } | { error: string } {
  const r = readSmallFile(path);
  if ('error' in r) return r;
  return { value: r.data.toString('utf8').replace(/[\r\n]+$/, '') };
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface Resolved {
  value: string;
  /** env/file when the whole value was one reference, else inline. */
  origin: SecretOrigin;
  /** How many references were replaced. */
  refs: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces the references in one string value. */
export function resolveRefs(raw: string, env: Env, baseDir: string): Resolved | { error: string } {
  if (!raw.includes('${')) return { value: raw, origin: { kind: 'inline' }, refs: 0 };
  let out = '';
  let at = 0;
  let refs = 0;
  let origin: SecretOrigin = { kind: 'inline' };
  while (at < raw.length) {
    const open = raw.indexOf('${', at);
    if (open < 0) {
      out += raw.slice(at);
      break;
    }
    if (open > 0 && raw[open - 1] === '$') {
      out += raw.slice(at, open - 1) + '${';
      at = open + 2;
      continue;
    }
    out += raw.slice(at, open);
    const close = raw.indexOf('}', open + 2);
    if (close < 0) return { error: 'unterminated ${ (write $${ for a literal ${)' };
    const body = raw.slice(open + 2, close);
    const colon = body.indexOf(':');
    const kind = colon < 0 ? '' : body.slice(0, colon);
    const arg = body.slice(colon + 1);
    if (kind === 'env') {
      if (!ENV_NAME.test(arg)) return { error: '${env:NAME}: NAME must be letters, digits and _ (not starting with a digit)' };
      const v = Object.hasOwn(env, arg) ? env[arg] : undefined;
      if (v === undefined) return { error: `environment variable ${arg} is not set` };
      out += v;
      origin = { kind: 'env', name: arg };
    } else if (kind === 'file') {
      if (arg === '') return { error: '${file:PATH}: the path is empty' };
      const path = configPath(baseDir, arg);
      const r = readSecretFile(path);
      if ('error' in r) return r;
      out += r.value;
      origin = { kind: 'file', path };
    } else {
      return { error: 'unknown reference: use ${env:NAME} or ${file:/path} (and $${ for a literal ${)' };
    }
    refs++;
    at = close + 1;
  }
  const whole = refs === 1 && /^\$\{(?:env|file):[^}]*\}$/.test(raw);
  return { value: out, origin: whole ? origin : { kind: 'inline' }, refs };
}
