/**
 * The contract between the train command and its two output modes: the
 * human-readable progress display and `--json`.
 */
import type { TrainingEvent } from "@modular/nn";
import type { OptimizerSpec } from "@modular/nn";

/** A writable text stream: `process.stdout`, or a capture in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True when the stream is a terminal, so progress bars can redraw in place. */
  readonly isTTY?: boolean;
  /** Terminal width in characters, when known. */
  readonly columns?: number;
}

/** The labels of a run: full, or pair labels plus a seeded k-shot subset for the output layer. */
export type RunLabels =
  | { readonly kind: "full" }
  | {
      readonly kind: "pairwise";
      /** Labelled examples per class. */
      readonly shots: number;
      /** Indices in the training split (after --limit-train) of the labelled examples, ordered by class. */
      readonly indices: readonly number[];
    };

/** Settings of a run that the CLI fixes before the runner starts it. */
export interface RunDescription {
  readonly method: string;
  readonly model: string;
  /** The model in a few words, e.g. "mlp 784-256-128-10". */
  readonly modelSummary: string;
  /** The `--hidden` widths, or null when the model used its default. */
  readonly hidden: readonly number[] | null;
  readonly dataset: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  readonly seed: number;
  readonly logEvery: number;
  /** The learning-rate schedule in a few words, "constant" without one. */
  readonly schedule: string;
  readonly weightDecay: number;
  readonly maxGradNorm: number | undefined;
  readonly normalize: boolean;
  readonly augment: boolean;
  /** "full", or "pairwise" with the labelled examples the output layer fits on. */
  readonly labels: RunLabels;
  /** The checkpoint folder. */
  readonly checkpointDir: string;
  /** The run directory: config.json, metrics.jsonl and, by default, the checkpoints. */
  readonly runDir: string;
  /** The checkpoint folder the run resumed from, or undefined. */
  readonly resumedFrom: string | undefined;
}

/** Receives the runner's events and draws or prints them. */
export interface Reporter {
  onEvent(event: TrainingEvent): void;
  /** Stops any drawing and releases timers. Called once when the run ends, whether it succeeded or failed. */
  close(): void;
}
