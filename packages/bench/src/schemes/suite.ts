/**
 * The schemes suite: every registered training scheme and `backprop` on the
 * same models, data, epochs and seeds. Each run records test accuracy after
 * every epoch, wall and training time, samples per second, and the peak
 * tensor and JS heap bytes of the run and of each training phase. The
 * training itself is `train` of `@modular/nn`; the suite only composes and
 * measures.
 */
import type { Dataset, DatasetSplit } from "@modular/datasets";
import { cnn, type Model, type Module, mlp, split, type TrainingEvent, type TrainingMethod, train, vgg } from "@modular/nn";
import { peakMemory, resetPeakMemory } from "@modular/tensor";
import { BenchConfigError } from "../errors.js";
import {
  FULL_SEEDS,
  FULL_WORKLOADS,
  QUICK_SEEDS,
  QUICK_WORKLOADS,
  type SchemeDatasetName,
  type SchemeWorkload,
  selectWorkloads,
} from "./workloads.js";

/** A scheme the suite can train: a method and how it cuts a model into training modules. */
export interface SchemeEntry {
  /** Registered name, e.g. "proxy/kernel"; the baseline is "backprop". */
  readonly name: string;
  create(): TrainingMethod;
  split(model: Model): Module[];
  /**
   * Model kinds the scheme can train, e.g. ["mlp"] for a scheme whose updates
   * need a dense chain. The suite records the workloads of other models as
   * not run (`SchemesSuiteReport.notRun`). Default: every model.
   */
  readonly models?: readonly string[];
}

/** Inputs from the suite's caller: the schemes and the data loader. */
export interface SchemesEnvironment {
  /** Every scheme to measure; one of them must be named "backprop". */
  readonly schemes: readonly SchemeEntry[];
  /** Load a dataset, e.g. the embedded MNIST or Fashion-MNIST from disk. */
  loadDataset(name: SchemeDatasetName): Promise<DatasetSplit>;
  /** Bytes of JS heap in use now. Default: `process.memoryUsage().heapUsed` where it exists, else 0. */
  readonly heapUsed?: () => number;
}

export interface SchemesSuiteOptions {
  /** Smoke-test settings: small slices, one seed. Default false. */
  readonly quick?: boolean;
  /** Workload ids to run, in order. Default: all of the chosen settings. */
  readonly workloads?: readonly string[];
  /** Scheme names to run. `backprop` is added unless `baseline` is false, because every row is read against it. Default: all. */
  readonly schemes?: readonly string[];
  /**
   * Add `backprop` to the schemes. False for a part of a suite split by
   * scheme whose `backprop` runs come from another part (see
   * `mergeSchemesReports`). Default true.
   */
  readonly baseline?: boolean;
  /** Seeds; each seeds the weights and the shuffles of one run. Default [1, 2, 3], or [1] with `quick`. */
  readonly seeds?: readonly number[];
  /** Default 128. */
  readonly batchSize?: number;
  /** Adam learning rate. Default 0.001. */
  readonly lr?: number;
}

export interface SchemesSuiteHooks {
  /** Called before each run starts. */
  readonly onRunStart?: (workload: SchemeWorkload, scheme: string, seed: number) => void;
  /** Called with every training event of the run. */
  readonly onEvent?: (workload: SchemeWorkload, scheme: string, seed: number, event: TrainingEvent) => void;
  /** Called with each finished run. */
  readonly onRun?: (run: SchemeRun) => void;
}

/** Memory and time of one training phase (one training module, for the greedy schemes). */
export interface PhaseRecord {
  readonly label: string;
  readonly seconds: number;
  /** Most tensor bytes live at once during the phase's training steps (evaluations excluded). */
  readonly peakTensorBytes: number;
  /** Largest JS heap in use seen at the phase's logging intervals; 0 for a worker, whose heap is not sampled. */
  readonly peakHeapBytes: number;
  /** Set for the record of one worker thread of a phase (see `PeakRecorder`). */
  readonly worker?: boolean;
}

/** Test accuracy after one epoch of one phase. */
export interface CurvePoint {
  readonly phase: number;
  readonly epoch: number;
  /** Epochs trained so far, over all phases. */
  readonly epochsSoFar: number;
  readonly accuracy: number;
}

export interface SchemeRun {
  readonly workload: string;
  readonly scheme: string;
  readonly seed: number;
  /** Classes of the workload's dataset, for the chance level. */
  readonly classes: number;
  /** Final test accuracy in [0, 1]. */
  readonly accuracy: number;
  /** Wall time of `train`, per-epoch evaluations included. */
  readonly wallSeconds: number;
  /** Sum of the epochs' training time, evaluations excluded. */
  readonly trainSeconds: number;
  /** Training samples processed (every phase's samples times its epochs) per training second. */
  readonly samplesPerSecond: number;
  /** Most tensor bytes live at once: the largest phase peak, and for a phase trained in worker threads, the sum of the main thread's and the workers' peaks. */
  readonly peakTensorBytes: number;
  readonly peakHeapBytes: number;
  readonly phases: readonly PhaseRecord[];
  readonly curve: readonly CurvePoint[];
}

/** The runs of one scheme on one workload, over the seeds. */
export interface SchemeSummary {
  readonly workload: string;
  readonly scheme: string;
  readonly seeds: readonly number[];
  readonly accuracyMean: number;
  /** Sample standard deviation over the seeds; 0 with one seed. */
  readonly accuracySd: number;
  /** Mean accuracy minus `backprop`'s mean over the same seeds, in percentage points; NaN when `backprop` lacks one of them. */
  readonly pointsAgainstBackprop: number;
  readonly wallSecondsMean: number;
  readonly samplesPerSecondMean: number;
  /** Largest peak over the seeds. */
  readonly peakTensorBytes: number;
  readonly peakHeapBytes: number;
  /** Largest peak of each phase over the seeds, by phase label. */
  readonly phases: readonly PhaseRecord[];
  /** True when the mean accuracy is not clearly above chance (see `clearlyAboveChance`). */
  readonly failsChance: boolean;
}

/** A scheme the suite did not run on a workload: it cannot train the workload's model, or the workload leaves it off (`SchemeWorkload.skip`). */
export interface NotRunScheme {
  readonly workload: string;
  readonly scheme: string;
  /** Why, as a sentence fragment, e.g. "trains `mlp` models only". */
  readonly reason: string;
}

/** The run of `modular bench schemes` that produced some of a report's runs. */
export interface SchemesRunSource {
  /** The command line, e.g. "pnpm modular bench schemes --workloads mnist-mlp --seeds 1". */
  readonly command: string;
  /** One line on the machine: CPU, cores, memory, OS, runtime version. */
  readonly machine: string;
  /** ISO 8601 time at which that run started. */
  readonly startedAt: string;
}

export interface SchemesSuiteReport {
  readonly suite: "schemes";
  /** ISO 8601 time at which the suite started. */
  readonly startedAt: string;
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly batchSize: number;
  readonly lr: number;
  readonly workloads: readonly SchemeWorkload[];
  readonly runs: readonly SchemeRun[];
  readonly summaries: readonly SchemeSummary[];
  /** Schemes left off a workload, with the reason; absent when none were. */
  readonly notRun?: readonly NotRunScheme[];
  /** Set when the report merges several runs of the suite (see `mergeSchemesReports`): where each part came from. */
  readonly sources?: readonly SchemesRunSource[];
}

/**
 * The bar a scheme must clear: twice the accuracy of guessing, 0.2 for 10
 * classes. A scheme below it learned nothing useful, and the suite reports
 * it as a failure.
 */
export function clearlyAboveChance(accuracy: number, classes: number): boolean {
  return accuracy >= 2 / classes;
}

function defaultHeapUsed(): number {
  const processObject = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number } } }).process;
  return processObject?.memoryUsage?.().heapUsed ?? 0;
}

/** Build the default models of `modular train`: `mlp` 256-128, the small `cnn` and VGG-8B. */
function buildModel(workload: SchemeWorkload, data: Dataset, seed: number): Model {
  const inputShape = [...data.sampleShape];
  const classes = data.classes;
  if (workload.model === "mlp") return mlp({ kind: "mlp", inputShape, hidden: [256, 128], classes }, seed);
  if (workload.model === "vgg") return vgg({ kind: "vgg", inputShape, classes, widthMultiplier: workload.width ?? 1 }, seed);
  return cnn({ kind: "cnn", inputShape, classes }, seed);
}

function firstSamples(dataset: Dataset, limit: number | undefined): Dataset {
  return limit === undefined || limit >= dataset.size ? dataset : dataset.slice(0, limit);
}

/**
 * Recorder of a run's peak memory, fed by its events. Evaluations are left out of
 * the tensor peak. Tensors in worker threads live in their own engines.
 * A method that trains in workers reports each worker's peak at the end of
 * each epoch (`workerPeakBytes`). Each such peak becomes a record of its own, and the phase's
 * total adds them to the main thread's.
 */
class PeakRecorder {
  private phasePeakTensor = 0;
  private phasePeakHeap = 0;
  private phaseLabel = "";
  private workerPeaks = new Map<string, number>();
  readonly phases: PhaseRecord[] = [];
  /** Most tensor bytes live at once over the run, workers included. */
  runPeakTensor = 0;

  constructor(private readonly heapUsed: () => number) {}

  onEvent(event: TrainingEvent): void {
    if (event.event === "phase-start") {
      resetPeakMemory();
      this.phaseLabel = event.label;
      this.phasePeakTensor = 0;
      this.phasePeakHeap = this.heapUsed();
      this.workerPeaks = new Map();
    } else if (event.event === "step") {
      this.sampleHeap();
    } else if (event.event === "epoch-end") {
      this.sampleHeap();
      this.phasePeakTensor = Math.max(this.phasePeakTensor, peakMemory());
      for (const [worker, bytes] of Object.entries(event.workerPeakBytes ?? {})) {
        this.workerPeaks.set(worker, Math.max(this.workerPeaks.get(worker) ?? 0, bytes));
      }
    } else if (event.event === "evaluation") {
      // The peak since epoch-end is the evaluation's own: drop it.
      resetPeakMemory();
    } else if (event.event === "phase-end") {
      this.phases.push({
        label: this.workerPeaks.size === 0 ? this.phaseLabel : `${this.phaseLabel}: main thread`,
        seconds: event.seconds,
        peakTensorBytes: this.phasePeakTensor,
        peakHeapBytes: this.phasePeakHeap,
      });
      let workersTotal = 0;
      for (const [worker, bytes] of this.workerPeaks) {
        this.phases.push({ label: `${worker} worker`, seconds: event.seconds, peakTensorBytes: bytes, peakHeapBytes: 0, worker: true });
        workersTotal += bytes;
      }
      this.runPeakTensor = Math.max(this.runPeakTensor, this.phasePeakTensor + workersTotal);
    }
  }

  private sampleHeap(): void {
    this.phasePeakHeap = Math.max(this.phasePeakHeap, this.heapUsed());
  }
}

async function runOne(
  workload: SchemeWorkload,
  scheme: SchemeEntry,
  seed: number,
  data: DatasetSplit,
  settings: { batchSize: number; lr: number },
  heapUsed: () => number,
  hooks: SchemesSuiteHooks,
): Promise<SchemeRun> {
  const model = buildModel(workload, data.train, seed);
  const peaks = new PeakRecorder(heapUsed);
  const curve: CurvePoint[] = [];
  let trainSeconds = 0;
  let samplesTrained = 0;
  let phaseSamples = 0;
  let epochsSoFar = 0;
  try {
    const result = await train({
      modules: workload.split === undefined ? scheme.split(model) : split(model, workload.split),
      method: scheme.create(),
      train: data.train,
      test: data.test,
      epochs: workload.epochs,
      batchSize: settings.batchSize,
      seed,
      optimizer: { kind: "adam", lr: settings.lr },
      evaluateEachEpoch: true,
      onEvent: (event) => {
        peaks.onEvent(event);
        if (event.event === "phase-start") phaseSamples = event.samples;
        if (event.event === "epoch-end") {
          trainSeconds += event.seconds;
          samplesTrained += phaseSamples;
          epochsSoFar += 1;
        }
        if (event.event === "evaluation" && event.phase !== undefined && event.epoch !== undefined) {
          curve.push({ phase: event.phase, epoch: event.epoch, epochsSoFar, accuracy: event.accuracy });
        }
        hooks.onEvent?.(workload, scheme.name, seed, event);
      },
    });
    return {
      workload: workload.id,
      scheme: scheme.name,
      seed,
      classes: data.train.classes,
      accuracy: result.testAccuracy ?? Number.NaN,
      wallSeconds: result.seconds,
      trainSeconds,
      samplesPerSecond: trainSeconds > 0 ? samplesTrained / trainSeconds : 0,
      peakTensorBytes: peaks.runPeakTensor,
      peakHeapBytes: Math.max(0, ...peaks.phases.map((phase) => phase.peakHeapBytes)),
      phases: peaks.phases,
      curve,
    };
  } finally {
    model.dispose();
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((total, value) => total + (value - m) ** 2, 0) / (values.length - 1));
}

/** Summaries of `runs` per workload and scheme, in the order the runs came. */
export function summarizeRuns(runs: readonly SchemeRun[], memoryOnly: (workload: string) => boolean = () => false): SchemeSummary[] {
  const groups = new Map<string, SchemeRun[]>();
  for (const run of runs) {
    const key = `${run.workload}\u0000${run.scheme}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  // Backprop's accuracy per workload and seed: each scheme is read against backprop on its own seeds.
  const baselines = new Map<string, Map<number, number>>();
  for (const group of groups.values()) {
    if (group[0]!.scheme === "backprop") baselines.set(group[0]!.workload, new Map(group.map((run) => [run.seed, run.accuracy])));
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const accuracies = group.map((run) => run.accuracy);
    const accuracyMean = mean(accuracies);
    const baselineBySeed = baselines.get(first.workload);
    const matching = group.map((run) => baselineBySeed?.get(run.seed));
    const baseline = matching.every((value) => value !== undefined) ? mean(matching as number[]) : undefined;
    const phaseLabels = first.phases.map((phase) => phase.label);
    return {
      workload: first.workload,
      scheme: first.scheme,
      seeds: group.map((run) => run.seed),
      accuracyMean,
      accuracySd: sampleSd(accuracies),
      pointsAgainstBackprop: baseline === undefined ? Number.NaN : (accuracyMean - baseline) * 100,
      wallSecondsMean: mean(group.map((run) => run.wallSeconds)),
      samplesPerSecondMean: mean(group.map((run) => run.samplesPerSecond)),
      peakTensorBytes: Math.max(...group.map((run) => run.peakTensorBytes)),
      peakHeapBytes: Math.max(...group.map((run) => run.peakHeapBytes)),
      phases: phaseLabels.map((label, index) => ({
        label,
        seconds: mean(group.map((run) => run.phases[index]?.seconds ?? 0)),
        peakTensorBytes: Math.max(...group.map((run) => run.phases[index]?.peakTensorBytes ?? 0)),
        peakHeapBytes: Math.max(...group.map((run) => run.phases[index]?.peakHeapBytes ?? 0)),
        ...(first.phases[index]!.worker === true ? { worker: true } : {}),
      })),
      failsChance: !memoryOnly(first.workload) && !clearlyAboveChance(accuracyMean, first.classes),
    };
  });
}

/**
 * Select the schemes to run, `backprop` first. Without `baseline`, `backprop`
 * runs only when named. Throws `BenchConfigError` for an unknown name.
 */
function selectSchemes(available: readonly SchemeEntry[], names: readonly string[] | undefined, baseline: boolean): SchemeEntry[] {
  const backprop = available.find((scheme) => scheme.name === "backprop");
  if (backprop === undefined) throw new BenchConfigError('The schemes suite needs a scheme named "backprop" to compare against.');
  const requested = names ?? available.map((scheme) => scheme.name);
  const chosen = requested.map((name) => {
    const found = available.find((scheme) => scheme.name === name);
    if (found === undefined) {
      throw new BenchConfigError(`Unknown scheme "${name}". Valid schemes: ${available.map((s) => s.name).join(", ")}.`);
    }
    return found;
  });
  const others = chosen.filter((scheme) => scheme !== backprop);
  return baseline || chosen.includes(backprop) ? [backprop, ...others] : others;
}

/** Run every chosen scheme on every chosen workload and seed, one run at a time. */
export async function runSchemesSuite(
  environment: SchemesEnvironment,
  options: SchemesSuiteOptions = {},
  hooks: SchemesSuiteHooks = {},
): Promise<SchemesSuiteReport> {
  const quick = options.quick === true;
  const workloads = selectWorkloads(quick ? QUICK_WORKLOADS : FULL_WORKLOADS, options.workloads);
  const schemes = selectSchemes(environment.schemes, options.schemes, options.baseline ?? true);
  const seeds = options.seeds ?? (quick ? QUICK_SEEDS : FULL_SEEDS);
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed) || seed < 0)) {
    throw new BenchConfigError(`Seeds [${seeds.join(", ")}] are invalid; give one or more integers >= 0.`);
  }
  const settings = { batchSize: options.batchSize ?? 128, lr: options.lr ?? 0.001 };
  const heapUsed = environment.heapUsed ?? defaultHeapUsed;
  const startedAt = new Date().toISOString();

  const runs: SchemeRun[] = [];
  const notRun: NotRunScheme[] = [];
  for (const workload of workloads) {
    const chosen = schemes.filter((scheme) => scheme.name === "backprop" || (workload.schemes?.includes(scheme.name) ?? true));
    const onWorkload = chosen.filter(
      (scheme) => (scheme.models === undefined || scheme.models.includes(workload.model)) && !(workload.skip?.schemes.includes(scheme.name) ?? false),
    );
    for (const scheme of chosen) {
      if (onWorkload.includes(scheme)) continue;
      const skipped = workload.skip?.schemes.includes(scheme.name) ?? false;
      const models = (scheme.models ?? []).map((model) => `\`${model}\``).join(", ");
      notRun.push({ workload: workload.id, scheme: scheme.name, reason: skipped ? workload.skip!.reason : `trains ${models} models only` });
    }
    if (onWorkload.length === 0) continue;
    const loaded = await environment.loadDataset(workload.dataset);
    const data = { train: firstSamples(loaded.train, workload.limitTrain), test: firstSamples(loaded.test, workload.limitTest) };
    for (const scheme of onWorkload) {
      for (const seed of workload.seeds ?? seeds) {
        hooks.onRunStart?.(workload, scheme.name, seed);
        const run = await runOne(workload, scheme, seed, data, settings, heapUsed, hooks);
        runs.push(run);
        hooks.onRun?.(run);
      }
    }
  }
  return {
    suite: "schemes",
    startedAt,
    quick,
    seeds,
    batchSize: settings.batchSize,
    lr: settings.lr,
    workloads,
    runs,
    summaries: summarizeRuns(runs, (id) => workloads.find((workload) => workload.id === id)?.memoryOnly === true),
    ...(notRun.length > 0 ? { notRun } : {}),
  };
}
