/** A bad command line: printed with a pointer to the usage, exit code 2 (see main.ts). */
export class UsageError extends Error {}
