/**
 * What a run does, from the merged configuration (file, defaults and flags;
 * see overrides.ts): the inputs, the packet settings, the record outputs on
 * the packet thread (text lines) and on the export thread (JSON Lines, with
 * rotation, and the network sinks as SinkSpecs: plain data that can cross to
 * that thread, which a FlowtapConfig holding Secret values cannot), the
 * delivery settings and what is printed at the end.
 *
 * Live capture: the input.interface names that are network interfaces
 * (live.ts) with snaplen, promiscuous and buffer_size; JSON Lines files then
 * rotate on the wall clock. The service settings: metrics.listen, log.level,
 * log.syslog. `workers` (-n): packet-processing worker threads, for capture
 * files and live capture alike (src/workers/).
 */
import type { FlowtapConfig } from '../config/types';
import { deliveryOf, sinkSpecsOf } from '../config/sink-options';
import type { DeliverySettings, JsonlTarget } from '../export/export-sink';
import type { SinkSpec } from '../export/sinks/spec';
import type { FlowTimeouts } from '../flow/expiry';
import type { LogLevel } from '../util/log';
import { UsageError } from '../util/errors';
import type { WorkerFault } from '../workers/worker-protocol';
import { inputsOf, type LivePlan } from './live';
import { defaultSpoolDir, type Env } from './sinks';

export interface TextTarget {
  /** undefined: standard output. */
  path?: string;
  unknownOnly: boolean;
}

export interface RunPlan {
  /** Capture files (none with live capture). */
  inputs: string[];
  /** Live capture from network interfaces, instead of files. */
  live?: LivePlan;
  /** Packet-processing threads (-n): 1 runs everything on the capture thread. */
  workers: number;
  /**
   * A failure injected into one worker thread, from FLOWTAP_WORKER_FAULT=
   * <worker 1-N>:<after packets>:<throw|exit>: a test hook for the handling
   * of a failing worker, not a setting.
   */
  workerFault?: WorkerFault & { worker: number };
  metricsListen?: { host: string; port: number };
  logLevel: LogLevel;
  logSyslog: boolean;
  filter?: string;
  tunnels: boolean;
  strict: boolean;
  dpi: boolean;
  listsDir?: string;
  timeouts: FlowTimeouts;
  maxFlows: number;
  text: TextTarget[];
  jsonl: JsonlTarget[];
  specs: SinkSpec[];
  delivery: DeliverySettings;
  drainTimeoutMs: number;
  /** log.stats off (-q): nothing but the records and problems. */
  quiet: boolean;
  statsJson: boolean;
  /** Some records (JSON Lines or text) go to standard output. */
  recordsOnStdout: boolean;
}

export function planOf(cfg: FlowtapConfig, env: Env): RunPlan {
  const { files, live } = inputsOf(cfg.input);
  const text: TextTarget[] = [];
  const jsonl: JsonlTarget[] = [];
  for (const o of cfg.outputs) {
    if (o.type === 'stdout') {
      if (o.format === 'text') text.push({ unknownOnly: o.unknownOnly });
      else jsonl.push({});
    } else if (o.type === 'file') {
      const path = o.path === '-' ? undefined : o.path;
      const rotates = o.rotateSize !== undefined || o.rotateIntervalMs !== undefined;
      if (o.format === 'text') {
        if (rotates) throw new UsageError(`output ${o.name}: rotation (rotate_size, rotate_interval) is for JSON Lines (format: jsonl), not text lines`);
        text.push({ path, unknownOnly: o.unknownOnly });
      } else if (rotates && path !== undefined) {
        jsonl.push({ path, rotate: { maxBytes: o.rotateSize ?? 0, intervalMs: o.rotateIntervalMs ?? 0, keep: o.keep, clock: live !== undefined ? 'wall' : 'record' } });
      } else {
        jsonl.push(path !== undefined ? { path } : {});
      }
    }
  }
  return {
    inputs: files,
    ...(live !== undefined ? { live } : {}),
    workers: cfg.workers,
    ...workerFaultOf(env),
    ...(cfg.metrics.listen !== undefined ? { metricsListen: cfg.metrics.listen } : {}),
    logLevel: cfg.log.level,
    logSyslog: cfg.log.syslog,
    ...(cfg.input.filter !== undefined ? { filter: cfg.input.filter } : {}),
    tunnels: cfg.input.tunnels,
    strict: cfg.input.strict,
    dpi: cfg.dpi.enabled,
    ...(cfg.dpi.lists !== undefined ? { listsDir: cfg.dpi.lists } : {}),
    timeouts: { ...cfg.flows.timeouts },
    maxFlows: cfg.flows.maxFlows,
    text,
    jsonl,
    specs: sinkSpecsOf(cfg),
    delivery: deliveryOf(cfg, defaultSpoolDir(env)),
    drainTimeoutMs: cfg.buffer.drainTimeoutMs,
    quiet: cfg.log.stats === 'off',
    statsJson: cfg.log.stats === 'json',
    recordsOnStdout: text.some((t) => t.path === undefined) || jsonl.some((j) => j.path === undefined),
  };
}

function workerFaultOf(env: Env): { workerFault?: WorkerFault & { worker: number } } {
  const m = /^(\d+):(\d+):(throw|exit)$/.exec(env.FLOWTAP_WORKER_FAULT ?? '');
  if (m === null) return {};
  return { workerFault: { worker: Number(m[1]) - 1, afterPackets: Number(m[2]), kind: m[3] as WorkerFault['kind'] } };
}
