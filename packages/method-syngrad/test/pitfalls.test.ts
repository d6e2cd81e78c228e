/**
 * The known pitfalls of a DNI implementation, checked on a real MNIST batch
 * and an MLP with one hidden layer of 32 units, split before its output layer.
 * Training a synthetic-gradient model alone must leave the main modules
 * unchanged. The true-gradient target must pass no gradient into module 1.
 * Module 1's update must be the VJP of the synthetic gradient, not of the
 * true one.
 */
import { loadMnist } from "@modular/datasets";
import {
  type Batch,
  createOptimizer,
  crossEntropy,
  type LabelledBatch,
  mlp,
  type Module,
  type OptimizerSpec,
  splitBeforeOutput,
  type TrainingContext,
  trueGradients,
} from "@modular/nn";
import { oneHot, sub, sum, tensor, tidy } from "@modular/tensor";
import { beforeAll, describe, expect, test } from "vitest";
import "@modular/testing";
import {
  cotangentOf,
  dni,
  forwardModules,
  moduleGradients,
  regressSyntheticGradient,
  SyntheticGradientModel,
} from "../src/index.js";

const LR = 0.05;
const SGD: OptimizerSpec = { kind: "sgd", lr: LR };

function context(): TrainingContext {
  return {
    epochs: 1,
    batchSize: 64,
    seed: 1,
    classes: 10,
    sampleShape: [1, 28, 28],
    optimizer: SGD,
    createOptimizer: () => createOptimizer(SGD),
  };
}

function buildModules(): Module[] {
  return splitBeforeOutput(mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [32], classes: 10 }, 5));
}

/** Copy every parameter value of `module` to the host. */
function snapshot(module: Module): number[][] {
  return module.parameters().map((parameter) => Array.from(parameter.value.dataSync()));
}

let batch: LabelledBatch;

beforeAll(async () => {
  const { train } = await loadMnist();
  const first = train.slice(0, 64).batches({ batchSize: 64 })[Symbol.iterator]().next().value as Batch;
  batch = first as LabelledBatch;
});

describe("DNI pitfalls", () => {
  test("synthetic-gradient regression leaves modules unchanged", () => {
    const modules = buildModules();
    const model = new SyntheticGradientModel({ activationShape: [32], conditionClasses: 0, hiddenLayers: 1, width: 16, seed: 2 });
    const before = modules.map(snapshot);
    const sgBefore = snapshot(model);

    tidy(() => {
      // h1 comes from a tape that watches module 1's parameters, as in a training step.
      const { outputs } = forwardModules(modules, batch.x, true);
      const target = tensor(Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i)), [64, 32]);
      regressSyntheticGradient(model, createOptimizer(SGD), outputs[0]!, undefined, target);
    });

    expect(modules.map(snapshot)).toEqual(before);
    expect(snapshot(model)).not.toEqual(sgBefore);
  });

  test("true-gradient target is a constant to module 1", () => {
    const modules = buildModules();
    tidy(() => {
      const { tapes, outputs } = forwardModules(modules, batch.x, true);
      const loss = tapes[1]!.record(() => crossEntropy(outputs[1]!, batch.y));
      const { inputTarget } = moduleGradients(tapes[1]!, outputs[1]!, modules[1]!.parameters(), { loss }, outputs[0]);

      expect(inputTarget).toBeDefined();
      expect(inputTarget!.shape).toEqual([64, 32]);
      expect(tapes[0]!.isTracked(outputs[0]!)).toBe(true);
      expect(tapes[0]!.isTracked(inputTarget!)).toBe(false);
      const total = tapes[0]!.record(() => sum(inputTarget!));
      const grads = tapes[0]!.gradient(total, modules[0]!.parameters().map((p) => p.value));
      expect(grads.every((grad) => grad === null)).toBe(true);
    });
  });

  test("module 1 updates on the synthetic gradient's VJP", async () => {
    const modules = buildModules();
    const [phase] = dni({ alignmentEvery: 0, hiddenLayers: 1, width: 16 }).plan(modules, context());
    // A few steps, so that the synthetic-gradient model no longer predicts zeros.
    for (let i = 0; i < 5; i++) tidy(() => void phase!.step(batch));
    const model = phase!.auxiliary![0] as SyntheticGradientModel;
    const parameters = modules[0]!.parameters();

    const { synthetic, truth } = tidy(() => {
      const { tapes, outputs } = forwardModules(modules, batch.x, false);
      const prediction = model.synthesize(outputs[0]!);
      const vjp = tapes[0]!.gradient(outputs[0]!, parameters.map((p) => p.value), { cotangent: cotangentOf(prediction) });
      const exact = trueGradients(modules, batch).slice(0, parameters.length);
      return {
        synthetic: vjp.map((grad) => Array.from(grad!.dataSync())),
        truth: exact.map((grad) => Array.from(grad.dataSync())),
      };
    });
    const before = parameters.map((p) => tensor(Array.from(p.value.dataSync()), p.value.shape));

    tidy(() => void phase!.step(batch));

    const applied = modules[0]!.parameters().map((p, i) => tidy(() => Array.from(sub(before[i]!, p.value).dataSync()).map((d) => d / LR)));
    for (let i = 0; i < parameters.length; i++) {
      expect(applied[i]).toBeAllClose(synthetic[i]!, { rtol: 1e-3, atol: 1e-6 });
      expect(applied[i]).not.toBeAllClose(truth[i]!, { rtol: 1e-3, atol: 1e-6 });
    }
    const syntheticNorm = Math.hypot(...synthetic[0]!);
    expect(syntheticNorm).toBeGreaterThan(0);
    phase!.end?.();
  });

  test("cdni conditions on the labels", () => {
    const model = new SyntheticGradientModel({ activationShape: [4], conditionClasses: 3, hiddenLayers: 0, width: 1, seed: 1 });
    const h = tensor([[1, 2, 3, 4]]);
    expect(() => model.synthesize(h)).toThrow(/condition is missing/);
    expect(model.synthesize(h, oneHot(tensor([2], [1], "int32"), 3)).shape).toEqual([1, 4]);
  });
});

