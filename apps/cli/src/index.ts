/**
 * `@modular/cli`: the `modular` command line. `runCli` runs it in the
 * calling process and returns the exit status; `dist/bin.js` is the
 * executable.
 */
export { type CliIO, runCli } from "./cli.js";
export { EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE, UsageError } from "./errors.js";
export type { OutputStream } from "./report/reporter.js";
