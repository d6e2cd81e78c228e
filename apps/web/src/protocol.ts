/** Messages between the page and the Web Worker that trains one run. */
import type { TrainingEvent } from "@modular/nn";

/** Settings of one training run. */
export interface RunConfig {
  readonly runId: number;
  readonly scheme: string;
  readonly model: string;
  readonly backend: "webgpu" | "cpu";
  /** Epochs of each phase. */
  readonly epochs: number;
  /** Training samples drawn from the 8,004 of the embedded MNIST; the test set is always all 1,996. */
  readonly trainSamples: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

export type ToTrainingWorker = { readonly type: "train"; readonly config: RunConfig };

/** A file of the trained checkpoint. */
export interface CheckpointFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type FromTrainingWorker =
  | { readonly type: "backend"; readonly runId: number; readonly name: string; readonly adapter: string }
  | { readonly type: "event"; readonly runId: number; readonly event: TrainingEvent }
  /** Test accuracy after an epoch: `epochsDone` counts the epochs of every phase so far, 0 before training. */
  | { readonly type: "accuracy"; readonly runId: number; readonly epochsDone: number; readonly label: string; readonly accuracy: number }
  | {
      readonly type: "done";
      readonly runId: number;
      readonly testAccuracy: number;
      readonly seconds: number;
      readonly checkpoint: readonly CheckpointFile[];
    }
  | { readonly type: "failed"; readonly runId: number; readonly message: string };

/** The message a module worker of asynchronous DGL posts once its script has loaded. */
export const MODULE_WORKER_READY = "modular-web:module-worker-ready";
