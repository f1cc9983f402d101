/* placeholder until src/dpi/lists/hosts.tsv exists */
export const HOST_PATTERNS: readonly (string | number)[] = [];
