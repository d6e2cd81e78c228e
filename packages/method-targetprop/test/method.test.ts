/**
 * Contracts of the Target Propagation step: the difference correction, the
 * boundaries between training modules, the feedback pre-training phase and
 * the option checks.
 */
import { loadMnist } from "@modular/datasets";
import {
  type Batch,
  ConfigError,
  createOptimizer,
  Linear,
  mlp,
  type Module,
  ReLU,
  Sequential,
  splitEveryBlock,
  type TrainingContext,
  train,
  type Optimizer,
  type Parameter,
} from "@modular/nn";
import { add, matmul, mul, randomNormal, sub, type Tensor, tensor, withoutRecording } from "@modular/tensor";
import "@modular/testing";
import { describe, expect, test } from "vitest";
import {
  ddtp,
  drl,
  dtp,
  InverseLayer,
  inverseLoss,
  outputTarget,
  propagateTarget,
  type RandomFeedbackLayer,
  type RandomHiddenFeedback,
  regressionLoss,
  TARGETPROP_PRESETS,
  tp,
} from "../src/index.js";

/** An exact inverse of x ↦ x·W + b for an invertible square W. */
class AffineInverse extends Sequential {
  constructor(readonly weightInverse: Tensor, readonly bias: Tensor) {
    super([]);
  }
  override forward(y: Tensor): Tensor {
    return matmul(sub(y, this.bias), this.weightInverse);
  }
}

describe("targets", () => {
  test("the difference correction is exact with a perfect inverse", async () => {
    // f(x) = x·W + b with W = [[2, 1], [1, 1]], whose inverse is [[1, −1], [−1, 2]].
    const weight = tensor([[2, 1], [1, 1]]);
    const bias = tensor([0.5, -1]);
    const inverse = new AffineInverse(tensor([[1, -1], [-1, 2]]), bias);
    const input = tensor([[1, 2], [-3, 0.5], [0, 4]]);
    const output = add(matmul(input, weight), bias);
    const target = add(output, tensor([[0.1, -0.2], [0.3, 0], [-1, 2]]));

    const difference = propagateTarget("difference", inverse, target, output, input);
    const vanilla = propagateTarget("vanilla", inverse, target, output, input);
    // With g = f⁻¹, h_{l−1} + g(t) − g(h_l) = g(t), and f maps it onto t.
    await expect(difference).toBeAllClose(vanilla.arraySync() as number[][], { atol: 1e-5 });
    await expect(add(matmul(difference, weight), bias)).toBeAllClose(target.arraySync() as number[][], { atol: 1e-5 });
  });

  test("a target equal to the activation propagates to the input with any inverse", async () => {
    const inverse = new InverseLayer({ outputFeatures: 3, inputShape: [4], activation: "relu", seed: 5 });
    const input = randomNormal([2, 4], { seed: 1 });
    const output = randomNormal([2, 3], { seed: 2 });
    await expect(propagateTarget("difference", inverse, output, output, input)).toBeAllClose(input.arraySync() as number[][], { atol: 1e-6 });
  });

  test("the output target is a step of η times the per-sample gradient", async () => {
    // H = mean over the batch of ½‖h‖², so B · ∂H/∂h = h and t = h − η·h.
    const h = tensor([[1, -2], [3, 0.5]]);
    const loss = (output: Tensor) => regressionLoss(output, withoutRecording(() => mul(output, 0)));
    await expect(outputTarget(h, loss, 0.25)).toBeAllClose([[0.75, -1.5], [2.25, 0.375]], { atol: 1e-6 });
  });
});

describe("module boundaries", () => {
  /** Two modules as in a split mlp: Linear+ReLU, then Linear. */
  function twoModules(): Module[] {
    return [new Sequential([new Linear(4, 5, { seed: 1 }), new ReLU()]), new Linear(5, 3, { seed: 2 })];
  }

  test("an inverse's reconstruction loss reaches only that inverse", () => {
    const modules = twoModules();
    const inverses = [new InverseLayer({ outputFeatures: 3, inputShape: [5], activation: "linear", seed: 3 })];
    const x = randomNormal([6, 4], { seed: 4 });
    const outputs: Tensor[] = [];
    let h = x;
    for (const module of modules) outputs.push((h = module.forward(h)));
    for (const reconstruction of ["lee", "difference"] as const) {
      const { grads } = inverseLoss(reconstruction, modules, inverses, outputs, 0, randomNormal([6, 5], { seed: 5 }));
      expect(grads).toHaveLength(inverses[0]!.parameters().length);
      expect(grads.every((grad) => grad !== null)).toBe(true);
    }
  });

  test("no gradient reaches an upstream module", async () => {
    const { train: trainSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 1);
    const modules = splitEveryBlock(model);
    for (const create of [tp, dtp, drl, ddtp]) {
      const method = create({ feedbackEpochs: 0, alignmentEvery: 0 });
      // Record, per optimizer, the parameters it was asked to step.
      const stepped: Parameter[][] = [];
      const context: TrainingContext = {
        epochs: 1,
        batchSize: 8,
        seed: 1,
        classes: 10,
        sampleShape: [1, 28, 28],
        optimizer: { kind: "sgd", lr: 0.1 },
        createOptimizer(): Optimizer {
          const index = stepped.length;
          stepped.push([]);
          return {
            lr: 0.1,
            step(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]) {
              stepped[index]!.push(...parameters);
              expect(grads).toHaveLength(parameters.length);
            },
            dispose() {},
          };
        },
      };
      const [phase] = method.plan(modules, context);
      const batch = trainSet.slice(0, 8).batches({ batchSize: 8 })[Symbol.iterator]().next().value as Batch;
      phase!.step(batch);
      // One optimizer per module, each stepping exactly that module's parameters, then one per inverse.
      modules.forEach((module, q) => expect(new Set(stepped[q])).toEqual(new Set(module.parameters())));
      const inverses = phase!.auxiliary!;
      expect(inverses).toHaveLength(modules.length - 1);
      inverses.forEach((inverse, q) =>
        expect(new Set(stepped[modules.length + q])).toEqual(new Set(inverse.parameters())),
      );
      phase!.end!();
    }
    model.dispose();
  });
});

describe("phases and options", () => {
  const context = (): TrainingContext => ({
    epochs: 2,
    batchSize: 8,
    seed: 1,
    classes: 10,
    sampleShape: [1, 28, 28],
    optimizer: { kind: "adam", lr: 0.01 },
    createOptimizer: () => ({ lr: 0.01, step() {}, dispose() {} }),
  });

  test("feedback pre-training is a first phase that trains the inverses alone", () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 1);
    const phases = dtp({ feedbackEpochs: 3 }).plan(splitEveryBlock(model), context());
    expect(phases).toHaveLength(2);
    expect(phases[0]!.epochs).toBe(3);
    expect(phases[0]!.trainable).toEqual([]);
    expect(phases[0]!.optimizers).toHaveLength(2);
    expect(phases[1]!.epochs).toBe(2);
    expect(phases[1]!.auxiliary).toBe(phases[0]!.auxiliary);
    expect(phases[1]!.optimizers).toHaveLength(5);
    expect(dtp({ feedbackEpochs: 0 }).plan(splitEveryBlock(model), context())).toHaveLength(1);
    model.dispose();
  });

  test("bad options and models get clear errors", () => {
    expect(() => dtp({ outputStep: 0 })).toThrow(/outputStep 0 is invalid/);
    expect(() => drl({ feedbackEpochs: 1.5 })).toThrow(/feedbackEpochs 1.5 is invalid/);
    expect(() => tp({ noise: -1 })).toThrow(/noise -1 is invalid/);
    expect(() => dtp({ inverseActivation: "gelu" as never })).toThrow(/inverseActivation "gelu" is invalid/);
    expect(() => ddtp({ feedbackHidden: -4 })).toThrow(/feedbackHidden -4 is invalid/);
    expect(() => drl({ feedbackHidden: 64 })).toThrow(/feedbackHidden 64 is invalid here; only targetprop\/ddtp/);
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 1);
    expect(() => dtp({ noise: [0.1] }).plan(splitEveryBlock(model), context())).toThrow(/noise has 1 values but the model has 2 inverses/);
    expect(() => dtp().plan([model], context())).toThrow(ConfigError);
    model.dispose();
  });
});

describe("direct feedback", () => {
  test("ddtp feedback maps go from the output to every hidden output", () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 1);
    const context: TrainingContext = {
      epochs: 1,
      batchSize: 8,
      seed: 1,
      classes: 10,
      sampleShape: [1, 28, 28],
      optimizer: { kind: "adam", lr: 0.01 },
      createOptimizer: () => ({ lr: 0.01, step() {}, dispose() {} }),
    };
    const phases = ddtp({ feedbackEpochs: 0 }).plan(splitEveryBlock(model), context);
    const feedback = phases[0]!.auxiliary! as InverseLayer[];
    expect(feedback.map((map) => map.options.outputFeatures)).toEqual([10, 10]);
    expect(feedback.map((map) => map.inputFeatures)).toEqual([16, 8]);
    phases[0]!.end!();
    model.dispose();
  });

  test("ddtp-rhl maps share one fixed random layer", async () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 12, 8], classes: 10 }, 1);
    const modules = splitEveryBlock(model);
    const context: TrainingContext = {
      epochs: 1,
      batchSize: 8,
      seed: 1,
      classes: 10,
      sampleShape: [1, 28, 28],
      optimizer: { kind: "sgd", lr: 0.1 },
      createOptimizer: () => createOptimizer({ kind: "sgd", lr: 0.1 }),
    };
    const [phase] = ddtp({ feedbackEpochs: 0, feedbackHidden: 32, alignmentEvery: 0 }).plan(modules, context);
    const auxiliary = phase!.auxiliary!;
    // Two maps through the random layer, a linear map for the module below the output, and the random layer itself.
    expect(auxiliary.map((module) => module.constructor.name)).toEqual([
      "RandomHiddenFeedback",
      "RandomHiddenFeedback",
      "InverseLayer",
      "RandomFeedbackLayer",
    ]);
    const random = auxiliary[3] as RandomFeedbackLayer;
    expect((auxiliary[0] as RandomHiddenFeedback).random).toBe(random);
    expect((auxiliary[1] as RandomHiddenFeedback).random).toBe(random);
    expect(random.parameters()).toHaveLength(0);
    expect(auxiliary[0]!.parameters().map((parameter) => parameter.shape)).toEqual([[32, 16], [16]]);

    // A training step moves the maps but leaves the random layer as it was.
    const { train: trainSet } = await loadMnist();
    const batch = trainSet.slice(0, 8).batches({ batchSize: 8 })[Symbol.iterator]().next().value as Batch;
    const projection = random.buffers()[0]!.value.arraySync();
    const map = auxiliary[0]!.parameters()[0]!.value.arraySync();
    phase!.step(batch);
    expect(random.buffers()[0]!.value.arraySync()).toEqual(projection);
    expect(auxiliary[0]!.parameters()[0]!.value.arraySync()).not.toEqual(map);
    phase!.end!();
    model.dispose();
  });
});

describe("presets", () => {
  test.each(TARGETPROP_PRESETS.map((preset) => [preset.name, preset] as const))("%s passes options on", (_name, preset) => {
    for (const key of Object.keys(preset.defaults)) expect(preset.optionNames).toContain(key);
    expect(preset.create({ ...preset.defaults }).name).toBe(preset.name);
    expect(() => preset.create({ outputStep: -1 })).toThrow(/outputStep -1 is invalid/);
  });
});
