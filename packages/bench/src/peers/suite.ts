/**
 * The peers suite: the same `mlp` 784-512-512-10 trained end to end by our
 * backends and by peer libraries on the same data, from the same initial
 * weights and in the same sample order. For each target it reports the
 * samples/s of one training step and the test accuracy after a short
 * training, and the ratio of each peer's figures to our `cpu` backend's.
 * TensorFlow.js runs in this process; PyTorch runs as a child process.
 */
import type { DatasetSplit } from "@modular/datasets";
import { measure, type Timing } from "../timing.js";
import { createPeersJob, type PeersJob } from "./job.js";
import { createModularPeer } from "./modular-peer.js";
import { PEERS_BASELINE, type PeerTarget, type PeersSuiteOptions, type ResolvedPeersSuiteOptions, resolvePeersSuiteOptions } from "./options.js";
import type { InProcessPeer } from "./target.js";
import { createTfjsPeer } from "./tfjs-peer.js";
import { checkTorch, runTorch, type TorchRun, type TorchUnavailable, type TorchVariant } from "./torch-peer.js";

/** A target that ran: its step throughput and its accuracy after training. */
export interface PeerMeasured {
  readonly target: PeerTarget;
  readonly status: "measured";
  /** Library, version and backend. */
  readonly library: string;
  /** Threads of the arithmetic on the CPU; absent for a GPU backend. */
  readonly threads?: number;
  /** Timing of one training step on the first batch of epoch 1. */
  readonly timing: Timing;
  /** Samples per second of that step: batch size over the median step time. */
  readonly samplesPerSecond: number;
  /** Test accuracy in [0, 1] after training for the job's epochs. */
  readonly accuracy: number;
  /** Time of the training steps of the accuracy run, in seconds. */
  readonly trainSeconds: number;
}

/** A target that could not run here, with the reason and the command that fixes it. */
export interface PeerUnavailable {
  readonly target: PeerTarget;
  readonly status: "unavailable";
  readonly reason: string;
  readonly fix: string;
}

export type PeerResult = PeerMeasured | PeerUnavailable;

/** A measured target's figures divided by our `cpu` backend's. */
export interface PeerRatio {
  readonly target: PeerTarget;
  /** Samples/s of the target's step over ours. */
  readonly samplesPerSecond: number;
  /** Test accuracy of the target over ours. */
  readonly accuracy: number;
  /** Test accuracy of the target minus ours, in percentage points. */
  readonly accuracyPoints: number;
}

export interface PeersSuiteReport {
  readonly suite: "peers";
  /** ISO 8601 time at which the suite started. */
  readonly startedAt: string;
  readonly options: ResolvedPeersSuiteOptions;
  /** Dataset name and the sizes of the splits the targets trained and were evaluated on. */
  readonly dataset: { readonly name: string; readonly trainSamples: number; readonly testSamples: number };
  readonly widths: readonly number[];
  /** 1-minute load average of the machine when the suite started and ended, where the runtime reports one. */
  readonly loadAverage?: { readonly start: number; readonly end: number };
  /** PyTorch's version, threads and oneDNN availability, when a PyTorch target ran. */
  readonly torch?: TorchRun["environment"];
  readonly results: readonly PeerResult[];
  /** Ratios to `cpu` of every other measured target. */
  readonly ratios: readonly PeerRatio[];
}

export interface PeersSuiteHooks {
  /** Called when a target starts, before its timing. */
  readonly onStart?: (target: PeerTarget) => void;
  /** Called with each target's result. */
  readonly onResult?: (result: PeerResult) => void;
  /**
   * Creates an in-process target. Default: ours for `cpu`/`webgpu`,
   * TensorFlow.js for `tfjs-*`. The `node` entry installs Dawn's
   * `navigator.gpu` before `webgpu` runs.
   */
  readonly createPeer?: (target: "cpu" | "webgpu" | "tfjs-cpu" | "tfjs-wasm") => Promise<InProcessPeer>;
  /** Returns the machine's 1-minute load average, recorded at the start and the end. Default: none recorded. */
  readonly loadAverage?: () => number;
}

const TORCH_VARIANTS: Readonly<Partial<Record<PeerTarget, TorchVariant>>> = { "torch-linear": "linear", "torch-conv1d": "conv1d" };

function defaultCreatePeer(target: "cpu" | "webgpu" | "tfjs-cpu" | "tfjs-wasm"): Promise<InProcessPeer> {
  return target === "cpu" || target === "webgpu" ? createModularPeer(target) : createTfjsPeer(target);
}

function throughput(batchSize: number, timing: Timing): number {
  return (batchSize * 1000) / timing.medianMs;
}

async function runInProcess(
  target: "cpu" | "webgpu" | "tfjs-cpu" | "tfjs-wasm",
  job: PeersJob,
  options: ResolvedPeersSuiteOptions,
  hooks: PeersSuiteHooks,
): Promise<PeerMeasured> {
  const peer = await (hooks.createPeer ?? defaultCreatePeer)(target);
  try {
    const workload = peer.stepWorkload(job);
    let timing: Timing;
    try {
      timing = await measure(workload, options);
    } finally {
      workload.dispose();
    }
    const outcome = await peer.train(job);
    return {
      target,
      status: "measured",
      library: peer.library,
      ...(peer.threads === undefined ? {} : { threads: peer.threads }),
      timing,
      samplesPerSecond: throughput(job.batchSize, timing),
      ...outcome,
    };
  } finally {
    await peer.dispose();
  }
}

/** Run every requested PyTorch variant in one child process, or report them all unavailable. */
async function runTorchTargets(
  targets: readonly PeerTarget[],
  job: PeersJob,
  options: ResolvedPeersSuiteOptions,
): Promise<{ results: PeerResult[]; environment?: TorchRun["environment"] }> {
  const unavailable: TorchUnavailable | undefined = await checkTorch(options.python);
  if (unavailable !== undefined) {
    return { results: targets.map((target) => ({ target, status: "unavailable", ...unavailable })) };
  }
  const variants = targets.map((target) => TORCH_VARIANTS[target]!);
  const run = await runTorch(options.python, job, variants, options);
  const results = targets.map((target): PeerMeasured => {
    const measured = run.results.find((result) => result.variant === TORCH_VARIANTS[target]);
    if (measured === undefined) throw new Error(`The PyTorch peer returned no result for variant "${TORCH_VARIANTS[target]}".`);
    const layers = measured.variant === "linear" ? "nn.Linear (reference BLAS in Debian's build)" : "1-wide conv1d (oneDNN)";
    return {
      target,
      status: "measured",
      library: `PyTorch ${run.environment.torch} (Debian python3-torch), ${layers}`,
      threads: run.environment.threads,
      timing: measured.timing,
      samplesPerSecond: throughput(job.batchSize, measured.timing),
      accuracy: measured.accuracy,
      trainSeconds: measured.trainSeconds,
    };
  });
  return { results, environment: run.environment };
}

/** Divide each measured target's figures by those of `cpu`. */
export function computePeerRatios(results: readonly PeerResult[]): PeerRatio[] {
  const ours = results.find((result): result is PeerMeasured => result.target === PEERS_BASELINE && result.status === "measured");
  if (ours === undefined) return [];
  return results
    .filter((result): result is PeerMeasured => result.status === "measured" && result.target !== PEERS_BASELINE)
    .map((result) => ({
      target: result.target,
      samplesPerSecond: result.samplesPerSecond / ours.samplesPerSecond,
      accuracy: result.accuracy / ours.accuracy,
      accuracyPoints: (result.accuracy - ours.accuracy) * 100,
    }));
}

/**
 * Run the peers suite on `data` (named `datasetName` in the report). Targets
 * run one after another: timing first, then the accuracy run. Throws
 * `BenchConfigError` for invalid options; a PyTorch target without
 * python3-torch is reported as unavailable, with the install command.
 */
export async function runPeersSuite(
  data: DatasetSplit,
  datasetName: string,
  options: PeersSuiteOptions = {},
  hooks: PeersSuiteHooks = {},
): Promise<PeersSuiteReport> {
  const resolved = resolvePeersSuiteOptions(options);
  const startedAt = new Date().toISOString();
  const loadAtStart = hooks.loadAverage?.();
  const job = await createPeersJob(data, resolved);

  const results: PeerResult[] = [];
  let torch: TorchRun["environment"] | undefined;
  const torchTargets = resolved.targets.filter((target) => TORCH_VARIANTS[target] !== undefined);
  for (const target of resolved.targets) {
    if (TORCH_VARIANTS[target] !== undefined) {
      // Every PyTorch variant runs in one child process, at the first one's place in the order.
      if (target !== torchTargets[0]) continue;
      for (const torchTarget of torchTargets) hooks.onStart?.(torchTarget);
      const run = await runTorchTargets(torchTargets, job, resolved);
      torch = run.environment;
      for (const result of run.results) {
        results.push(result);
        hooks.onResult?.(result);
      }
      continue;
    }
    hooks.onStart?.(target);
    const result = await runInProcess(target as "cpu" | "webgpu" | "tfjs-cpu" | "tfjs-wasm", job, resolved, hooks);
    results.push(result);
    hooks.onResult?.(result);
  }

  return {
    suite: "peers",
    startedAt,
    options: resolved,
    dataset: { name: datasetName, trainSamples: job.train.size, testSamples: job.test.size },
    widths: job.widths,
    ...(loadAtStart === undefined ? {} : { loadAverage: { start: loadAtStart, end: hooks.loadAverage!() } }),
    ...(torch === undefined ? {} : { torch }),
    results,
    ratios: computePeerRatios(results),
  };
}
