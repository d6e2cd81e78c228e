/**
 * Options of the peers suite, their defaults and their validation. The
 * suite trains the same MLP end to end with our backends and with peer
 * libraries, so the options fix what all of them share: widths, batch,
 * epochs, Adam settings, seed and the timing protocol.
 */
import { BenchConfigError } from "../errors.js";

/**
 * Targets of the peers suite. Ours: `cpu` (always run, the baseline of every
 * ratio) and `webgpu`. Peers: TensorFlow.js 4.22.0 on its `cpu` and `wasm`
 * backends, and Debian's PyTorch 1.13 with `nn.Linear` layers
 * (`torch-linear`) and with the same layers as 1-wide `conv1d`
 * (`torch-conv1d`).
 */
export const PEER_TARGETS = ["cpu", "webgpu", "tfjs-cpu", "tfjs-wasm", "torch-linear", "torch-conv1d"] as const;
export type PeerTarget = (typeof PEER_TARGETS)[number];

/** The target every ratio is taken against. */
export const PEERS_BASELINE: PeerTarget = "cpu";

/** Targets of a plain run: every one but `webgpu`, which runs only when requested. */
export const DEFAULT_PEER_TARGETS: readonly PeerTarget[] = ["cpu", "tfjs-cpu", "tfjs-wasm", "torch-linear", "torch-conv1d"];

/** Layer widths of the MLP every target trains: 784 inputs, two hidden layers of 512, 10 classes. */
export const PEERS_MLP_HIDDEN: readonly number[] = [512, 512];

/** Python interpreter of the PyTorch targets: Debian's, the one `apt-get install python3-torch` installs into. */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** Options of `runPeersSuite`. Every field is optional. */
export interface PeersSuiteOptions {
  /** Smoke-test settings: 2,000 training samples, 1,000 test samples, 1 epoch, 3 timed repeats. Default false. */
  readonly quick?: boolean;
  /** Targets to run; `cpu` is always added first. Default `DEFAULT_PEER_TARGETS`. */
  readonly targets?: readonly PeerTarget[];
  /** Samples per training step. Default 128. */
  readonly batchSize?: number;
  /** Epochs of the accuracy run. Default 3, or 1 with `quick`. */
  readonly epochs?: number;
  /** Train on the first n training samples. Default all, or 2,000 with `quick`. */
  readonly limitTrain?: number;
  /** Evaluate on the first n test samples. Default all, or 1,000 with `quick`. */
  readonly limitTest?: number;
  /** Adam learning rate. Default 0.001. */
  readonly lr?: number;
  /** Seed of the initial weights and of the sample order. Default 1. */
  readonly seed?: number;
  /** Untimed steps before the timed repeats. Default 2, or 1 with `quick`. */
  readonly warmup?: number;
  /** Timed repeats of the step; the report gives their median. Default 5, or 3 with `quick`. */
  readonly repeats?: number;
  /** Minimum duration of one timed repeat, in milliseconds. Default 200, or 100 with `quick`. */
  readonly minRepeatMs?: number;
  /** Python interpreter of the PyTorch targets. Default `DEFAULT_PYTHON`. */
  readonly python?: string;
}

/** Options with every default filled in. `limitTrain`/`limitTest` stay undefined for "all". */
export interface ResolvedPeersSuiteOptions {
  readonly quick: boolean;
  readonly targets: readonly PeerTarget[];
  readonly batchSize: number;
  readonly epochs: number;
  readonly limitTrain: number | undefined;
  readonly limitTest: number | undefined;
  readonly lr: number;
  readonly seed: number;
  readonly warmup: number;
  readonly repeats: number;
  readonly minRepeatMs: number;
  readonly python: string;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchConfigError(`${name} ${value} is invalid: expected an integer from ${min} to ${max}.`);
  }
  return value;
}

function checkTargets(targets: readonly string[]): PeerTarget[] {
  const seen = new Set<string>();
  for (const target of targets) {
    if (!(PEER_TARGETS as readonly string[]).includes(target)) {
      throw new BenchConfigError(`Unknown peers target "${target}". Valid targets: ${PEER_TARGETS.join(", ")}.`);
    }
    if (seen.has(target)) throw new BenchConfigError(`Target "${target}" is listed twice; list each target once.`);
    seen.add(target);
  }
  // Every ratio is taken against `cpu`, so it always runs, first.
  return [PEERS_BASELINE, ...(targets as PeerTarget[]).filter((target) => target !== PEERS_BASELINE)];
}

/** Fill in defaults and validate every option. Throws `BenchConfigError` naming the first invalid value. */
export function resolvePeersSuiteOptions(options: PeersSuiteOptions = {}): ResolvedPeersSuiteOptions {
  const quick = options.quick === true;
  const lr = options.lr ?? 0.001;
  if (!Number.isFinite(lr) || lr <= 0) throw new BenchConfigError(`Learning rate ${lr} is invalid: expected a number above 0.`);
  const python = options.python ?? DEFAULT_PYTHON;
  if (python.trim() === "") throw new BenchConfigError("python is empty: expected the path of a Python 3 interpreter, e.g. /usr/bin/python3.");

  const limitTrain = options.limitTrain ?? (quick ? 2_000 : undefined);
  const limitTest = options.limitTest ?? (quick ? 1_000 : undefined);
  return {
    quick,
    targets: checkTargets(options.targets ?? DEFAULT_PEER_TARGETS),
    batchSize: checkInteger("batchSize", options.batchSize ?? 128, 1, 65_536),
    epochs: checkInteger("epochs", options.epochs ?? (quick ? 1 : 3), 1, 1000),
    limitTrain: limitTrain === undefined ? undefined : checkInteger("limitTrain", limitTrain, 1, 2 ** 31 - 1),
    limitTest: limitTest === undefined ? undefined : checkInteger("limitTest", limitTest, 1, 2 ** 31 - 1),
    lr,
    seed: checkInteger("seed", options.seed ?? 1, 0, 0xffffffff),
    warmup: checkInteger("warmup", options.warmup ?? (quick ? 1 : 2), 1, 1000),
    repeats: checkInteger("repeats", options.repeats ?? (quick ? 3 : 5), 1, 1000),
    minRepeatMs: checkInteger("minRepeatMs", options.minRepeatMs ?? (quick ? 100 : 200), 0, 600_000),
    python,
  };
}
