/**
 * The `yaml` package, loaded on first use: only a configuration file (-c)
 * and --print-config need it, so a run without them starts without it.
 * The node tests (isMap, isSeq, isScalar, isAlias) answer false for anything
 * that is not an object without loading it: a YAML node exists only once the
 * package is loaded.
 */
import type { Alias, Scalar, YAMLMap, YAMLSeq } from 'yaml';

type Yaml = typeof import('yaml');

let lib: Yaml | undefined;

/** The `yaml` package (loaded by the first call). */
export function yaml(): Yaml {
  lib ??= require('yaml') as Yaml;
  return lib;
}

function isObject(node: unknown): node is object {
  return typeof node === 'object' && node !== null;
}

export function isMap(node: unknown): node is YAMLMap {
  return isObject(node) && yaml().isMap(node);
}

export function isSeq(node: unknown): node is YAMLSeq {
  return isObject(node) && yaml().isSeq(node);
}

export function isScalar(node: unknown): node is Scalar {
  return isObject(node) && yaml().isScalar(node);
}

export function isAlias(node: unknown): node is Alias {
  return isObject(node) && yaml().isAlias(node);
}
