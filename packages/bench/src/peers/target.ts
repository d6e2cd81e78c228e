/**
 * The contract of an in-process target of the peers suite: a timed
 * training step on a fixed batch, and a training run whose test accuracy
 * the report compares.
 */
import type { Workload } from "../workload.js";
import type { PeersJob } from "./job.js";

/** Test accuracy and training time of one training run. */
export interface TrainingOutcome {
  /** Test accuracy in [0, 1] after the last epoch. */
  readonly accuracy: number;
  /** Time spent in training steps over all epochs, in seconds; evaluation excluded. */
  readonly trainSeconds: number;
}

/** One library on one backend, running the peers job in this process. */
export interface InProcessPeer {
  /** Library, version and backend, e.g. "TensorFlow.js 4.22.0, wasm backend". */
  readonly library: string;
  /** Threads of the backend's arithmetic on the CPU; undefined for a GPU backend. */
  readonly threads: number | undefined;
  /** A training step on the first batch of epoch 1, from the job's initial weights. */
  stepWorkload(job: PeersJob): Workload;
  /** Train from the job's initial weights for the job's epochs and evaluate on its test split. */
  train(job: PeersJob): Promise<TrainingOutcome>;
  /** Free what the target created and restore the previous backend. */
  dispose(): Promise<void>;
}
