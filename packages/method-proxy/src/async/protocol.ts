/**
 * Messages between the main thread and a module's worker in asynchronous
 * decoupled greedy learning, and the configuration that rebuilds the module
 * in the worker. `WorkerStatus` is a block of shared memory through which the
 * worker reports progress, losses and failure without waiting for the main
 * thread's event loop.
 */
import type { ModelSpec, OptimizerSpec } from "@modular/nn";
import type { ReadMode, SharedBufferHandle } from "./buffer.js";
import type { ObjectiveContext } from "../local.js";

/** A tensor copied between threads. */
export interface TensorCopy {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Everything a worker needs to train one module. */
export interface WorkerConfig {
  /** "module 1/3"; used in losses and errors. */
  readonly name: string;
  /** Name of the phase, for non-finite loss errors. */
  readonly phaseLabel: string;
  readonly spec: ModelSpec;
  readonly firstBlock: number;
  readonly blockCount: number;
  /** The module's parameters and buffers, by the names of `Module.namedTensors`. */
  readonly tensors: readonly TensorCopy[];
  /** The auxiliary classifier of a hidden module, or null for the output module, which trains on cross-entropy. */
  readonly head: { readonly depth: number; readonly width: number; readonly context: ObjectiveContext } | null;
  readonly optimizer: OptimizerSpec;
  readonly lr: number;
  readonly maxGradNorm?: number;
  /** Shape of one input sample of the module. */
  readonly inputShape: readonly number[];
  readonly input: SharedBufferHandle;
  readonly inputMode: ReadMode;
  /** Buffer of the module's outputs for the next module. The output module has none. */
  readonly output?: SharedBufferHandle;
  readonly status: SharedArrayBuffer;
  /** Seed of the replay draws. */
  readonly seed: number;
}

/** Staleness and coverage of a module's reads since the previous collection. */
export interface ReadStats {
  readonly reads: number;
  readonly stalenessSum: number;
  readonly stalenessMax: number;
  /** Different items read. */
  readonly distinctItems: number;
}

export type ToWorker =
  | { readonly type: "init"; readonly config: WorkerConfig }
  | { readonly type: "collect" }
  | { readonly type: "stop" };

export type FromWorker = {
  readonly type: "collected";
  readonly tensors: TensorCopy[];
  readonly stats: ReadStats;
  /** Most tensor bytes live at once in the worker since the previous collection (its module, head, optimizer state and graph). */
  readonly peakTensorBytes: number;
};

/** Int32 slots at the start of the status block. */
const STARTED = 0;
const STEPS = 1;
const FAILED = 2;
const ERROR_BYTES = 3;
const HEADER = 4;
/** Losses kept for the main thread to read; a worker can be at most this many steps ahead of the reader. */
const LOSS_RING = 4096;
const ERROR_CAPACITY = 2048;

/** Progress, losses and failure of one worker, in shared memory. */
export class WorkerStatus {
  private readonly header: Int32Array;
  private readonly losses: Float32Array;
  private readonly error: Uint8Array;
  private lossesRead = 0;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 * (HEADER + LOSS_RING) + ERROR_CAPACITY)) {
    this.header = new Int32Array(buffer, 0, HEADER);
    this.losses = new Float32Array(buffer, 4 * HEADER, LOSS_RING);
    this.error = new Uint8Array(buffer, 4 * (HEADER + LOSS_RING), ERROR_CAPACITY);
  }

  /** Mark that the worker has built its module. */
  markStarted(): void {
    Atomics.store(this.header, STARTED, 1);
  }

  get started(): boolean {
    return Atomics.load(this.header, STARTED) === 1;
  }

  /** Record the loss of the worker's step `step` (from 0) and count the step as done. */
  recordStep(step: number, loss: number): void {
    this.losses[step % LOSS_RING] = loss;
    Atomics.store(this.header, STEPS, step + 1);
    Atomics.notify(this.header, STEPS);
  }

  get steps(): number {
    return Atomics.load(this.header, STEPS);
  }

  /** Losses of the steps done since the previous call, oldest first. */
  readNewLosses(): number[] {
    const done = this.steps;
    if (done - this.lossesRead > LOSS_RING) {
      throw new Error(`WorkerStatus: ${done - this.lossesRead} losses arrived between two reads; only ${LOSS_RING} are kept.`);
    }
    const out: number[] = [];
    for (let step = this.lossesRead; step < done; step++) out.push(this.losses[step % LOSS_RING]!);
    this.lossesRead = done;
    return out;
  }

  /** Wait up to `timeoutMs` for the step count to change from `seen`, without blocking the event loop. */
  async waitSteps(seen: number, timeoutMs: number): Promise<void> {
    const result = waitAsync(this.header, STEPS, seen, timeoutMs);
    if (result.async) await result.value;
  }

  /** Record a failure, truncating the message to the space the block has. */
  fail(message: string): void {
    const bytes = new TextEncoder().encode(message).slice(0, ERROR_CAPACITY);
    this.error.set(bytes);
    Atomics.store(this.header, ERROR_BYTES, bytes.length);
    Atomics.store(this.header, FAILED, 1);
    Atomics.notify(this.header, STEPS);
  }

  /** The failure message, or undefined while the worker is healthy. */
  get failure(): string | undefined {
    if (Atomics.load(this.header, FAILED) !== 1) return undefined;
    const length = Atomics.load(this.header, ERROR_BYTES);
    // TextDecoder refuses views of shared memory, so decode a copy.
    return new TextDecoder().decode(this.error.slice(0, length));
  }
}

type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };

/**
 * `Atomics.waitAsync` (ES2024; Node.js 16+, Chromium 87+), typed here
 * because the project compiles against the ES2022 library.
 */
export function waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult {
  const atomics = Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeout: number): WaitAsyncResult;
  };
  return atomics.waitAsync(array, index, value, timeoutMs);
}
