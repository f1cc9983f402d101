/**
 * How a flow's label was reached (the record's "confidence"). Kept apart from
 * the engine so that the record writers (and the export thread) can name a
 * confidence without loading the engine and, through the registry, every
 * dissector.
 */
export const enum Confidence {
  Unknown = 0,
  Dpi = 1,
  Port = 2,
  Ip = 3,
  Cache = 4,
}

export const CONFIDENCE_NAMES = ['unknown', 'dpi', 'port', 'ip', 'cache'] as const;
