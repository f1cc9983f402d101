/**
 * From the command line to the network sinks: one SinkSpec per destination
 * flag (-s, --elasticsearch, --clickhouse, --ipfix, --netflow9), with secrets
 * read from their *-file options or environment variables (never from the
 * command line, never echoed in a message), the spool directory and the
 * delivery settings. Every problem is one UsageError naming the option or
 * variable.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliOptions } from './args';
import type { SinkSpec } from '../export/sinks/spec';
import type { DeliverySettings } from '../export/export-sink';
import { DEFAULT_MAX_SPOOL_BYTES, DEFAULT_MEMORY_RECORDS } from '../export/sinks/delivery';
import { readSecretFile } from '../config/secrets';
import { UsageError } from '../util/errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** A secret from `file` (its option named `flag`) or else the environment variable `envName`; undefined when neither. */
function secret(flag: string, file: string | undefined, env: Env, envName: string): string | undefined {
  if (file !== undefined) {
    const r = readSecretFile(file);
    if ('error' in r) throw new UsageError(`${flag}: ${r.error}`);
    if (r.value === '') throw new UsageError(`${flag}: ${file} is empty`);
    return r.value;
  }
  const v = env[envName];
  return v === undefined || v === '' ? undefined : v;
}

export function buildSinkSpecs(o: CliOptions, env: Env): SinkSpec[] {
  const specs: SinkSpec[] = [];
  if (o.fluentd !== undefined) {
    const f = o.fluentd;
    const sharedKey = secret('--fluentd-shared-key-file', f.sharedKeyFile, env, 'FLOWTAP_FLUENTD_SHARED_KEY');
    specs.push({
      kind: 'fluentd',
      options: { host: f.host, port: f.port, tag: f.tag, encoding: f.mode, ...(f.tls ? { tls: {} } : {}), ...(sharedKey !== undefined ? { sharedKey } : {}) },
    });
  }
  if (o.elasticsearch.length > 0) {
    const password = secret('--es-password-file', o.esPasswordFile, env, 'FLOWTAP_ES_PASSWORD');
    const apiKey = secret('--es-api-key-file', o.esApiKeyFile, env, 'FLOWTAP_ES_API_KEY');
    if (password !== undefined && o.esUser === undefined) {
      throw new UsageError(`${o.esPasswordFile !== undefined ? '--es-password-file' : 'FLOWTAP_ES_PASSWORD'} needs a user given with --es-user`);
    }
    if (o.esUser !== undefined && password === undefined) throw new UsageError('--es-user needs a password: set FLOWTAP_ES_PASSWORD or give --es-password-file');
    if (o.esUser !== undefined && apiKey !== undefined) throw new UsageError('Elasticsearch: give either --es-user (basic auth) or an API key, not both');
    for (const url of o.elasticsearch) {
      specs.push({
        kind: 'elasticsearch',
        options: { url, ...(o.esUser !== undefined ? { username: o.esUser, password } : {}), ...(apiKey !== undefined ? { apiKey } : {}) },
      });
    }
  }
  if (o.clickhouse.length > 0) {
    const password = secret('--clickhouse-password-file', o.clickhousePasswordFile, env, 'FLOWTAP_CLICKHOUSE_PASSWORD');
    if (password !== undefined && o.clickhouseUser === undefined) {
      throw new UsageError(`${o.clickhousePasswordFile !== undefined ? '--clickhouse-password-file' : 'FLOWTAP_CLICKHOUSE_PASSWORD'} needs a user given with --clickhouse-user`);
    }
    for (const url of o.clickhouse) {
      specs.push({
        kind: 'clickhouse',
        options: { url, ...(o.clickhouseUser !== undefined ? { username: o.clickhouseUser, password } : {}) },
      });
    }
  }
  for (const url of o.ipfix) specs.push({ kind: 'ipfix', options: { protocol: 'ipfix', url } });
  for (const url of o.netflow9) specs.push({ kind: 'ipfix', options: { protocol: 'netflow9', url } });
  return specs;
}

/**
 * The spool directory: --spool-dir; else /var/lib/flowtap/spool for root
 * (a service), else $XDG_STATE_HOME/flowtap/spool, else
 * ~/.local/state/flowtap/spool (XDG Base Directory: state that survives
 * restarts but is not configuration).
 */
export function defaultSpoolDir(env: Env, uid: number | undefined = process.getuid?.(), home: string = homedir()): string {
  if (uid === 0) return '/var/lib/flowtap/spool';
  const state = env.XDG_STATE_HOME;
  if (state !== undefined && state.startsWith('/')) return join(state, 'flowtap', 'spool');
  return join(home, '.local', 'state', 'flowtap', 'spool');
}

export function deliverySettings(o: CliOptions, env: Env): DeliverySettings {
  return {
    spoolRoot: o.spoolDir ?? defaultSpoolDir(env),
    maxSpoolBytes: o.bufferSize ?? DEFAULT_MAX_SPOOL_BYTES,
    memoryRecords: DEFAULT_MEMORY_RECORDS,
  };
}
