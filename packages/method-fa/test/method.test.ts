/**
 * The feedback-alignment phase and its feedback paths, on a real MNIST
 * batch: fixed feedback stays fixed, DFA and sign symmetry send exactly
 * the signals their definitions state, conv models train, and invalid
 * options are rejected.
 */
import { Tape } from "@modular/autodiff";
import { loadMnist } from "@modular/datasets";
import {
  type Batch,
  cnn,
  ConfigError,
  createOptimizer,
  crossEntropy,
  forwardThrough,
  type LabelledBatch,
  mlp,
  type Module,
  type OptimizerSpec,
  parametersOf,
  splitBeforeOutput,
  splitEveryBlock,
  type TrainingContext,
} from "@modular/nn";
import { cast, greater, matmul, mul, relu, reshape, sign, sum, type Tensor, tidy } from "@modular/tensor";
import { beforeAll, describe, expect, test } from "vitest";
import "@modular/testing";
import { dfa, directFeedback, fa, FA_PRESETS, FeedbackMatrices, type FeedbackScheme, signFeedback, signSymmetry } from "../src/index.js";

const SGD: OptimizerSpec = { kind: "sgd", lr: 0.05 };

const CONTEXT: TrainingContext = {
  epochs: 1,
  batchSize: 16,
  seed: 1,
  classes: 10,
  sampleShape: [1, 28, 28],
  optimizer: SGD,
  createOptimizer: () => createOptimizer(SGD),
};

function smallMlp() {
  return mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 2);
}

function snapshot(modules: readonly Module[]): number[][] {
  return parametersOf(modules).map((parameter) => Array.from(parameter.value.dataSync()));
}

/** The scheme's gradients of every parameter on `batch`, taken as the phase takes them. */
function schemeGradients(scheme: FeedbackScheme, modules: readonly Module[], batch: LabelledBatch, step = 0) {
  const parameters = parametersOf(modules).map((parameter) => parameter.value);
  const tape = new Tape().watch(...parameters);
  const output = tape.record(() => forwardThrough(scheme.network.modules, batch.x));
  const errorTape = new Tape().watch(output);
  const loss = errorTape.record(() => crossEntropy(output, batch.y));
  const [error] = errorTape.gradient(loss, [output]) as [Tensor];
  scheme.beginBackward(step, error);
  const grads = tape.gradient(output, parameters, { cotangent: error }) as Tensor[];
  scheme.endBackward();
  return { grads, error };
}

let batch: LabelledBatch;

beforeAll(async () => {
  const { train } = await loadMnist();
  batch = train.slice(0, 16).batches({ batchSize: 16 })[Symbol.iterator]().next().value as LabelledBatch;
});

describe("feedback phase", () => {
  test.each([
    ["fa/fa", () => fa()],
    ["fa/dfa", () => dfa()],
  ])("%s keeps its feedback fixed", (_name, create) => {
    const modules = splitEveryBlock(smallMlp());
    const [phase] = create().plan(modules, CONTEXT);
    const [matrices] = phase!.auxiliary as [FeedbackMatrices];
    expect(matrices).toBeInstanceOf(FeedbackMatrices);
    const feedbackBefore = snapshot([matrices]);
    const weightsBefore = snapshot(modules);

    for (let i = 0; i < 3; i++) tidy(() => void phase!.step(batch as Batch));

    expect(snapshot([matrices])).toEqual(feedbackBefore);
    expect(snapshot(modules)).not.toEqual(weightsBefore);
    phase!.end?.();
  });

  test("fa holds one matrix per layer above the first", () => {
    const [phase] = fa().plan(splitBeforeOutput(smallMlp()), CONTEXT);
    const [matrices] = phase!.auxiliary as [FeedbackMatrices];
    expect(matrices.parameters().map((parameter) => parameter.shape)).toEqual([[16, 8], [8, 10]]);
    expect(matrices.parameterCount()).toBe(16 * 8 + 8 * 10);
    expect(() => matrices.matrix(0)).toThrow(/weight layer 1 has no feedback matrix/);
    phase!.end?.();
  });

  test("dfa holds one matrix per hidden layer, from the outputs", () => {
    const [phase] = dfa().plan(splitBeforeOutput(smallMlp()), CONTEXT);
    const [matrices] = phase!.auxiliary as [FeedbackMatrices];
    expect(matrices.parameters().map((parameter) => parameter.shape)).toEqual([[10, 16], [10, 8]]);
    phase!.end?.();
  });

  test("sign symmetry has no auxiliary modules", () => {
    const [phase] = signSymmetry().plan(splitBeforeOutput(smallMlp()), CONTEXT);
    expect(phase!.auxiliary).toEqual([]);
    expect(phase!.optimizers).toHaveLength(1);
    phase!.end?.();
  });

  test("reports one alignment angle per weight layer", async () => {
    const modules = splitBeforeOutput(smallMlp());
    const [phase] = fa({ alignmentEvery: 1 }).plan(modules, CONTEXT);
    tidy(() => void phase!.step(batch));
    const report = await phase!.epochEnd!();
    const stats = report!.stats!;
    expect(Object.keys(stats).sort()).toEqual(["alignment layer 1/3", "alignment layer 2/3", "alignment layer 3/3"]);
    expect(stats["alignment layer 3/3"]).toBeLessThan(1e-3);
    phase!.end?.();
  });

  test.each([
    ["fa/fa", () => fa()],
    ["fa/sign-symmetry", () => signSymmetry()],
    ["fa/dfa", () => dfa()],
  ])("%s trains every layer of a cnn", (_name, create) => {
    const modules = splitEveryBlock(cnn({ kind: "cnn", inputShape: [1, 28, 28], classes: 10, channels: [4, 8], hidden: 16 }, 1));
    const [phase] = create().plan(modules, CONTEXT);
    const before = snapshot(modules);
    tidy(() => void phase!.step(batch));
    const after = snapshot(modules);
    // Every weight and bias moved, the first conv included.
    after.forEach((values, i) => expect(values).not.toEqual(before[i]));
    phase!.end?.();
  });
});

describe("feedback signals", () => {
  test("dfa sends e·B_k to the input of layer k", () => {
    tidy(() => {
      const modules = splitBeforeOutput(smallMlp());
      const scheme = directFeedback(modules, { scale: 1, seed: 5, sampleShape: [1, 28, 28] });
      const { grads, error } = schemeGradients(scheme, modules, batch);
      const [matrices] = scheme.auxiliary as [FeedbackMatrices];
      const [w1, b1, w2] = parametersOf(modules).map((parameter) => parameter.value) as [Tensor, Tensor, Tensor];

      // Forward by hand: x [16, 784] → a1 → h1 → a2 → h2. The biases start at zero.
      const x = reshape(batch.x, [16, 784]);
      const a1 = matmul(x, w1);
      const h1 = relu(a1);
      const a2 = matmul(h1, w2);
      const h2 = relu(a2);
      const delta1 = mul(matmul(error, matrices.matrix(1)), cast(greater(a1, 0), "float32"));
      const delta2 = mul(matmul(error, matrices.matrix(2)), cast(greater(a2, 0), "float32"));

      expect(grads[0]).toBeAllClose(matmul(x, delta1, { transposeA: true }).arraySync() as number[][], { rtol: 1e-4, atol: 1e-6 });
      expect(grads[1]).toBeAllClose(sum(delta1, { axis: 0 }).arraySync() as number[], { rtol: 1e-4, atol: 1e-6 });
      expect(grads[2]).toBeAllClose(matmul(h1, delta2, { transposeA: true }).arraySync() as number[][], { rtol: 1e-4, atol: 1e-6 });
      expect(grads[4]).toBeAllClose(matmul(h2, error, { transposeA: true }).arraySync() as number[][], { rtol: 1e-4, atol: 1e-6 });
      expect(b1.shape).toEqual([16]);
    });
  });

  test("sign symmetry sends dy·(sign(W)·scale/√fanOut)ᵀ", () => {
    tidy(() => {
      const modules = splitBeforeOutput(smallMlp());
      const scheme = signFeedback(modules, { scale: 2, seed: 5, magnitude: "uniform" });
      const { grads, error } = schemeGradients(scheme, modules, batch);
      const [w1, , w2, , w3] = parametersOf(modules).map((parameter) => parameter.value) as Tensor[];

      // Backward by hand, through sign(W)·scale/√fanOut; the biases start at zero.
      const x = reshape(batch.x, [16, 784]);
      const a1 = matmul(x, w1!);
      const h1 = relu(a1);
      const a2 = matmul(h1, w2!);
      const delta2 = mul(matmul(error, mul(sign(w3!), 2 / Math.sqrt(10)), { transposeB: true }), cast(greater(a2, 0), "float32"));
      const delta1 = mul(matmul(delta2, mul(sign(w2!), 2 / Math.sqrt(8)), { transposeB: true }), cast(greater(a1, 0), "float32"));

      expect(grads[2]).toBeAllClose(matmul(h1, delta2, { transposeA: true }).arraySync() as number[][], { rtol: 1e-4, atol: 1e-6 });
      expect(grads[0]).toBeAllClose(matmul(x, delta1, { transposeA: true }).arraySync() as number[][], { rtol: 1e-4, atol: 1e-6 });
    });
  });

  test("batch-random magnitudes depend on the step alone", () => {
    tidy(() => {
      const modules = splitBeforeOutput(smallMlp());
      const scheme = signFeedback(modules, { scale: 1, seed: 5, magnitude: "batch-random" });
      const first = schemeGradients(scheme, modules, batch, 0).grads[2]!;
      const repeated = schemeGradients(scheme, modules, batch, 0).grads[2]!;
      const next = schemeGradients(scheme, modules, batch, 1).grads[2]!;
      expect(repeated).toBeAllClose(first.arraySync() as number[][], { rtol: 0, atol: 0 });
      expect(next).not.toBeAllClose(first.arraySync() as number[][], { rtol: 1e-3, atol: 1e-6 });
    });
  });
});

describe("options", () => {
  test.each([
    ["scale 0", () => fa({ scale: 0 }), /scale 0 is invalid/],
    ["negative alignmentEvery", () => dfa({ alignmentEvery: -1 }), /alignmentEvery -1 is invalid/],
    ["unknown magnitude", () => signSymmetry({ magnitude: "fixed" as "uniform" }), /magnitude "fixed" is invalid/],
  ])("rejects %s", (_name, create, message) => {
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  test("dfa needs the sample shape", () => {
    const { sampleShape: _unused, ...context } = CONTEXT;
    expect(() => dfa().plan(splitBeforeOutput(smallMlp()), context)).toThrow(/needs the sample shape/);
  });

  test("presets create their methods", () => {
    expect(FA_PRESETS.map((preset) => preset.name)).toEqual(["fa/fa", "fa/sign-symmetry", "fa/dfa"]);
    for (const preset of FA_PRESETS) expect(preset.create().name).toBe(preset.name);
  });
});
