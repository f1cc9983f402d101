/**
 * Loads flowtap's YAML configuration file (`flowtap -c flowtap.yaml`):
 * parses it (YAML 1.2, one document, unique keys), checks it against the
 * schema in sections.ts and returns the typed FlowtapConfig with every
 * default applied. Every mistake becomes one line "file:line:col: key.path:
 * problem", and all of them are thrown together in one ConfigError
 * (a UsageError with code E_CONFIG: exit code 2). Without a file, the same
 * schema gives the defaults without parsing anything: the YAML parser is
 * loaded only for a file (or --print-config). docs/config.md is the
 * reference of the keys.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inspect } from 'node:util';
import type { YAMLError } from 'yaml';
import { UsageError } from '../util/errors';
import { Checker, INVALID, offsetOf, type YNode } from './schema';
import { CONFIG_SPEC, keyElsewhere } from './sections';
import type { Env } from './secrets';
import type { ConfigData, FlowtapConfig } from './types';
import { isMap, yaml } from './yaml';

/** Every problem of a configuration file, one line each ("file:line:col: key.path: problem"). */
export class ConfigError extends UsageError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'), 'E_CONFIG');
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Environment for ${env:NAME} (default process.env). */
  env?: Env;
}

export interface ParseOptions extends LoadOptions {
  /** Directory relative paths are resolved against (default: the current directory). */
  baseDir?: string;
}

const MAX_CONFIG_BYTES = 4 << 20;

/** Reads and checks a configuration file; throws ConfigError listing every problem. */
export function loadConfig(path: string, opts: LoadOptions = {}): FlowtapConfig {
  let text: string;
  try {
    if (statSync(path).size > MAX_CONFIG_BYTES) throw new ConfigError([`${path}: the configuration file is larger than 4 MiB`]);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code ?? 'unreadable';
    throw new ConfigError([`${path}: cannot read the configuration file: ${why}`]);
  }
  return parseConfig(text, path, { ...opts, baseDir: dirname(resolve(path)) });
}

/** Checks configuration text; `file` is the name messages use. */
export function parseConfig(text: string, file: string, opts: ParseOptions = {}): FlowtapConfig {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, keepSourceTokens: true, uniqueKeys: true, version: '1.2' });
  const place = (offset: number): string => {
    const { line, col } = lc.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => ({ offset: e.pos[0], line: `${place(e.pos[0])}: ${yamlMessage(e)}` }));
  if (yamlProblems.length) throw new ConfigError(sorted(yamlProblems));

  const c = new Checker(doc, opts.env ?? process.env, opts.baseDir ?? process.cwd(), keyElsewhere);
  const data = check(c.deref(doc.contents, { path: [], offset: 0 }), c, place);
  return finish(data, file, (path) => {
    const node = doc.getIn(path, true);
    return node && typeof node === 'object' && 'range' in node ? place(offsetOf(node) ?? 0) : undefined;
  });
}

/** The configuration without a file: what flowtap uses when -c is not given (the schema's defaults, as for an empty file, without parsing one). */
export function defaultConfig(): FlowtapConfig {
  const c = new Checker(undefined, process.env, process.cwd(), keyElsewhere);
  return finish(check(null, c, () => '(defaults):1:1'));
}

/** Checks the document's root (null: nothing given, every default) against the schema; throws ConfigError listing every problem. */
function check(root: YNode | null | undefined, c: Checker, place: (offset: number) => string): ConfigData {
  let data: ConfigData | typeof INVALID = INVALID;
  if (root && !isMap(root)) {
    c.report({ path: [], offset: offsetOf(root) ?? 0 }, `expected a mapping of sections (${Object.keys(CONFIG_SPEC.fields).join(', ')})`);
  } else if (root !== undefined) {
    data = CONFIG_SPEC.check(root, { path: [], offset: offsetOf(root) ?? 0 }, c);
  }
  if (c.problems.length || data === INVALID) {
    const lines = c.problems.map((p) => ({ offset: p.offset, line: `${place(p.offset)}: ${p.path ? `${p.path}: ` : ''}${p.message}` }));
    throw new ConfigError(sorted(lines));
  }
  return data;
}

function sorted(ps: { offset: number; line: string }[]): string[] {
  const out = ps.sort((a, b) => a.offset - b.offset).map((p) => p.line);
  return out.filter((l, i) => out.indexOf(l) === i);
}

/** The parser's message without anything copied from the file (it may be part of a secret). */
function yamlMessage(e: YAMLError): string {
  const m = e.message.split('\n')[0];
  if (e.code === 'BAD_DQ_ESCAPE') return 'YAML: invalid escape sequence in a double-quoted string';
  if (m.startsWith('Block scalar header')) return 'YAML: extra characters after a block scalar indicator (| or >)';
  if (m.startsWith('Unresolved plain scalar')) return 'YAML: unresolved plain scalar';
  return `YAML: ${m.length > 160 ? `${m.slice(0, 157)}...` : m}`;
}

/** Adds the views (redacted, toJSON, inspect, where, file) to checked data. */
export function finish(data: ConfigData, file?: string, where: FlowtapConfig['where'] = () => undefined): FlowtapConfig {
  const cfg = data as FlowtapConfig;
  const redacted = (): Record<string, unknown> => CONFIG_SPEC.dump(cfg) as Record<string, unknown>;
  Object.defineProperties(cfg, {
    redacted: { value: redacted },
    toJSON: { value: redacted },
    [inspect.custom]: { value: redacted },
    file: { value: file },
    where: { value: where },
  });
  return cfg;
}

/** The configuration as YAML with every secret hidden (what --print-config prints); loading it gives the same configuration when its secrets come from ${env:...}/${file:...}. */
export function configToYaml(cfg: FlowtapConfig): string {
  return yaml().stringify(cfg.redacted(), { lineWidth: 0 });
}
