/**
 * From the command line to the network outputs: what the destination flags
 * (-s -p -t -m --fluentd-tls, --elasticsearch, --clickhouse, --ipfix,
 * --netflow9) change in the configuration (CliOverrides, applied by
 * mergeCli), with secrets read from their *-file options or environment
 * variables (never from the command line, never echoed in a message) and
 * wrapped in Secret, whose printed form names the file or variable. Also the
 * default spool directory. Every problem is one UsageError naming the option
 * or variable.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliOptions } from './args';
import type { CliOverrides } from '../config/cli-merge';
import { readSecretFile, Secret } from '../config/secrets';
import { UsageError } from '../util/errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** A secret from `file` (its option named `flag`) or else the environment variable `envName`; undefined when neither. */
function secret(flag: string, file: string | undefined, env: Env, envName: string): Secret | undefined {
  if (file !== undefined) {
    const r = readSecretFile(file);
    if ('error' in r) throw new UsageError(`${flag}: ${r.error}`);
    if (r.value === '') throw new UsageError(`${flag}: ${file} is empty`);
    return new Secret(r.value, { kind: 'file', path: resolve(file) });
  }
  const v = env[envName];
  return v === undefined || v === '' ? undefined : new Secret(v, { kind: 'env', name: envName });
}

export type NetworkOverrides = Pick<CliOverrides, 'fluentd' | 'elasticsearch' | 'clickhouse' | 'ipfix' | 'netflow9'>;

/** What the destination flags change; secrets read here. */
export function networkOverrides(o: CliOptions, env: Env): NetworkOverrides {
  const out: NetworkOverrides = {};
  const f = o.fluentdChanges;
  if (Object.keys(f).length > 0) {
    const fd: NonNullable<CliOverrides['fluentd']> = {};
    if (f.host !== undefined) fd.host = f.host;
    if (f.port !== undefined) fd.port = f.port;
    if (f.tag !== undefined) fd.tag = f.tag;
    if (f.mode !== undefined) fd.encoding = f.mode;
    if (f.tls) fd.tls = true;
    // FLOWTAP_FLUENTD_SHARED_KEY goes with -s (a file's fluentd output names its own key).
    const key = f.sharedKeyFile !== undefined || f.host !== undefined ? secret('--fluentd-shared-key-file', f.sharedKeyFile, env, 'FLOWTAP_FLUENTD_SHARED_KEY') : undefined;
    if (key !== undefined) fd.sharedKey = key;
    out.fluentd = fd;
  }
  if (o.elasticsearch.length > 0) {
    const password = secret('--es-password-file', o.esPasswordFile, env, 'FLOWTAP_ES_PASSWORD');
    const apiKey = secret('--es-api-key-file', o.esApiKeyFile, env, 'FLOWTAP_ES_API_KEY');
    if (password !== undefined && o.esUser === undefined) {
      throw new UsageError(`${o.esPasswordFile !== undefined ? '--es-password-file' : 'FLOWTAP_ES_PASSWORD'} needs a user given with --es-user`);
    }
    if (o.esUser !== undefined && password === undefined) throw new UsageError('--es-user needs a password: set FLOWTAP_ES_PASSWORD or give --es-password-file');
    if (o.esUser !== undefined && apiKey !== undefined) throw new UsageError('Elasticsearch: give either --es-user (basic auth) or an API key, not both');
    out.elasticsearch = {
      urls: [...o.elasticsearch],
      ...(o.esUser !== undefined ? { username: o.esUser, password } : {}),
      ...(apiKey !== undefined ? { apiKey } : {}),
    };
  }
  if (o.clickhouse.length > 0) {
    const password = secret('--clickhouse-password-file', o.clickhousePasswordFile, env, 'FLOWTAP_CLICKHOUSE_PASSWORD');
    if (password !== undefined && o.clickhouseUser === undefined) {
      throw new UsageError(`${o.clickhousePasswordFile !== undefined ? '--clickhouse-password-file' : 'FLOWTAP_CLICKHOUSE_PASSWORD'} needs a user given with --clickhouse-user`);
    }
    out.clickhouse = { urls: [...o.clickhouse], ...(o.clickhouseUser !== undefined ? { username: o.clickhouseUser, password } : {}) };
  }
  if (o.ipfix.length > 0) out.ipfix = [...o.ipfix];
  if (o.netflow9.length > 0) out.netflow9 = [...o.netflow9];
  return out;
}

/**
 * The spool directory when neither --spool-dir nor buffer.spool_dir says:
 * /var/lib/flowtap/spool for root (a service), else
 * $XDG_STATE_HOME/flowtap/spool, else ~/.local/state/flowtap/spool (XDG Base
 * Directory: state that survives restarts but is not configuration).
 */
export function defaultSpoolDir(env: Env, uid: number | undefined = process.getuid?.(), home: string = homedir()): string {
  if (uid === 0) return '/var/lib/flowtap/spool';
  const state = env.XDG_STATE_HOME;
  if (state !== undefined && state.startsWith('/')) return join(state, 'flowtap', 'spool');
  return join(home, '.local', 'state', 'flowtap', 'spool');
}
