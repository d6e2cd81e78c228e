/**
 * The `@modular` targets: our `webgpu` and `cpu` backends. The MLP step is
 * `@modular/nn`'s own end-to-end backprop phase (`backprop()`), so the bench
 * times exactly the step that `modular train --method backprop` runs.
 */
import { backprop, createOptimizer, mlp, type OptimizerSpec, type TrainingContext } from "@modular/nn";
import {
  createWebGpuBackend,
  getBackend,
  listBackends,
  matmul,
  randomUniform,
  registerBackend,
  setBackend,
  type Tensor,
  tensor,
  tidy,
  WebGpuBackend,
} from "@modular/tensor";
import { summarizeAdapter } from "./adapter.js";
import type { BenchOptimizer } from "./options.js";
import { MLP_LEARNING_RATES, MLP_WIDTHS, mlpLabel, type TargetRunner, type Workload } from "./workload.js";

/** Run `launch` `iterations` times, keep only the last result, and wait for it with a readback. */
async function runAndRead(iterations: number, launch: () => Tensor): Promise<void> {
  let last: Tensor | undefined;
  for (let i = 0; i < iterations; i++) {
    last?.dispose();
    last = launch();
  }
  await last?.data();
  last?.dispose();
}

function matmulWorkload(size: number, seed: number): Workload {
  const a = randomUniform([size, size], { seed, stream: 0 });
  const b = randomUniform([size, size], { seed, stream: 1 });
  return {
    run: (iterations) => runAndRead(iterations, () => matmul(a, b)),
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

function mlpStepWorkload(batch: number, optimizerName: BenchOptimizer, seed: number): Workload {
  const [inputs, ...rest] = MLP_WIDTHS;
  const model = mlp({ kind: "mlp", inputShape: [inputs], hidden: rest.slice(0, -1), classes: rest[rest.length - 1]! }, seed);
  const optimizer: OptimizerSpec = { kind: optimizerName, lr: MLP_LEARNING_RATES[optimizerName] };
  const context: TrainingContext = {
    epochs: 1,
    batchSize: batch,
    seed,
    classes: rest[rest.length - 1]!,
    optimizer,
    createOptimizer: () => createOptimizer(optimizer),
  };
  const [phase] = backprop().plan([model], context);
  phase!.begin?.();

  const x = randomUniform([batch, inputs], { seed, stream: 2 });
  const y = tensor(Int32Array.from({ length: batch }, (_, i) => mlpLabel(i)), [batch], "int32");
  // The runner of `@modular/nn` calls each step inside `tidy` in the same way.
  const step = (): Tensor => tidy(() => phase!.step({ x, y }).losses.model!);
  return {
    run: (iterations) => runAndRead(iterations, step),
    dispose() {
      phase!.end?.();
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/**
 * Make our `webgpu` or `cpu` backend active and return its runner. For
 * `webgpu`, the backend requests a high-performance adapter, as TensorFlow.js
 * 4.22.0 does, so both pick the same adapter on machines with several. A
 * `webgpu` backend created earlier in the process is reused as it is.
 */
export async function createModularRunner(target: "webgpu" | "cpu"): Promise<TargetRunner> {
  const previous = getBackend().name;
  if (target === "webgpu") {
    registerBackend("webgpu", () => createWebGpuBackend({ powerPreference: "high-performance" }));
  }
  const backend = await setBackend(target);
  const adapter = backend instanceof WebGpuBackend ? summarizeAdapter(backend.context.adapter.info) : undefined;

  return {
    target,
    adapter,
    matmul: matmulWorkload,
    mlpStep: mlpStepWorkload,
    async dispose() {
      if (listBackends().includes(previous)) await setBackend(previous);
    },
  };
}
