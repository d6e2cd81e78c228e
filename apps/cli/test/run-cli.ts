/** Runs `runCli` in this process with captured output streams. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/index.js";

/**
 * Folder of the default run directories of the tests' runs (`MODULAR_RUNS_DIR`),
 * so that they do not write into the package folder.
 */
export const RUNS_DIR = mkdtempSync(join(tmpdir(), "modular-cli-runs-"));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A writable capture; `isTTY` and `columns` make it look like a terminal to the progress display. */
export class Capture {
  text = "";

  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}

  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export async function run(
  argv: readonly string[],
  options: { stdout?: Capture; env?: Record<string, string | undefined>; signal?: AbortSignal } = {},
): Promise<CliRun> {
  const stdout = options.stdout ?? new Capture();
  const stderr = new Capture();
  const env = { MODULAR_RUNS_DIR: RUNS_DIR, ...options.env };
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const code = await runCli(argv, { stdout, stderr, env, ...signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Flags of a run small enough for a test that still reaches well above chance accuracy with either method. */
export const SMALL_RUN = [
  "--epochs", "3",
  "--batch-size", "32",
  "--lr", "0.001",
  "--limit-train", "2000",
  "--limit-test", "500",
  "--hidden", "64",
];
