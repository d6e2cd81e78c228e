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
  /** Training samples drawn at random from the training set, or "all". The test set is always used whole. */
  readonly trainSamples: number | "all";
  /** The four IDX files the user picked, or undefined for the embedded MNIST. */
  readonly idxFiles?: IdxFiles;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
}

/** The four files of an MNIST-format dataset, such as Fashion-MNIST, raw or gzip-compressed. */
export interface IdxFiles {
  readonly trainImages: File;
  readonly trainLabels: File;
  readonly testImages: File;
  readonly testLabels: File;
}

/** File names of each role in an MNIST-format dataset, without the optional `.gz` suffix. */
export const IDX_FILE_NAMES: Readonly<Record<keyof IdxFiles, string>> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

export type ToTrainingWorker = { readonly type: "train"; readonly config: RunConfig };

/** A file of the trained checkpoint. */
export interface CheckpointFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type FromTrainingWorker =
  | { readonly type: "backend"; readonly runId: number; readonly name: string; readonly adapter: string }
  | { readonly type: "data"; readonly runId: number; readonly name: string; readonly trainSamples: number; readonly testSamples: number }
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
