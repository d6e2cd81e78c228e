#!/usr/bin/env node
/** The `modular` executable: runs the CLI on the process arguments and exits with its status. */
import { disposeBackends, registerAutoBackend, registerWebGpu } from "@modular/tensor";
import { runCli } from "./cli.js";

registerWebGpu();
registerAutoBackend({ log: (message) => process.stderr.write(`${message}\n`) });

// A reader that closes the pipe early (`modular train --json | head`) ends
// the run quietly instead of crashing with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

// The first Ctrl-C (SIGINT) aborts the signal, so a running `train` or `compare` stops after its current
// step and saves a checkpoint. A second one exits at once, with the status shells give a process ended by SIGINT.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write("\nmodular: stopping after the current step (Ctrl-C again to exit at once)\n");
  interrupt.abort();
});

const status = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
// A live WebGPU device keeps Dawn's threads running, so the process would not exit on its own.
disposeBackends();
process.exitCode = status;
