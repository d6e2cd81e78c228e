/**
 * Validation of the `modular bench peers` flags. `parsePeersFlags` turns
 * the strings Commander hands over into the options of `@modular/bench`'s
 * peers suite, or throws `UsageError` naming the flag, the value and what
 * is valid.
 */
import { BenchConfigError, PEER_TARGETS, type PeersSuiteOptions, type PeerTarget, resolvePeersSuiteOptions } from "@modular/bench";
import { UsageError } from "./errors.js";
import { MAX_SEED, parseInteger, parsePositiveNumber } from "./options.js";

/** Datasets of the peers suite: both have 28×28 grey images, the 784 inputs of the MLP. */
export const PEERS_DATASETS = ["mnist", "fashion-mnist"] as const;
export type PeersDataset = (typeof PEERS_DATASETS)[number];

/** The `bench peers` flags as Commander parsed them. Flags without a default are undefined when absent. */
export interface PeersFlags {
  readonly quick?: boolean;
  readonly targets?: string;
  readonly dataset: string;
  readonly epochs?: string;
  readonly limitTrain?: string;
  readonly limitTest?: string;
  readonly batchSize: string;
  readonly lr: string;
  readonly seed: string;
  readonly warmup?: string;
  readonly repeats?: string;
  readonly minTime?: string;
  readonly python: string;
  readonly json?: boolean;
  /** The file to update, or `true` for `--write-docs` without a value. */
  readonly writeDocs?: string | boolean;
}

/** A validated `modular bench peers` command line. */
export interface PeersConfig {
  readonly suite: PeersSuiteOptions;
  readonly dataset: PeersDataset;
  readonly json: boolean;
  /** Markdown file whose generated peers section is replaced, or undefined to write none. */
  readonly writeDocs: string | undefined;
}

const COMMAND = "bench peers";

/** Default file of `--write-docs`, relative to the working directory (the repository root under `pnpm`). */
export const DEFAULT_PEERS_DOC = "docs/benchmarks.md";

/** Runs a parser of `options.ts` and re-raises its error so that it points at `bench peers --help`. */
function parse<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, COMMAND);
    throw error;
  }
}

function optionalInteger(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : parse(() => parseInteger(flag, text, min, max));
}

function parseTargets(text: string): PeerTarget[] {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) {
    throw new UsageError(`Invalid value "${text}" for --targets: no targets. Expected comma-separated targets from: ${PEER_TARGETS.join(", ")}.`, COMMAND);
  }
  for (const item of items) {
    if (!(PEER_TARGETS as readonly string[]).includes(item)) {
      throw new UsageError(`Unknown target "${item}" in --targets. Valid targets: ${PEER_TARGETS.join(", ")}.`, COMMAND);
    }
  }
  return items as PeerTarget[];
}

function parseDataset(name: string): PeersDataset {
  if (!(PEERS_DATASETS as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown dataset "${name}" for bench peers. Valid datasets: ${PEERS_DATASETS.join(", ")}.`, COMMAND);
  }
  return name as PeersDataset;
}

/** Validates every `bench peers` flag. Throws `UsageError` on the first invalid one, in the order of `--help`. */
export function parsePeersFlags(flags: PeersFlags): PeersConfig {
  const suite: PeersSuiteOptions = {
    quick: flags.quick === true,
    ...(flags.targets === undefined ? {} : { targets: parseTargets(flags.targets) }),
    epochs: optionalInteger("--epochs", flags.epochs, 1, 1000),
    limitTrain: optionalInteger("--limit-train", flags.limitTrain, 1, 2 ** 31 - 1),
    limitTest: optionalInteger("--limit-test", flags.limitTest, 1, 2 ** 31 - 1),
    batchSize: parse(() => parseInteger("--batch-size", flags.batchSize, 1, 65_536)),
    lr: parse(() => parsePositiveNumber("--lr", flags.lr)),
    seed: parse(() => parseInteger("--seed", flags.seed, 0, MAX_SEED)),
    warmup: optionalInteger("--warmup", flags.warmup, 1, 1000),
    repeats: optionalInteger("--repeats", flags.repeats, 1, 1000),
    minRepeatMs: optionalInteger("--min-time", flags.minTime, 0, 600_000),
    python: flags.python,
  };
  const dataset = parseDataset(flags.dataset);

  // The library checks what no single flag can, such as a target listed twice.
  try {
    resolvePeersSuiteOptions(suite);
  } catch (error) {
    if (error instanceof BenchConfigError) throw new UsageError(error.message, COMMAND);
    throw error;
  }

  let writeDocs: string | undefined;
  if (flags.writeDocs === true) writeDocs = DEFAULT_PEERS_DOC;
  else if (typeof flags.writeDocs === "string") writeDocs = flags.writeDocs;
  return { suite, dataset, json: flags.json === true, writeDocs };
}
