/**
 * The `TrainingMethod` contract that every scheme implements, E2EBP included.
 *
 * A method turns training modules into phases. A phase is a stretch of
 * training with a fixed set of trainable modules. Sequential proxy training
 * has one phase per module, and end-to-end backprop has one phase whose
 * step updates every module. The runner owns epochs, batching, evaluation,
 * logging and the non-finite-loss check.
 */
import type { Tensor } from "@modular/tensor";
import type { Module } from "./module.js";
import type { Optimizer, OptimizerSpec } from "./optim.js";

/** A mini-batch with class labels: inputs `x` [B, ...sampleShape] float32 and labels `y` [B] int32. */
export interface LabelledBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly pairs?: undefined;
}

/**
 * A mini-batch with pair labels only: inputs `x` [B, ...sampleShape] float32
 * and `pairs` [B, B] float32, 1 where samples i and j share a class and 0
 * otherwise. It carries no class ids: the pairs reveal which samples of the
 * batch share a class, never which class that is.
 */
export interface PairBatch {
  readonly x: Tensor;
  readonly pairs: Tensor;
  readonly y?: undefined;
}

/**
 * One mini-batch. A step reads its labels through `classLabels` (which
 * rejects a `PairBatch`) or `pairLabels` (which accepts both kinds).
 */
export type Batch = LabelledBatch | PairBatch;

/**
 * The labels a source yields or a phase reads: "classes" (class ids, from
 * which pair labels follow) or "pairs" (the pair labels 1{yᵢ = yⱼ} only).
 */
export type LabelKind = "classes" | "pairs";

/** Metrics of one phase step. The tensors stay on the device, and the runner reads them at logging intervals. */
export interface StepMetrics {
  /** Scalar losses by the name of what they train, e.g. { "module 1/2": loss }. */
  readonly losses: Readonly<Record<string, Tensor>>;
  /**
   * Losses already read to the host, several per name when other threads
   * finished several steps since the previous call. The runner counts each
   * value as one step's loss. A phase that trains in workers reports here.
   */
  readonly lossValues?: Readonly<Record<string, readonly number[]>>;
}

/** Report of a phase after an epoch (see `Phase.epochEnd`). */
export interface EpochReport {
  /** Losses of steps that finished after the epoch's last `step` call, as in `StepMetrics.lossValues`. */
  readonly lossValues?: Readonly<Record<string, readonly number[]>>;
  /** Numbers for the epoch-end event's `stats`, e.g. the staleness of inputs. */
  readonly stats?: Readonly<Record<string, number>>;
  /**
   * Peak tensor bytes of each worker thread the phase trains in, by worker
   * name, e.g. "module 2/4". The main thread's `peakMemory` does not see
   * tensors in other threads, so a memory report adds these.
   */
  readonly workerPeakBytes?: Readonly<Record<string, number>>;
}

/** A source of batches, such as a `Dataset` from `@modular/datasets`. */
export interface BatchSource {
  /** Number of samples. */
  readonly size: number;
  /** Number of classes of the labels. */
  readonly classes: number;
  /** Labels of its batches: "classes" (`LabelledBatch`, the default) or "pairs" (`PairBatch`). */
  readonly labelKind?: LabelKind;
  /** Shape of one sample, e.g. [1, 28, 28], if the source has one fixed shape. */
  readonly sampleShape?: readonly number[];
  /** Batches of one epoch; with `shuffle`, the order depends only on (seed, epoch). */
  batches(options: BatchOptions): Iterable<Batch>;
  /**
   * The same batches as `batches`, each prepared while the consumer awaits
   * the previous step's work. The runner prefers this when a source has it.
   */
  prefetchBatches?(options: BatchOptions): AsyncIterable<Batch>;
}

/** Options of `BatchSource.batches`: the batch size and the seeded shuffle of one epoch. */
export interface BatchOptions {
  readonly batchSize: number;
  readonly shuffle?: boolean;
  readonly seed?: number;
  readonly epoch?: number;
}

/** Run settings a method plans with. */
export interface TrainingContext {
  /** Epochs of each phase, unless a method option overrides it. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Number of classes of the task. */
  readonly classes: number;
  /** Labels of the training batches: "pairs" when the hidden phases must learn from pair labels alone. Default "classes". */
  readonly labelKind?: LabelKind;
  /**
   * Number of samples of the run's labelled subset (`TrainOptions.labelled`),
   * on which phases with `data: "labelled"` train. Undefined when the run
   * has none, because those phases then train on the training data.
   */
  readonly labelledSamples?: number;
  /** Shape of one input sample, when the training source reports it. Methods size auxiliary heads from it. */
  readonly sampleShape?: readonly number[];
  /** The optimizer spec chosen by the user (kind and learning rate). */
  readonly optimizer: OptimizerSpec;
  /** A new optimizer of the user's kind and learning rate. */
  createOptimizer(): Optimizer;
  /**
   * Bound on the global L2 norm of each step's gradients, or undefined for no
   * clipping. Methods pass their gradients through `clipGradNorm` with it.
   */
  readonly maxGradNorm?: number;
}

export interface Phase {
  /** Shown in progress output, e.g. "module 1/2: kernel proxy loss". */
  readonly label: string;
  readonly epochs: number;
  /**
   * Labels that `step` reads: "classes" (the default) or "pairs". The runner
   * rejects, before training starts, a phase that reads "classes" from a
   * source of pair labels only.
   */
  readonly labelKind?: LabelKind;
  /**
   * Data the phase trains on: "train" (the default) or "labelled", the run's
   * labelled subset when it has one (`TrainOptions.labelled`) and the
   * training data otherwise. An output layer fitted from k labelled examples
   * per class uses "labelled".
   */
  readonly data?: "train" | "labelled";
  /** Modules whose parameters this phase updates. */
  readonly trainable: readonly Module[];
  /**
   * Auxiliary modules of the method that this phase uses, such as local
   * classifier heads: counted in the run's parameters, and dropped at
   * inference. The phase disposes them in `end`.
   */
  readonly auxiliary?: readonly Module[];
  /** One optimisation step. Runs inside a `tidy` scope owned by the runner. */
  step(batch: Batch): StepMetrics;
  /** Called once before the first step (set train/eval modes of frozen modules here). */
  begin?(): void;
  /** Called once after the last step (dispose optimizer state here). */
  end?(): void;
  /**
   * Called after `begin` when a run resumes inside this phase, with the
   * number of steps the phase ran before the checkpoint. A phase that keys
   * random draws or intervals by its own step counter sets the counter here,
   * so the resumed run repeats the draws of the uninterrupted one.
   */
  resumeAt?(steps: number): void;
  /**
   * Called after the last step of each epoch, before evaluation and the
   * checkpoint. A phase that trains in other threads waits for them here and
   * copies the trained tensors back into its modules.
   */
  epochEnd?(): Promise<EpochReport | void>;
  /**
   * The optimizers this phase steps. The runner sets their learning rates
   * from a schedule and saves and restores their state in checkpoints. A
   * phase without this field can train, but not with a schedule or
   * checkpoints. A phase without optimizer state sets it to [].
   */
  readonly optimizers?: readonly Optimizer[];
}

export interface TrainingMethod {
  /** The name users type, as in the literature: "backprop", "proxy/kernel", "targetprop/dtp". */
  readonly name: string;
  plan(modules: readonly Module[], context: TrainingContext): Phase[];
}
