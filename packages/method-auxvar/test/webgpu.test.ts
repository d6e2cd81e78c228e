/**
 * Both schemes on the webgpu backend: a few steps on the same batches give
 * the weights of the cpu backend within float32 rounding, and leave the
 * count of live tensors unchanged. Without a WebGPU adapter, `setBackend`
 * fails with an install hint.
 */
import { loadMnist } from "@modular/datasets";
import { createOptimizer, disposeBatch, mlp, type Phase, splitBeforeOutput, type TrainingContext, type TrainingMethod } from "@modular/nn";
import { disposeBackends, memory, registerWebGpu, setBackend, tidy } from "@modular/tensor";
import "@modular/testing";
import { afterAll, describe, expect, test } from "vitest";
import { admm, bcd } from "../src/index.js";

const CONTEXT: TrainingContext = {
  epochs: 1,
  batchSize: 32,
  seed: 1,
  classes: 10,
  sampleShape: [1, 28, 28],
  optimizer: { kind: "sgd", lr: 0.1 },
  createOptimizer: () => createOptimizer({ kind: "sgd", lr: 0.1 }),
};

/** Run 3 steps of `method` on the first 3 batches of 32 embedded MNIST images; return the weights and the live tensor counts. */
async function weightsAfterSteps(backendName: string, method: TrainingMethod): Promise<{ weights: number[][]; live: number[] }> {
  registerWebGpu();
  await setBackend(backendName);
  const { train } = await loadMnist();
  const images = train.slice(0, 96);
  const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 2);
  const [phase] = method.plan(splitBeforeOutput(model), CONTEXT) as [Phase];
  const live: number[] = [];
  for (const batch of images.batches({ batchSize: 32 })) {
    const metrics = tidy(() => phase.step(batch));
    Object.values(metrics.losses).forEach((loss) => loss.dispose());
    disposeBatch(batch);
    live.push(memory().tensors);
  }
  phase.end?.();
  const weights = await Promise.all(model.parameters().map(async (p) => Array.from(await p.value.data())));
  model.dispose();
  return { weights, live };
}

afterAll(() => {
  disposeBackends();
});

describe("auxvar on webgpu", () => {
  test.each([
    { name: "bcd", create: () => bcd({ alignmentEvery: 0 }) },
    { name: "admm", create: () => admm({ alignmentEvery: 0 }) },
  ])("$name matches cpu", { timeout: 300_000 }, async ({ create }) => {
    const cpu = await weightsAfterSteps("cpu", create());
    const gpu = await weightsAfterSteps("webgpu", create());

    gpu.weights.forEach((w, i) => expect(w).toBeAllClose(cpu.weights[i]!, { rtol: 1e-2, atol: 1e-3 }));
    expect(cpu.live.every((count) => count === cpu.live[0])).toBe(true);
    expect(gpu.live.every((count) => count === gpu.live[0])).toBe(true);
  });
});
