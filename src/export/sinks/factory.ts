/**
 * Turns a SinkSpec (plain data, see spec.ts) into its Transport. Runs in the
 * export thread. A configuration the transport refuses surfaces as the
 * transport's error (UsageError E_CONFIG, or SinkError E_SINK_CONFIG) from
 * createTransport(). Messages a transport logs are prefixed with its name
 * (the Transport contract: a transport does not name itself in them).
 * Each transport's module (and its libraries: msgpackr for fluentd, ...) is
 * loaded when a sink of its kind is created, not with this one: a run
 * without that sink does not pay for loading it.
 */
import type { SinkLog, Transport } from './transport';
import type { SinkSpec } from './spec';
import { UsageError } from '../../util/errors';

export function createTransport(spec: SinkSpec, log: SinkLog): Transport {
  let name: string = spec.kind;
  const named: SinkLog = {
    info: (m) => log.info(`${name}: ${m}`),
    warn: (m) => log.warn(`${name}: ${m}`),
  };
  let t: Transport;
  switch (spec.kind) {
    case 'fluentd': {
      const { ForwardTransport } = require('../fluent/forward-transport') as typeof import('../fluent/forward-transport');
      t = new ForwardTransport(spec.options, named);
      break;
    }
    case 'elasticsearch': {
      const { ElasticTransport } = require('../elastic/elastic-transport') as typeof import('../elastic/elastic-transport');
      t = new ElasticTransport(spec.options, named);
      break;
    }
    case 'clickhouse': {
      const { ClickHouseTransport } = require('../clickhouse/clickhouse-transport') as typeof import('../clickhouse/clickhouse-transport');
      t = new ClickHouseTransport(spec.options, named);
      break;
    }
    case 'ipfix': {
      const { IpfixTransport } = require('../ipfix/ipfix-transport') as typeof import('../ipfix/ipfix-transport');
      t = new IpfixTransport(spec.options, named);
      break;
    }
    case 'module':
      t = fromModule(spec.module, spec.options);
      break;
  }
  name = t.name;
  return t;
}

function fromModule(module: string, options: unknown): Transport {
  let m: { createTransport?: (options: unknown) => Transport };
  try {
    m = require(module) as typeof m;
  } catch (err) {
    throw new UsageError(`cannot load the transport module ${module}: ${(err as Error).message}`, 'E_CONFIG');
  }
  if (typeof m.createTransport !== 'function') throw new UsageError(`${module} exports no createTransport(options)`, 'E_CONFIG');
  return m.createTransport(options);
}
