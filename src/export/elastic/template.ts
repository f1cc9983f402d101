/**
 * The index template for flowtap's daily indices (<prefix>-YYYY.MM.DD) and
 * its installation. Composable templates (`_index_template`, Elasticsearch
 * 7.8 and later, every OpenSearch) are tried first; when the server says that
 * API does not exist (a pre-7.8 Elasticsearch answers 400/404/405 with an
 * error other than "template not found"), the legacy `_template` API is used
 * with the same settings and mappings. Elasticsearch 6 and older (mapping
 * types) are not supported.
 *
 * An existing template is left alone unless its `version` is lower than this
 * one's: a template an operator changed (shards, ILM policy) and marked with
 * a version of their own is not overwritten at every start.
 *
 * Installing needs the manage_index_templates (or manage) cluster privilege;
 * without it the transport stops with E_SINK_AUTH rather than letting indices
 * be created with guessed mappings, which could only be fixed by reindexing.
 */
import { flowMappings } from './mappings';
import { httpError, type EsHttp, type EsReply } from './http-client';
import { SinkError, type SinkLog } from '../sinks/transport';

/** Raise when the mappings change, so existing installations are updated. */
export const TEMPLATE_VERSION = 1;

/** Priority among composable templates; Elastic's built-in ones (logs-*-*, metrics-*-*) use 100. */
const PRIORITY = 150;

export function indexPattern(prefix: string): string {
  return `${prefix}-*`;
}

/** Body for PUT _index_template/<prefix>. */
export function composableTemplate(prefix: string): Record<string, unknown> {
  return {
    index_patterns: [indexPattern(prefix)],
    priority: PRIORITY,
    version: TEMPLATE_VERSION,
    template: {
      settings: { index: { number_of_shards: 1 } },
      mappings: flowMappings(TEMPLATE_VERSION),
    },
  };
}

/** Body for PUT _template/<prefix> (Elasticsearch 7.0 - 7.7). */
export function legacyTemplate(prefix: string): Record<string, unknown> {
  return {
    index_patterns: [indexPattern(prefix)],
    order: 1,
    version: TEMPLATE_VERSION,
    settings: { index: { number_of_shards: 1 } },
    mappings: flowMappings(TEMPLATE_VERSION),
  };
}

export interface TemplateOutcome {
  api: 'composable' | 'legacy';
  action: 'created' | 'updated' | 'kept';
  /** Version of the template already there (when there was one). */
  existingVersion?: number;
}

/** Makes sure the template for `prefix` exists (see the header). Rejects with a SinkError. */
export async function installTemplate(http: EsHttp, prefix: string, log?: SinkLog): Promise<TemplateOutcome> {
  const where = `elasticsearch ${http.url.display}`;
  const what = `index template ${prefix}`;
  const name = encodeURIComponent(prefix);

  const got = await http.request('GET', `/_index_template/${name}`);
  let outcome: TemplateOutcome;
  if (got.status === 200) {
    outcome = await ensure(http, 'composable', `/_index_template/${name}`, composableVersion(got, prefix), composableTemplate(prefix), where, what);
  } else if (got.status === 404 && isTemplateMissing(got)) {
    outcome = await ensure(http, 'composable', `/_index_template/${name}`, undefined, composableTemplate(prefix), where, what);
  } else if (got.status === 400 || got.status === 404 || got.status === 405) {
    const legacy = await http.request('GET', `/_template/${name}`);
    if (legacy.status !== 200 && legacy.status !== 404) throw httpError(where, what, legacy);
    const existing = legacy.status === 200 ? legacyVersion(legacy, prefix) : undefined;
    outcome = await ensure(http, 'legacy', `/_template/${name}`, existing, legacyTemplate(prefix), where, what);
  } else {
    throw templateError(where, what, got);
  }
  if (log !== undefined && outcome.action !== 'kept') {
    log.info(`${outcome.action} ${outcome.api === 'legacy' ? 'legacy ' : ''}index template ${prefix} (version ${TEMPLATE_VERSION}) for indices ${indexPattern(prefix)}`);
  }
  return outcome;
}

async function ensure(
  http: EsHttp,
  api: 'composable' | 'legacy',
  path: string,
  existing: number | null | undefined,
  body: Record<string, unknown>,
  where: string,
  what: string,
): Promise<TemplateOutcome> {
  if (typeof existing === 'number' && existing >= TEMPLATE_VERSION) return { api, action: 'kept', existingVersion: existing };
  const put = await http.request('PUT', path, JSON.stringify(body), 'application/json');
  if (put.status !== 200 && put.status !== 201) throw templateError(where, what, put);
  const out: TemplateOutcome = { api, action: existing === undefined ? 'created' : 'updated' };
  if (typeof existing === 'number') out.existingVersion = existing;
  return out;
}

/** Template-specific wording: a 400 is a configuration problem (the server refused our template), not refused records. */
function templateError(where: string, what: string, reply: EsReply): SinkError {
  const err = httpError(where, what, reply);
  if (err.code === 'E_SINK_REJECTED') return new SinkError('E_SINK_CONFIG', `${err.message}; install it by hand (docs/kibana/README.md) and turn template installation off`);
  if (err.code === 'E_SINK_AUTH' && reply.status === 403) {
    return new SinkError('E_SINK_AUTH', `${where}: installing the ${what} needs the manage_index_templates cluster privilege (HTTP 403); grant it, or install the template by hand and turn template installation off`);
  }
  return err;
}

/** 404 saying "no such template" (the API exists), as opposed to "no such endpoint". */
function isTemplateMissing(reply: EsReply): boolean {
  try {
    const j = JSON.parse(reply.body) as { error?: { type?: unknown } };
    return j.error?.type === 'resource_not_found_exception';
  } catch {
    return false;
  }
}

/** `version` of the named template in a GET _index_template answer; null when it has none (undefined = no template). */
function composableVersion(reply: EsReply, name: string): number | null {
  try {
    const j = JSON.parse(reply.body) as { index_templates?: { name?: string; index_template?: { version?: unknown } }[] };
    const t = j.index_templates?.find((x) => x.name === name);
    return typeof t?.index_template?.version === 'number' ? t.index_template.version : null;
  } catch {
    return null;
  }
}

/** `version` of the named template in a GET _template answer; null when it has none. */
function legacyVersion(reply: EsReply, name: string): number | null {
  try {
    const j = JSON.parse(reply.body) as Record<string, { version?: unknown } | undefined>;
    const v = j[name]?.version;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}
