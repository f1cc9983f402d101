/**
 * The shared Transport contract (test/export/sinks/transport-contract.ts)
 * for ForwardTransport, against two independent servers: peers/receiver.py
 * (python3-msgpack; msgpack PackedForward and JSON Forward) and
 * @fluent-org/logger's FluentServer (PackedForward and Message mode).
 */
import { FluentServer } from '@fluent-org/logger';
import { ForwardTransport, type ForwardInit } from '../../../src/export/fluent/forward-transport';
import type { FlowRecord } from '../../../src/flow/record';
import { transportContract, type ContractPeer } from '../sinks/transport-contract';
import { pythonMissing, Receiver, type ReceivedEvent } from './helpers';
import { test } from 'node:test';

const timeouts = { ackTimeoutMs: 10_000, connectTimeoutMs: 10_000 };

function pythonPeer(over: Partial<ForwardInit>): () => Promise<ContractPeer> {
  return async () => {
    let current: Receiver | null = await Receiver.start();
    const port = current.port;
    const before: ReceivedEvent[] = [];
    return {
      transport: new ForwardTransport({ host: '127.0.0.1', port, ...timeouts, ...over }),
      received: () => Promise.resolve([...before, ...(current?.events() ?? [])].map((e) => e.record as FlowRecord)),
      stop: async () => {
        if (current === null) return;
        before.push(...current.events());
        await current.cleanup();
        current = null;
      },
      restart: async () => {
        current = await Receiver.start([], port);
      },
      close: async () => {
        await current?.cleanup();
        current = null;
      },
    };
  };
}

function fluentServerPeer(over: Partial<ForwardInit>): () => Promise<ContractPeer> {
  return async () => {
    const got: FlowRecord[] = [];
    const start = async (port: number): Promise<FluentServer> => {
      const s = new FluentServer({ listenOptions: { port, host: '127.0.0.1' } });
      s.on('entry', (_tag: string, _time: unknown, record: FlowRecord) => got.push(record));
      await s.listen();
      return s;
    };
    let server: FluentServer | null = await start(0);
    const port = server.port!;
    const stop = async (): Promise<void> => {
      const s = server;
      server = null;
      await s?.close();
    };
    return {
      transport: new ForwardTransport({ host: '127.0.0.1', port, ...timeouts, ...over }),
      received: () => Promise.resolve(got.slice()),
      stop,
      restart: async () => {
        server = await start(port);
      },
      close: stop,
    };
  };
}

const noPython = pythonMissing();
if (noPython === null) {
  transportContract('fluentd forward (msgpack, PackedForward) → receiver.py', pythonPeer({}));
  transportContract('fluentd forward (json, Forward) → receiver.py', pythonPeer({ encoding: 'json' }));
} else {
  test('transport contract against receiver.py', { skip: noPython }, () => undefined);
}
transportContract('fluentd forward (msgpack, PackedForward) → FluentServer', fluentServerPeer({}));
transportContract('fluentd forward (msgpack, Message mode) → FluentServer', fluentServerPeer({ mode: 'message' }));
