/**
 * Typed progress events emitted by the runner. The CLI draws them; `--json`
 * prints one per line; the bench records them.
 */

export interface RunStartEvent {
  readonly event: "run-start";
  readonly method: string;
  readonly backend: string;
  readonly modules: number;
  /** Parameters of the training modules: the model that inference uses. */
  readonly parameters: number;
  /** Parameters of the method's auxiliary modules (local heads), dropped at inference. */
  readonly auxiliaryParameters: number;
  readonly trainSamples: number;
  /** Labels of the training data: "pairs" when the hidden phases see pair labels only. */
  readonly labelKind: "classes" | "pairs";
  /** Samples of the labelled subset that phases with `data: "labelled"` train on; 0 without one. */
  readonly labelledSamples: number;
  readonly testSamples: number;
  readonly phases: readonly { readonly label: string; readonly epochs: number }[];
  /** Whether the run writes checkpoints: false without the `checkpoint` option, or when the method cannot be checkpointed. */
  readonly checkpoints: boolean;
}

export interface PhaseStartEvent {
  readonly event: "phase-start";
  /** Index of the phase, from 1. */
  readonly phase: number;
  readonly phases: number;
  readonly label: string;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Samples of the data the phase trains on: the training set, or the labelled subset. */
  readonly samples: number;
}

/** Mean losses over the last logging interval. */
export interface StepEvent {
  readonly event: "step";
  readonly phase: number;
  readonly epoch: number;
  /** Step within the phase, from 1. */
  readonly step: number;
  readonly totalSteps: number;
  readonly losses: Readonly<Record<string, number>>;
}

export interface EpochEndEvent {
  readonly event: "epoch-end";
  readonly phase: number;
  readonly epoch: number;
  /** Mean losses over the epoch. */
  readonly losses: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** Numbers the phase reports for the epoch (see `Phase.epochEnd`), such as the staleness of its inputs. */
  readonly stats?: Readonly<Record<string, number>>;
  /** Peak tensor bytes of each worker thread of the phase so far, by worker name (see `EpochReport.workerPeakBytes`). */
  readonly workerPeakBytes?: Readonly<Record<string, number>>;
}

export interface PhaseEndEvent {
  readonly event: "phase-end";
  readonly phase: number;
  readonly label: string;
  readonly seconds: number;
}

export interface EvaluationEvent {
  readonly event: "evaluation";
  readonly split: "test";
  readonly accuracy: number;
  readonly samples: number;
  /** Phase and epoch after which an evaluation of `evaluateEachEpoch` ran; absent for the final evaluation. */
  readonly phase?: number;
  readonly epoch?: number;
}

/** A checkpoint was written after an epoch. */
export interface CheckpointEvent {
  readonly event: "checkpoint";
  readonly phase: number;
  readonly epoch: number;
  /** Names of the files written. */
  readonly files: readonly string[];
}

/**
 * A run resumed from a checkpoint. Training continues after `epoch` of
 * `phase`, or, when `stepsInEpoch` is set, after that many steps of `epoch`.
 */
export interface ResumeEvent {
  readonly event: "resume";
  readonly phase: number;
  readonly epoch: number;
  /** Steps of `epoch` that a run stopped mid-epoch had completed. */
  readonly stepsInEpoch?: number;
}

/** The run stopped because `TrainOptions.signal` was aborted, after the step in progress finished. */
export interface InterruptedEvent {
  readonly event: "interrupted";
  readonly phase: number;
  readonly epoch: number;
  /** Step within the phase, from 1: the last one completed. */
  readonly step: number;
  /** Steps of `epoch` completed. */
  readonly stepsInEpoch: number;
  /** Names of the checkpoint files written at the stop; empty when the run writes no checkpoints. */
  readonly files: readonly string[];
}

export interface DoneEvent {
  readonly event: "done";
  readonly method: string;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export type TrainingEvent =
  | RunStartEvent
  | PhaseStartEvent
  | StepEvent
  | EpochEndEvent
  | PhaseEndEvent
  | EvaluationEvent
  | CheckpointEvent
  | ResumeEvent
  | InterruptedEvent
  | DoneEvent;
