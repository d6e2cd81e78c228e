/**
 * The body of a module's worker in asynchronous decoupled greedy learning.
 * It rebuilds its module from the model spec, then loops: read an input from
 * the upstream buffer, write the module's output to the downstream buffer,
 * step on the local loss, record the loss. It waits for its downstream
 * module only when that module is a whole buffer behind (`waitWritable`).
 *
 * The thread-specific entry files (`dgl-worker-node.ts`,
 * `dgl-worker-browser.ts`) only connect `serveWorker` to their message port.
 */
import {
  buildPart,
  classLabels,
  createOptimizer,
  crossEntropy,
  type Module,
  type Optimizer,
  type Parameter,
  parametersOf,
  tapeFor,
} from "@modular/nn";
import { resetPeakMemory, tensor, tidy } from "@modular/tensor";
import { BufferClosedError, SharedBatchBuffer } from "./buffer.js";
import { clipped, localStep, type LocalObjective } from "../local.js";
import { auxClassifierObjective } from "../objectives.js";
import { type FromWorker, type ReadStats, type TensorCopy, type ToWorker, type WorkerConfig, WorkerStatus } from "./protocol.js";

/** A failure as the worker writes it to its status block. */
export type WorkerFailure =
  | { readonly kind: "non-finite"; readonly step: number; readonly value: number }
  | { readonly kind: "error"; readonly message: string };

/** Seeded uniform draws in [0, 1) for the replay buffer (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Copy every parameter and buffer of `module` to plain arrays. */
export function copyTensors(module: Module): TensorCopy[] {
  return module.namedTensors().map(([name, named]) => ({
    name,
    shape: [...named.shape],
    values: Float32Array.from(named.value.dataSync() as Float32Array),
  }));
}

/** Replace the tensors of `module` with `copies`, matched by name and shape. */
export function loadTensors(module: Module, copies: readonly TensorCopy[], where: string): void {
  const named = new Map(module.namedTensors());
  if (named.size !== copies.length) {
    throw new Error(`${where}: the module has ${named.size} tensors, but ${copies.length} were sent.`);
  }
  for (const copy of copies) {
    const target = named.get(copy.name);
    if (target === undefined || target.shape.join("x") !== copy.shape.join("x")) {
      throw new Error(
        `${where}: tensor "${copy.name}" of shape [${copy.shape.join(", ")}] does not match the module ` +
          `(${target === undefined ? "no such tensor" : `shape [${target.shape.join(", ")}]`}).`,
      );
    }
    target.assign(tensor(copy.values, [...copy.shape]));
  }
}

/** A module built from its config, with its loss, optimizer and buffers. */
class ModuleTrainer {
  private readonly module: Module;
  private readonly objective: LocalObjective | null;
  private readonly parameters: Parameter[];
  private readonly optimizer: Optimizer;
  private readonly input: SharedBatchBuffer;
  private readonly output: SharedBatchBuffer | undefined;
  private readonly random: () => number;
  private stopped = false;
  private stats = { reads: 0, stalenessSum: 0, stalenessMax: 0, items: new Set<number>() };

  constructor(
    private readonly config: WorkerConfig,
    private readonly status: WorkerStatus,
  ) {
    this.module = buildPart(config.spec, config.firstBlock, config.blockCount);
    loadTensors(this.module, config.tensors, config.name);
    this.module.train();
    this.objective = config.head === null ? null : auxClassifierObjective(config.head.depth, config.head.width)(config.head.context);
    this.parameters = parametersOf([this.module, ...(this.objective?.heads ?? [])]);
    this.optimizer = createOptimizer(config.optimizer);
    this.optimizer.lr = config.lr;
    this.input = SharedBatchBuffer.attach(config.input);
    this.output = config.output === undefined ? undefined : SharedBatchBuffer.attach(config.output);
    this.random = seededRandom(config.seed);
  }

  /** Train until the buffers close. */
  async run(): Promise<void> {
    const context = { maxGradNorm: this.config.maxGradNorm };
    for (let step = 0; ; step++) {
      await this.input.waitReadable(step);
      await this.output?.waitWritable();
      // `stop` may have arrived during the waits.
      if (this.stopped) return;
      const item = this.input.read(step, this.config.inputMode, this.random);
      this.stats.reads++;
      this.stats.stalenessSum += item.staleness;
      this.stats.stalenessMax = Math.max(this.stats.stalenessMax, item.staleness);
      this.stats.items.add(item.item);
      const loss = tidy(() => {
        const x = tensor(item.x, [item.rows, ...this.config.inputShape]);
        const batch = { x, y: tensor(item.y, [item.rows], "int32") };
        let value: number;
        if (this.objective === null) {
          const tape = tapeFor(this.parameters);
          const lossTensor = tape.record(() => crossEntropy(this.module.forward(x), classLabels(batch, this.config.name)));
          const grads = tape.gradient(lossTensor, this.parameters.map((p) => p.value));
          value = lossTensor.item();
          if (Number.isFinite(value)) this.optimizer.step(this.parameters, clipped(grads, context));
        } else {
          const local = { module: this.module, objective: this.objective, parameters: this.parameters };
          const { output, loss: lossTensor, grads } = localStep(local, x, batch, context);
          value = lossTensor.item();
          // The output was computed before this step's update, so it reflects `step` updates of this module.
          this.output!.write(output.dataSync() as Float32Array, item.y, item.rows, step);
          if (Number.isFinite(value)) this.optimizer.step(this.parameters, grads);
        }
        return value;
      });
      if (!Number.isFinite(loss)) {
        this.status.fail(JSON.stringify({ kind: "non-finite", step, value: loss } satisfies WorkerFailure));
        return;
      }
      this.output?.setProducerSteps(step + 1);
      this.status.recordStep(step, loss);
    }
  }

  /** Copy the module's tensors and return them with the read statistics and the peak tensor bytes since the previous call. */
  collect(): FromWorker {
    const { reads, stalenessSum, stalenessMax, items } = this.stats;
    const stats: ReadStats = { reads, stalenessSum, stalenessMax, distinctItems: items.size };
    this.stats = { reads: 0, stalenessSum: 0, stalenessMax: 0, items: new Set() };
    // Each worker has its own tensor engine, so this peak is this module's alone.
    const peakTensorBytes = resetPeakMemory();
    return { type: "collected", tensors: copyTensors(this.module), stats, peakTensorBytes };
  }

  dispose(): void {
    this.stopped = true;
    this.optimizer.dispose();
    this.module.dispose();
    this.objective?.heads.forEach((head) => head.dispose());
  }
}

/**
 * Return the message handler of one module's worker: `init` starts training,
 * `collect` replies with the module's tensors, and `stop` disposes the
 * module. `post` sends a message to the main thread.
 */
export function serveWorker(post: (message: FromWorker) => void): (message: ToWorker) => void {
  let trainer: ModuleTrainer | undefined;
  let status: WorkerStatus | undefined;
  const fail = (error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    status?.fail(JSON.stringify({ kind: "error", message } satisfies WorkerFailure));
  };
  return (message) => {
    try {
      if (message.type === "init") {
        status = new WorkerStatus(message.config.status);
        trainer = new ModuleTrainer(message.config, status);
        status.markStarted();
        trainer.run().catch((error: unknown) => {
          if (!(error instanceof BufferClosedError)) fail(error);
        });
      } else if (message.type === "collect") {
        if (trainer === undefined) throw new Error("collect arrived before init.");
        post(trainer.collect());
      } else if (message.type === "stop") {
        // `run` returns when it next resumes from a wait, without touching the disposed module.
        trainer?.dispose();
        trainer = undefined;
      }
    } catch (error) {
      fail(error);
    }
  };
}
