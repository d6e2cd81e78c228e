/**
 * Our targets of the peers suite: the `cpu` and `webgpu` backends running
 * the end-to-end backprop phase of `@modular/nn` (`backprop()`), the step
 * that `modular train --method backprop` runs, with Adam.
 */
import { backprop, createOptimizer, evaluate, type Model, type OptimizerSpec, type Phase, type TrainingContext } from "@modular/nn";
import { type Tensor, tensor, tidy } from "@modular/tensor";
import { createModularRunner } from "../modular-runner.js";
import type { Workload } from "../workload.js";
import { buildPeersMlp, epochBatches, type HostRows, type PeersJob, timedBatch } from "./job.js";
import type { InProcessPeer } from "./target.js";

/** Our `mlp`, with the job's initial weights assigned on the current backend. */
function modelFromJob(job: PeersJob): Model {
  const model = buildPeersMlp(job.train, job.seed);
  const parameters = model.parameters();
  job.weights.forEach((weight, layer) => {
    parameters[2 * layer]!.assign(tensor(weight, [job.widths[layer]!, job.widths[layer + 1]!]));
    parameters[2 * layer + 1]!.assign(tensor(job.biases[layer]!, [job.widths[layer + 1]!]));
  });
  return model;
}

function backpropPhase(model: Model, job: PeersJob): Phase {
  const optimizer: OptimizerSpec = {
    kind: "adam",
    lr: job.adam.lr,
    beta1: job.adam.beta1,
    beta2: job.adam.beta2,
    epsilon: job.adam.epsilon,
  };
  const context: TrainingContext = {
    epochs: job.epochs,
    batchSize: job.batchSize,
    seed: job.seed,
    classes: job.train.classes,
    optimizer,
    createOptimizer: () => createOptimizer(optimizer),
  };
  const [phase] = backprop().plan([model], context);
  phase!.begin?.();
  return phase!;
}

function upload(rows: HostRows, sampleShape: readonly number[]): { x: Tensor; y: Tensor } {
  return { x: tensor(rows.x, [rows.count, ...sampleShape]), y: tensor(rows.y, [rows.count], "int32") };
}

function stepWorkload(job: PeersJob): Workload {
  const model = modelFromJob(job);
  const phase = backpropPhase(model, job);
  const batch = upload(timedBatch(job), job.train.sampleShape);
  // As in the runner of @modular/nn, each step runs inside `tidy`.
  const step = (): Tensor => tidy(() => phase.step(batch).losses.model!);
  return {
    async run(iterations) {
      let last: Tensor | undefined;
      for (let i = 0; i < iterations; i++) {
        last?.dispose();
        last = step();
      }
      await last?.data();
      last?.dispose();
    },
    dispose() {
      phase.end?.();
      model.dispose();
      batch.x.dispose();
      batch.y.dispose();
    },
  };
}

async function train(job: PeersJob): Promise<{ accuracy: number; trainSeconds: number }> {
  const model = modelFromJob(job);
  const phase = backpropPhase(model, job);
  let trainSeconds = 0;
  try {
    for (let epoch = 0; epoch < job.epochs; epoch++) {
      const started = performance.now();
      let last: Tensor | undefined;
      for (const rows of epochBatches(job, epoch)) {
        const batch = upload(rows, job.train.sampleShape);
        last?.dispose();
        last = tidy(() => phase.step(batch).losses.model!);
        batch.x.dispose();
        batch.y.dispose();
      }
      // The readback waits for queued GPU work, so the epoch's time is complete.
      await last?.data();
      last?.dispose();
      trainSeconds += (performance.now() - started) / 1000;
    }
    phase.end?.();
    const { accuracy } = await evaluate([model], job.test);
    return { accuracy, trainSeconds };
  } finally {
    model.dispose();
  }
}

/** Make our `cpu` or `webgpu` backend active and return its peers target. */
export async function createModularPeer(target: "cpu" | "webgpu"): Promise<InProcessPeer> {
  const runner = await createModularRunner(target);
  return {
    library: target === "cpu" ? "@modular/tensor, cpu backend (JavaScript)" : "@modular/tensor, webgpu backend",
    threads: target === "cpu" ? 1 : undefined,
    stepWorkload,
    train,
    dispose: () => runner.dispose(),
  };
}
