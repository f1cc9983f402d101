/**
 * The shared Transport contract (test/export/sinks/transport-contract.ts) for
 * ClickHouseTransport against a real ClickHouse server: one private server
 * for the file, a fresh table per case. The table is flowtap's own layout
 * plus an `arrival` column numbering the rows of each insert, with merges
 * stopped, so the rows can be read back in arrival order (insert = part,
 * parts numbered in insert order). stop()/restart() kill and restart the
 * server on the same port and data.
 */
import { after } from 'node:test';
import type { FlowRecord } from '../../../src/flow/record';
import { ClickHouseTransport } from '../../../src/export/clickhouse/clickhouse-transport';
import { createTableSql } from '../../../src/export/clickhouse/schema';
import { startClickHouse, type ClickHouseServer } from '../../support/clickhouse-server';
import { transportContract } from '../sinks/transport-contract';
import { fromRow, readTable, storedForm } from './helpers';

let shared: Promise<ClickHouseServer> | null = null;
let tables = 0;

function server(): Promise<ClickHouseServer> {
  if (shared === null) shared = startClickHouse();
  return shared;
}

after(async () => {
  if (shared !== null) await (await shared).stop();
});

/** The first block number of a part name (partition_minblock_maxblock_level): parts in insert order. */
function minBlock(part: unknown): number {
  const m = /_(\d+)_\d+_\d+$/.exec(String(part));
  return m === null ? -1 : Number(m[1]);
}

transportContract('clickhouse (real server)', async () => {
  const srv = await server();
  const table = `contract_${++tables}`;
  const ref = `default.${table}`;
  await srv.query(createTableSql('default', table));
  await srv.query(`ALTER TABLE ${ref} ADD COLUMN arrival UInt64 DEFAULT rowNumberInAllBlocks()`);
  const stopMerges = (): Promise<string> => srv.query(`SYSTEM STOP MERGES ${ref}`);
  await stopMerges();
  return {
    transport: new ClickHouseTransport({ url: srv.url, table, timeoutMs: 10_000 }),
    received: async () => {
      const rows = await readTable(srv, ref, ['_part', 'arrival']);
      rows.sort((a, b) => minBlock(a._part) - minBlock(b._part) || Number(a.arrival) - Number(b.arrival));
      return rows.map((r) => fromRow(r) as unknown as FlowRecord);
    },
    stop: () => srv.kill(),
    restart: async () => {
      await srv.restart();
      await stopMerges();
    },
    close: async () => {
      await srv.query(`DROP TABLE IF EXISTS ${ref}`).catch(() => undefined);
    },
    expected: storedForm,
  };
});
