/**
 * The shared Transport contract (test/export/sinks/transport-contract.ts) run
 * against ElasticTransport and the fake Elasticsearch node: what arrives is
 * each record plus its @timestamp, in order; a stopped node makes send()
 * reject in time, and a restarted one (documents kept) takes the next batch.
 */
import type { FlowRecord } from '../../../src/flow/record';
import { ElasticTransport } from '../../../src/export/elastic/elastic-transport';
import { FakeElasticsearch } from '../../support/fake-elasticsearch';
import { transportContract } from '../sinks/transport-contract';

transportContract('elasticsearch', async () => {
  const es = await FakeElasticsearch.start();
  const transport = new ElasticTransport({ url: es.url, timeoutMs: 10_000 });
  return {
    transport,
    received: async () => es.allDocs() as FlowRecord[],
    expected: (rec: FlowRecord) => ({ '@timestamp': new Date(rec.first_switched_ms).toISOString(), ...rec }),
    stop: () => es.stop(),
    restart: () => es.restart(),
    close: () => es.stop(),
  };
});
