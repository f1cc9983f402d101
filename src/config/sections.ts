/**
 * flowtap's configuration schema, declared with schema.ts: every section and
 * key of the YAML file with its type, range, default and the rules between
 * keys (conflicts, keys that need others). docs/config.md and
 * config/flowtap.example.yaml document exactly these keys (a test checks).
 */
import { DEFAULT_MAX_FLOWS, DEFAULT_TIMEOUTS } from '../flow/expiry';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../export/export-sink';
import { DEFAULT_MAX_SPOOL_BYTES, DEFAULT_MEMORY_RECORDS } from '../export/sinks/delivery';
import {
  anyMapping, bad, Checker, conflict, Field, INVALID, list, map, MapSpec, needs, offsetOf, pairsOf, RuleContext, scalar, Spec, suggest, valueOffset, Where,
} from './schema';
import { bool, duration, host, int, isHost, oneOf, path, pem, pemSecret, port, seconds, secret, secretFile, size, str, url } from './scalars';
import type { Secret } from './secrets';
import type { ConfigData, OutputConfig, OutputType, StdoutOutput } from './types';
import { isMap, isSeq } from './yaml';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

const nameField: Field = { spec: str({ expected: 'a name of letters, digits, ".", "_", "-" (up to 64)', pattern: /^[A-Za-z0-9_.[\]-]{1,64}$/ }) };

function recordFormatRules(r: RuleContext): void {
  if (r.value('unknown_only') === true && r.value('format') !== 'text') {
    r.report('unknown_only', 'applies to format: text only (set format: text, or remove unknown_only)');
  }
}

const stdoutSpec = map({
  name: nameField,
  format: { spec: oneOf(['jsonl', 'text'] as const), default: 'jsonl' },
  unknown_only: { spec: bool(), default: false },
}, { rules: recordFormatRules });

const fileSpec = map({
  name: nameField,
  path: { spec: path(), required: 'the file to write the records to' },
  format: { spec: oneOf(['jsonl', 'text'] as const), default: 'jsonl' },
  unknown_only: { spec: bool(), default: false },
  rotate_size: { spec: size(1, TiB) },
  rotate_interval: { spec: duration(1000, 366 * 86_400_000), to: 'rotateIntervalMs' },
  keep: { spec: int(0, 1_000_000), default: 0 },
}, { rules: recordFormatRules });

function tlsSpec(o: { client: boolean; servername: boolean }): MapSpec<unknown> {
  const fields: Record<string, Field> = {
    ca: { spec: pem() },
  };
  if (o.client) {
    fields.cert = { spec: pem() };
    fields.key = { spec: pemSecret() };
  }
  fields.verify = { spec: bool(), default: true };
  if (o.servername) fields.servername = { spec: host() };
  return map(fields, {
    rules(r) {
      if (!o.client) return;
      needs(r, 'cert', 'key', 'a client certificate needs its private key');
      needs(r, 'key', 'cert', 'a private key needs its client certificate');
    },
  });
}

/** One of two ways to give a secret (password / password_file). */
function secretPair(r: RuleContext, key: string): void {
  conflict(r, key, `${key}_file`, `give the ${key.replace('_', ' ')} one way`);
}

function givenEither(r: RuleContext, key: string): boolean {
  return r.given(key) || r.given(`${key}_file`);
}

/** TLS settings on a plain http:// URL would be silently unused. */
function tlsNeedsHttps(r: RuleContext): void {
  const u = r.value<string>('url');
  if (r.given('tls') && u !== undefined && u.toLowerCase().startsWith('http:')) {
    r.report('tls', 'the url is http://, so these TLS settings would not be used: use an https:// url, or remove tls');
  }
}

const fluentdSpec = map({
  name: nameField,
  host: { spec: host(), required: "the fluentd server's host name or address" },
  port: { spec: port(), default: 24224 },
  tag: { spec: str({ expected: 'a fluentd tag (letters, digits, ".", "_", "-")', pattern: /^[A-Za-z0-9_.-]{1,256}$/ }), default: 'ndpi.flow' },
  encoding: { spec: oneOf(['msgpack', 'json'] as const), default: 'msgpack' },
  mode: { spec: oneOf(['message', 'forward', 'packed', 'compressed'] as const) },
  ack: { spec: bool(), default: true },
  event_time: { spec: bool() },
  tls: { spec: tlsSpec({ client: true, servername: true }) },
  shared_key: { spec: secret() },
  shared_key_file: { spec: secretFile(), to: 'sharedKey', alternative: true },
  self_hostname: { spec: str({ pattern: /^\S{1,255}$/, expected: 'a host name (no spaces)' }) },
  username: { spec: str() },
  password: { spec: secret() },
  password_file: { spec: secretFile(), to: 'password', alternative: true },
  keepalive: { spec: bool(), default: true },
}, {
  rules(r) {
    secretPair(r, 'shared_key');
    secretPair(r, 'password');
    const json = r.value('encoding') === 'json';
    const mode = r.value('mode');
    if (!r.given('mode')) r.set('mode', json ? 'forward' : 'packed');
    else if (json && (mode === 'packed' || mode === 'compressed')) {
      r.report('mode', `${mode} needs encoding: msgpack (fluentd reads JSON only in message or forward mode)`);
    }
    const sharedKey = r.given('shared_key') ? 'shared_key' : r.given('shared_key_file') ? 'shared_key_file' : undefined;
    if (sharedKey && json) r.report(sharedKey, 'needs encoding: msgpack (fluentd authenticates only msgpack connections)');
    if (sharedKey && r.value<Secret>('shared_key')?.reveal() === '') r.report(sharedKey, 'must not be empty');
    if (!r.given('event_time')) r.set('event_time', !json);
    else if (json && r.value('event_time') === true) r.report('event_time', 'needs encoding: msgpack (EventTime is a msgpack extension)');
    if (r.given('username') && !givenEither(r, 'password')) r.report('username', 'needs password (or password_file) too');
    if (givenEither(r, 'password') && !r.given('username')) r.report(r.given('password') ? 'password' : 'password_file', 'needs username too');
    if (r.given('username') && !givenEither(r, 'shared_key')) r.report('username', "needs shared_key too (fluentd's user authentication is part of the shared-key handshake)");
    if (r.given('self_hostname') && !givenEither(r, 'shared_key')) r.report('self_hostname', 'is used only in the shared-key handshake: give shared_key too, or remove self_hostname');
  },
});

const ES_INDEX = /^[a-z0-9][a-z0-9._-]{0,199}$/;

const elasticsearchSpec = map({
  name: nameField,
  url: { spec: url({ schemes: ['http', 'https'] }), required: 'the Elasticsearch/OpenSearch address, e.g. https://es.example.net:9200' },
  index_prefix: { spec: str({ expected: 'an index name prefix (lowercase letters, digits, ".", "_", "-"; not starting with . _ -)', pattern: ES_INDEX }), default: 'flowtap' },
  username: { spec: str() },
  password: { spec: secret() },
  password_file: { spec: secretFile(), to: 'password', alternative: true },
  api_key: { spec: secret() },
  api_key_file: { spec: secretFile(), to: 'apiKey', alternative: true },
  tls: { spec: tlsSpec({ client: true, servername: false }) },
  install_template: { spec: bool(), default: true },
}, {
  rules(r) {
    secretPair(r, 'password');
    secretPair(r, 'api_key');
    const apiKey = r.given('api_key') ? 'api_key' : r.given('api_key_file') ? 'api_key_file' : undefined;
    if (apiKey && r.given('username')) r.report(apiKey, 'cannot be used together with username (log in with an API key or with username and password, not both)');
    else if (apiKey && givenEither(r, 'password')) r.report(apiKey, 'cannot be used together with password (log in with an API key or with username and password, not both)');
    else {
      if (r.given('username') && !givenEither(r, 'password')) r.report('username', 'needs password (or password_file) too');
      if (givenEither(r, 'password') && !r.given('username')) r.report(r.given('password') ? 'password' : 'password_file', 'needs username too');
    }
    tlsNeedsHttps(r);
  },
});

const CH_IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const clickhouseSpec = map({
  name: nameField,
  url: { spec: url({ schemes: ['http', 'https'] }), required: "ClickHouse's HTTP interface, e.g. http://clickhouse:8123" },
  database: { spec: str({ expected: 'a database name (letters, digits, _)', pattern: CH_IDENT }) },
  table: { spec: str({ expected: 'a table name (letters, digits, _)', pattern: CH_IDENT }), default: 'flows' },
  username: { spec: str() },
  password: { spec: secret() },
  password_file: { spec: secretFile(), to: 'password', alternative: true },
  tls: { spec: tlsSpec({ client: false, servername: false }) },
  create_table: { spec: bool(), default: true },
}, {
  rules(r) {
    secretPair(r, 'password');
    tlsNeedsHttps(r);
    // As ClickHouse's own clients do, a URL path names the database.
    const u = r.value<string>('url');
    const fromUrl = u === undefined ? '' : new URL(u).pathname.replace(/^\/+|\/+$/g, '');
    if (fromUrl !== '' && !CH_IDENT.test(fromUrl)) r.report('url', 'the URL path names the database, and it is not a database name (letters, digits, _)');
    else if (fromUrl !== '' && r.given('database')) r.report('database', 'the url names the database already: give it once (database, or the URL path)');
    else if (!r.given('database')) r.set('database', fromUrl || 'default');
  },
});

const ipfixSpec = map({
  name: nameField,
  url: { spec: url({ schemes: ['udp'], defaultPort: 4739, hostOnly: true }), required: 'the IPFIX collector, e.g. udp://collector:4739' },
  observation_domain: { spec: int(0, 0xffffffff), default: 1 },
  mtu: { spec: int(576, 65507), default: 1400 },
});

const netflow9Spec = map({
  name: nameField,
  url: { spec: url({ schemes: ['udp'], defaultPort: 2055, hostOnly: true }), required: 'the NetFlow v9 collector, e.g. udp://collector:2055' },
  source_id: { spec: int(0, 0xffffffff), default: 1 },
  mtu: { spec: int(576, 65507), default: 1400 },
});

/** The output types and their keys, in the order the file and the docs list them. */
export const OUTPUT_SPECS: Readonly<Record<OutputType, MapSpec<unknown>>> = {
  stdout: stdoutSpec,
  file: fileSpec,
  fluentd: fluentdSpec,
  elasticsearch: elasticsearchSpec,
  clickhouse: clickhouseSpec,
  ipfix: ipfixSpec,
  netflow9: netflow9Spec,
};

const OUTPUT_TYPES = Object.keys(OUTPUT_SPECS) as OutputType[];

export const DEFAULT_OUTPUT: Readonly<StdoutOutput> = Object.freeze({ type: 'stdout', name: 'stdout', format: 'jsonl', unknownOnly: false });

/** `outputs`: a mapping of output type to one output or a list of them. */
function outputsSpec(): Spec<OutputConfig[]> {
  return {
    expected: 'a mapping of output types',
    section: true,
    check(node, at, c) {
      if (!node) return [{ ...DEFAULT_OUTPUT }];
      if (!isMap(node)) {
        c.report(at, `expected a mapping of output types (${OUTPUT_TYPES.join(', ')}), got ${isSeq(node) ? 'a list' : 'a single value'}`);
        return INVALID;
      }
      const pairs = pairsOf(node, at, c);
      if (!pairs) return INVALID;
      const out: { o: OutputConfig; at: Where }[] = [];
      let ok = true;
      for (const p of pairs) {
        const typeAt: Where = { path: [...at.path, p.key], offset: p.keyOffset };
        const spec = OUTPUT_SPECS[p.key as OutputType];
        if (!spec || !Object.hasOwn(OUTPUT_SPECS, p.key)) {
          const near = suggest(p.key, OUTPUT_TYPES);
          c.report(typeAt, `unknown output type${near ? ` (did you mean ${near}?)` : ''}; the types are ${OUTPUT_TYPES.join(', ')}`);
          ok = false;
          continue;
        }
        const valueAt: Where = { path: typeAt.path, offset: valueOffset(p.value, p.keyOffset) };
        const n = c.deref(p.value, valueAt);
        if (n === undefined) {
          ok = false;
          continue;
        }
        const items = n && isSeq(n)
          ? n.items.map((item, i) => ({ raw: item, at: { path: [...typeAt.path, i], offset: offsetOf(item) ?? valueAt.offset }, name: `${p.key}[${i}]` }))
          : [{ raw: n, at: valueAt, name: p.key }];
        for (const item of items) {
          const v = item.raw === n ? n : c.deref(item.raw, item.at);
          if (v === undefined) {
            ok = false;
            continue;
          }
          const o = spec.check(v, item.at, c);
          if (o === INVALID) ok = false;
          else {
            const fields = o as Record<string, unknown>;
            out.push({ o: { type: p.key, ...fields, name: (fields.name as string | undefined) ?? item.name } as OutputConfig, at: item.at });
          }
        }
      }
      if (ok) ok = checkOutputsTogether(out, c);
      if (!ok) return INVALID;
      return out.length ? out.map((x) => x.o) : [{ ...DEFAULT_OUTPUT }];
    },
    dump(outputs) {
      const byType = new Map<string, unknown[]>();
      for (const o of outputs) {
        const { type, ...rest } = o;
        const dumped = OUTPUT_SPECS[type].dump(rest);
        const l = byType.get(type) ?? [];
        l.push(dumped);
        byType.set(type, l);
      }
      const out: Record<string, unknown> = {};
      for (const [type, l] of byType) out[type] = l.length === 1 ? l[0] : l;
      return out;
    },
  };
}

/** Problems between outputs: one stdout, distinct names, distinct files. */
function checkOutputsTogether(out: readonly { o: OutputConfig; at: Where }[], c: Checker): boolean {
  let ok = true;
  const names = new Map<string, Where>();
  const files = new Map<string, Where>();
  let stdout: Where | undefined;
  const place = (w: Where): string => w.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);
  for (const { o, at } of out) {
    if (o.type === 'stdout') {
      if (stdout) {
        c.report(at, `only one stdout output is possible (another one is ${place(stdout)})`);
        ok = false;
      }
      stdout = at;
    }
    if (o.type === 'file') {
      const prev = files.get(o.path);
      if (prev) {
        c.report({ path: [...at.path, 'path'], offset: at.offset }, `the same file as ${place(prev)}: two outputs cannot write one file`);
        ok = false;
      }
      files.set(o.path, at);
    }
    const prevName = names.get(o.name);
    if (prevName) {
      c.report({ path: [...at.path, 'name'], offset: at.offset }, `${place(prevName)} has this name already: names must differ`);
      ok = false;
    }
    names.set(o.name, at);
  }
  return ok;
}

/** "127.0.0.1:9108", "[::1]:9108", ":9108" (every address), or a port alone (127.0.0.1). */
function listenSpec(): Spec<{ host: string; port: number }> {
  return scalar({
    expected: 'host:port (e.g. 127.0.0.1:9108, [::1]:9108, :9108 for every address)',
    parse(v) {
      let h: string;
      let p: string;
      if (typeof v === 'number') {
        h = '127.0.0.1';
        p = String(v);
      } else if (typeof v === 'string') {
        const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(v.trim()) ?? /^([^:[\]]*):(\d{1,5})$/.exec(v.trim()) ?? /^()(\d{1,5})$/.exec(v.trim());
        if (!m) return bad();
        h = m[1] === '' ? (/^\d+$/.test(v.trim()) ? '127.0.0.1' : '0.0.0.0') : m[1];
        p = m[2];
      } else {
        return bad();
      }
      const n = Number(p);
      if (!isHost(h) || !Number.isInteger(n) || n < 1 || n > 65535) bad();
      return { host: h, port: n };
    },
    dump: (l) => `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`,
  });
}

const IFACE = /^[A-Za-z0-9_.:@-]{1,64}$/;

const inputSpec = map({
  read: { spec: list(path({ keepDash: true }), { single: true }), default: [] },
  interface: { spec: list(str({ expected: 'an interface name', pattern: IFACE }), { single: true }), default: [] },
  filter: { spec: str({ expected: 'a BPF filter expression' }) },
  snaplen: { spec: int(64, 262144), default: 262144 },
  promiscuous: { spec: bool(), default: true },
  buffer_size: { spec: size(MiB, 2 * GiB), default: 64 * MiB },
  tunnels: { spec: bool(), default: true },
  strict: { spec: bool(), default: false },
});

const dpiSpec = map({
  enabled: { spec: bool(), default: true },
  lists: { spec: path({ existingDir: true }) },
});

const WEEK = 7 * 86400;

const flowsSpec = map({
  timeouts: {
    fill: true,
    spec: map({
      'tcp-opening': { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.tcpOpening },
      tcp: { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.tcp },
      'tcp-closed': { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.tcpClosed },
      udp: { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.udp },
      icmp: { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.icmp },
      other: { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.other },
      active: { spec: seconds(1, WEEK), default: DEFAULT_TIMEOUTS.active },
    }),
  },
  max_flows: { spec: int(16, 1 << 26), default: DEFAULT_MAX_FLOWS },
});

const bufferSpec = map({
  spool_dir: { spec: path() },
  max_size: { spec: size(64 * KiB, TiB), default: DEFAULT_MAX_SPOOL_BYTES },
  memory_records: { spec: int(1, 10_000_000), default: DEFAULT_MEMORY_RECORDS },
  drain_timeout: { spec: duration(0, 86_400_000), default: DEFAULT_DRAIN_TIMEOUT_MS, to: 'drainTimeoutMs' },
});

const metricsSpec = map({
  listen: { spec: listenSpec() },
});

const logSpec = map({
  level: { spec: oneOf(['error', 'warn', 'info', 'debug'] as const), default: 'info' },
  syslog: { spec: bool(), default: false },
  stats: { spec: oneOf(['text', 'json', 'off'] as const), default: 'text' },
});

/** The whole file. */
export const CONFIG_SPEC: MapSpec<ConfigData> = map<ConfigData>({
  input: { spec: inputSpec, fill: true },
  dpi: { spec: dpiSpec, fill: true },
  flows: { spec: flowsSpec, fill: true },
  workers: { spec: int(1, 64), default: 1 },
  outputs: { spec: outputsSpec(), fill: true },
  buffer: { spec: bufferSpec, fill: true },
  metrics: { spec: metricsSpec, fill: true },
  log: { spec: logSpec, fill: true },
  alerts: { spec: anyMapping() },
});

/** Every key path of the schema ("outputs.fluentd.tls.ca"), for docs checks and "did you mean". */
export function allKeyPaths(): string[] {
  const out: string[] = [];
  const walk = (fields: Readonly<Record<string, Field>>, prefix: string): void => {
    for (const [key, f] of Object.entries(fields)) {
      const p = prefix ? `${prefix}.${key}` : key;
      out.push(p);
      if (key === 'outputs') {
        for (const [type, spec] of Object.entries(OUTPUT_SPECS)) {
          out.push(`${p}.${type}`);
          walk(spec.fields, `${p}.${type}`);
        }
      } else if ('fields' in f.spec) {
        walk((f.spec as MapSpec<unknown>).fields, p);
      }
    }
  };
  walk(CONFIG_SPEC.fields, '');
  return out;
}

let keyIndex: Map<string, string[]> | undefined;

/** Where an unknown key belongs, when the same (or a close) name exists in another section. */
export function keyElsewhere(key: string, at: readonly (string | number)[]): string | undefined {
  if (!keyIndex) {
    keyIndex = new Map();
    for (const p of allKeyPaths()) {
      const last = p.slice(p.lastIndexOf('.') + 1);
      const l = keyIndex.get(last) ?? [];
      l.push(p);
      keyIndex.set(last, l);
    }
  }
  const name = keyIndex.has(key) ? key : suggest(key, [...keyIndex.keys()]);
  const section = at.length ? `${String(at[0])}.` : undefined;
  const paths = (name === undefined ? [] : keyIndex.get(name) ?? []).filter((p) => !section || !p.startsWith(section));
  return paths.length && paths.length <= 2 ? paths.join(' or ') : undefined;
}
