/* placeholder until src/dpi/lists/default-ports.tsv is generated */
export const DEFAULT_PORTS: readonly (string | number)[] = [];
