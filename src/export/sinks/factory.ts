/**
 * Turns a SinkSpec (plain data, see spec.ts) into its Transport. Runs in the
 * export thread. A configuration the transport refuses surfaces as the
 * transport's error (UsageError E_CONFIG, or SinkError E_SINK_CONFIG) from
 * createTransport(). Messages a transport logs are prefixed with its name
 * (the Transport contract: a transport does not name itself in them).
 */
import type { SinkLog, Transport } from './transport';
import type { SinkSpec } from './spec';
import { ForwardTransport } from '../fluent/forward-transport';
import { ElasticTransport } from '../elastic/elastic-transport';
import { ClickHouseTransport } from '../clickhouse/clickhouse-transport';
import { IpfixTransport } from '../ipfix/ipfix-transport';
import { UsageError } from '../../util/errors';

export function createTransport(spec: SinkSpec, log: SinkLog): Transport {
  let name: string = spec.kind;
  const named: SinkLog = {
    info: (m) => log.info(`${name}: ${m}`),
    warn: (m) => log.warn(`${name}: ${m}`),
  };
  let t: Transport;
  switch (spec.kind) {
    case 'fluentd':
      t = new ForwardTransport(spec.options, named);
      break;
    case 'elasticsearch':
      t = new ElasticTransport(spec.options, named);
      break;
    case 'clickhouse':
      t = new ClickHouseTransport(spec.options, named);
      break;
    case 'ipfix':
      t = new IpfixTransport(spec.options, named);
      break;
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
