/* placeholder */
export const IPV4_PREFIXES: Uint32Array = new Uint32Array(0);
export const IPV6_PREFIXES: readonly (string | number)[] = [];
