/**
 * The flags a user typed, as changes to the configuration (CliOverrides for
 * mergeCli, src/config/cli-merge.ts): only what was given, so a
 * configuration file (-c) keeps everything the command line does not
 * mention. docs/config.md ("Command line and file") lists what each flag
 * changes.
 */
import type { CliOptions } from './args';
import { networkOverrides, type Env } from './sinks';
import { isInterfaceName } from './live';
import type { CliOverrides } from '../config/cli-merge';
import type { FlowTimeouts } from '../flow/expiry';

export function cliOverrides(o: CliOptions, env: Env): CliOverrides {
  const g = o.given;
  const out: CliOverrides = { ...networkOverrides(o, env) };
  if (g.has('read') || g.has('interface')) {
    // -i names that are network interfaces go to input.interface (live capture); the rest are capture files, as -r.
    const live = new Set(o.interfaceNames.filter(isInterfaceName));
    out.inputs = o.inputs.filter((n) => !live.has(n));
    if (live.size > 0) out.interfaces = [...live];
  }
  if (o.snaplen !== undefined) out.snaplen = o.snaplen;
  if (!o.promisc) out.promiscuous = false;
  if (o.captureBuffer !== undefined) out.captureBuffer = o.captureBuffer;
  if (o.metricsListen !== undefined) out.metricsListen = o.metricsListen;
  if (o.logLevel !== undefined) out.logLevel = o.logLevel;
  if (o.logSyslog) out.logSyslog = true;
  if (o.filter !== undefined) out.filter = o.filter;
  if (g.has('format') || o.verbose > 0) out.format = o.format;
  if (o.verbose > 0) out.unknownOnly = o.verbose === 1;
  if (o.outFile !== undefined) out.outFile = o.outFile;
  if (o.rotate !== undefined) {
    out.rotate = {
      ...(o.rotate.maxBytes > 0 ? { size: o.rotate.maxBytes } : {}),
      ...(o.rotate.intervalMs > 0 ? { intervalMs: o.rotate.intervalMs } : {}),
      ...(o.rotate.keep > 0 ? { keep: o.rotate.keep } : {}),
    };
  }
  if (o.quiet) out.quiet = true;
  if (o.statsJson) out.statsJson = true;
  if (o.spoolDir !== undefined) out.spoolDir = o.spoolDir;
  if (o.bufferSize !== undefined) out.bufferSize = o.bufferSize;
  if (g.has('drain-timeout')) out.drainTimeoutMs = o.drainTimeoutMs;
  if (g.has('threads')) out.workers = o.threads;
  if (g.has('tunnels') || g.has('no-tunnels')) out.tunnels = o.tunnels;
  if (!o.dpi) out.dpi = false;
  if (o.listsDir !== undefined) out.lists = o.listsDir;
  if (o.timeoutsGiven.length > 0) {
    const t: Partial<FlowTimeouts> = {};
    for (const name of o.timeoutsGiven) t[name] = o.timeouts[name];
    out.timeouts = t;
  }
  if (g.has('max-flows')) out.maxFlows = o.maxFlows;
  if (o.strict) out.strict = true;
  return out;
}
