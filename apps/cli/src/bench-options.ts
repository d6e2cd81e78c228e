/**
 * Validation of the `modular bench kernels` flags. `parseBenchFlags` turns
 * the strings Commander hands over into the options of `@modular/bench`'s
 * kernel suite, or throws `UsageError` naming the flag, the value and what
 * is valid.
 */
import {
  BENCH_OPTIMIZERS,
  BenchConfigError,
  type BenchOptimizer,
  type KernelSuiteOptions,
  MAX_MATMUL_SIZE,
  resolveKernelSuiteOptions,
  type Target,
  TARGETS,
} from "@modular/bench";
import { UsageError } from "./errors.js";
import { parseInteger } from "./options.js";

/** The `bench kernels` flags as Commander parsed them. */
export interface BenchFlags {
  readonly sizes: string;
  readonly targets: string;
  readonly warmup: string;
  readonly repeats: string;
  readonly minTime: string;
  readonly mlpBatch: string;
  readonly optimizer: string;
  readonly seed: string;
  readonly json?: boolean;
  /** The file to update, or `true` for `--write-docs` without a value. */
  readonly writeDocs?: string | boolean;
}

/** Default file of `--write-docs`, relative to the working directory (the repository root under `pnpm`). */
export const DEFAULT_BENCHMARKS_DOC = "docs/benchmarks.md";

/** A validated `modular bench kernels` command line. */
export interface BenchConfig {
  readonly suite: KernelSuiteOptions;
  readonly json: boolean;
  /** Markdown file whose generated section is replaced, or undefined to write none. */
  readonly writeDocs: string | undefined;
}

const BENCH_COMMAND = "bench kernels";

function usageError(message: string): UsageError {
  return new UsageError(message, BENCH_COMMAND);
}

/** Splits a comma-separated flag value into trimmed, non-empty items. An empty value gives []. */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function parseSizes(text: string): number[] {
  return splitList(text).map((item) => {
    try {
      return parseInteger("--sizes", item, 1, MAX_MATMUL_SIZE);
    } catch {
      throw usageError(
        `Invalid value "${text}" for --sizes: size "${item}" is not an integer from 1 to ${MAX_MATMUL_SIZE}. ` +
          "Expected comma-separated sizes, e.g. 256,512, or an empty value for no matmuls.",
      );
    }
  });
}

function parseTargets(text: string): Target[] {
  const items = splitList(text);
  if (items.length === 0) {
    throw usageError(`Invalid value "${text}" for --targets: no targets. Expected comma-separated targets from: ${TARGETS.join(", ")}.`);
  }
  for (const item of items) {
    if (!(TARGETS as readonly string[]).includes(item)) {
      throw usageError(`Unknown target "${item}" in --targets. Valid targets: ${TARGETS.join(", ")}.`);
    }
  }
  return items as Target[];
}

function parseOptimizer(name: string): BenchOptimizer {
  if (!(BENCH_OPTIMIZERS as readonly string[]).includes(name)) {
    throw usageError(`Unknown optimizer "${name}". Valid optimizers: ${BENCH_OPTIMIZERS.join(", ")}.`);
  }
  return name as BenchOptimizer;
}

/** Re-raises an integer error of `parseInteger` as one that points at `bench kernels --help`. */
function integer(flag: string, text: string, min: number, max?: number): number {
  try {
    return parseInteger(flag, text, min, max);
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** Validates every `bench kernels` flag. Throws `UsageError` on the first invalid one, in the order of `--help`. */
export function parseBenchFlags(flags: BenchFlags): BenchConfig {
  const sizes = parseSizes(flags.sizes);
  const suite: KernelSuiteOptions = {
    sizes,
    targets: parseTargets(flags.targets),
    warmup: integer("--warmup", flags.warmup, 1, 1000),
    repeats: integer("--repeats", flags.repeats, 1, 1000),
    minRepeatMs: integer("--min-time", flags.minTime, 0, 600_000),
    mlpBatch: integer("--mlp-batch", flags.mlpBatch, 0, 65_536),
    optimizer: parseOptimizer(flags.optimizer),
    seed: integer("--seed", flags.seed, 0, 2 ** 32 - 1),
  };
  if (sizes.length === 0 && suite.mlpBatch === 0) {
    throw usageError("Nothing to run: --sizes is empty and --mlp-batch is 0. Give a matmul size or an MLP batch size.");
  }

  // The library checks what no single flag can: duplicates, or nothing to run.
  try {
    resolveKernelSuiteOptions(suite);
  } catch (error) {
    if (error instanceof BenchConfigError) throw usageError(error.message);
    throw error;
  }

  let writeDocs: string | undefined;
  if (flags.writeDocs === true) writeDocs = DEFAULT_BENCHMARKS_DOC;
  else if (typeof flags.writeDocs === "string") writeDocs = flags.writeDocs;
  return { suite, json: flags.json === true, writeDocs };
}
