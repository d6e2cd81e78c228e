/**
 * The `proxy/kernel` method: option checks, the phases it plans, the module
 * boundary each phase respects, and its use of pairwise labels only.
 */
import { Dataset, loadMnist } from "@modular/datasets";
import {
  ConfigError,
  createOptimizer,
  type Module,
  mlp,
  type OptimizerSpec,
  split,
  type TrainingContext,
  type TrainingEvent,
  train,
} from "@modular/nn";
import { memory, type MemoryInfo, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { type KernelProxyOptions, kernelProxy } from "../src/index.js";

const ADAM: OptimizerSpec = { kind: "adam", lr: 0.01 };

function context(epochs = 1): TrainingContext {
  return { epochs, batchSize: 8, seed: 0, classes: 3, optimizer: ADAM, createOptimizer: () => createOptimizer(ADAM) };
}

/** Build an MLP [8, 5] on 6 inputs and split it into its 3 blocks. */
function threeModules(): Module[] {
  return split(mlp({ kind: "mlp", inputShape: [6], hidden: [8, 5], classes: 3 }), [1, 2]);
}

/** Build 24 samples of 6 values in [0, 1), labelled by the index of the largest of the first 3 values. */
function smallSource(): Dataset {
  const images = new Float32Array(24 * 6);
  const labels = new Int32Array(24);
  for (let i = 0; i < 24; i++) {
    for (let j = 0; j < 6; j++) images[i * 6 + j] = ((i * 11 + j * 5) % 13) / 13;
    const head = Array.from(images.subarray(i * 6, i * 6 + 3));
    labels[i] = head.indexOf(Math.max(...head));
  }
  return new Dataset({ name: "small", images, labels, sampleShape: [6], classes: 3 });
}

function snapshot(module: Module): number[][] {
  return module.parameters().map((parameter) => Array.from(parameter.value.dataSync()));
}

describe("kernelProxy options", () => {
  test.each([
    ["an unknown kernel", { kernel: "laplacian" }, 'proxy/kernel: unknown kernel "laplacian". Valid kernels: cosine, gaussian, arccos.'],
    ["an unknown loss", { loss: "contrastive" }, 'proxy/kernel: unknown loss "contrastive". Valid losses: pairwise, alignment.'],
    ["a negative sameClassWeight", { sameClassWeight: -0.5 }, "proxy/kernel: sameClassWeight -0.5 is invalid; it must be a finite number >= 0."],
    ["an infinite sameClassWeight", { sameClassWeight: Infinity }, "proxy/kernel: sameClassWeight Infinity is invalid"],
    ["sigma 0", { sigma: 0 }, "proxy/kernel: sigma 0 is invalid; it must be a finite number > 0."],
    ["hiddenEpochs 0", { hiddenEpochs: 0 }, "proxy/kernel: hiddenEpochs 0 is invalid; it must be a positive integer."],
    ["outputEpochs 1.5", { outputEpochs: 1.5 }, "proxy/kernel: outputEpochs 1.5 is invalid; it must be a positive integer."],
    ["a negative outputLr", { outputLr: -0.01 }, "proxy/kernel: outputLr -0.01 is invalid; it must be a finite number > 0."],
  ])("rejects %s", (_, options, message) => {
    const create = () => kernelProxy(options as KernelProxyOptions);

    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  test("rejects fewer than 2 modules", () => {
    const model = mlp({ kind: "mlp", inputShape: [6], hidden: [8], classes: 3 });
    const plan = () => kernelProxy().plan([model], context());

    expect(plan).toThrow(ConfigError);
    expect(plan).toThrow("proxy/kernel needs at least 2 training modules (hidden modules and an output module), but got 1.");
  });
});

describe("kernelProxy plan", () => {
  test("has one phase per module, the output module last", () => {
    const modules = threeModules();
    const phases = kernelProxy().plan(modules, context());

    expect(phases.map((phase) => phase.label)).toEqual([
      "module 1/3: kernel proxy loss",
      "module 2/3: kernel proxy loss",
      "module 3/3: output layer, cross-entropy",
    ]);
    phases.forEach((phase, i) => expect(phase.trainable).toEqual([modules[i]]));
  });

  test("takes epochs from the run unless overridden", () => {
    const modules = threeModules();

    expect(kernelProxy().plan(modules, context(4)).map((phase) => phase.epochs)).toEqual([4, 4, 4]);
    expect(
      kernelProxy({ hiddenEpochs: 2, outputEpochs: 5 }).plan(modules, context(4)).map((phase) => phase.epochs),
    ).toEqual([2, 2, 5]);
  });
});

describe("kernelProxy module boundary", () => {
  test.each([1, 2, 3])("phase %i changes only its own module", (number) => {
    const index = number - 1;
    const modules = threeModules();
    const phase = kernelProxy().plan(modules, context())[index]!;
    const before = modules.map(snapshot);

    phase.begin?.();
    for (const batch of smallSource().batches({ batchSize: 8, shuffle: false })) {
      tidy(() => phase.step(batch));
    }
    phase.end?.();
    const after = modules.map(snapshot);

    modules.forEach((_, i) => {
      if (i === index) expect(after[i], `module ${i + 1}`).not.toEqual(before[i]);
      else expect(after[i], `module ${i + 1}`).toEqual(before[i]);
    });
  });

  test("hidden phase freezes earlier modules in eval mode", () => {
    const modules = threeModules();
    const phase = kernelProxy().plan(modules, context())[1]!;
    phase.begin?.();

    expect(modules.map((module) => module.training)).toEqual([false, true, true]);
    phase.end?.();
  });
});

describe("kernelProxy memory", () => {
  test("stays flat across epochs of a hidden phase", async () => {
    const atEpochEnd: MemoryInfo[] = [];
    await train({
      modules: threeModules(),
      method: kernelProxy({ hiddenEpochs: 5, outputEpochs: 1 }),
      train: smallSource(),
      epochs: 1,
      batchSize: 10,
      optimizer: ADAM,
      onEvent: (event) => {
        if (event.event === "epoch-end" && event.phase === 1) atEpochEnd.push(memory());
      },
    });

    expect(atEpochEnd).toHaveLength(5);
    expect(atEpochEnd[4]!.tensors).toBe(atEpochEnd[0]!.tensors);
    expect(atEpochEnd[4]!.bytes).toBe(atEpochEnd[0]!.bytes);
  });
});

describe("kernelProxy pairwise labels", () => {
  /** Load the first 256 embedded MNIST training digits with each label replaced by `relabel(label)`. */
  async function mnistPrefix(relabel: (label: number) => number): Promise<Dataset> {
    const prefix = (await loadMnist()).train.slice(0, 256);
    return new Dataset({
      name: "relabelled",
      images: prefix.images,
      labels: prefix.labels.map(relabel),
      sampleShape: prefix.sampleShape,
      classes: prefix.classes,
    });
  }

  /** Train an MLP [32, 16] split into 3 modules and return every step loss of its two hidden phases. */
  async function hiddenLosses(source: Dataset): Promise<number[]> {
    const losses: number[] = [];
    const collect = (event: TrainingEvent) => {
      if (event.event === "step" && event.phase < 3) losses.push(...Object.values(event.losses));
    };
    await train({
      modules: split(mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [32, 16], classes: 10 }), [1, 2]),
      method: kernelProxy({ hiddenEpochs: 2, outputEpochs: 1 }),
      train: source,
      epochs: 1,
      batchSize: 32,
      optimizer: { kind: "adam", lr: 1e-3 },
      logEvery: 1,
      onEvent: collect,
    });
    return losses;
  }

  test("hidden losses do not change when class ids are permuted", { timeout: 60_000 }, async () => {
    const original = await hiddenLosses(await mnistPrefix((label) => label));
    const permuted = await hiddenLosses(await mnistPrefix((label) => (label * 3 + 7) % 10));

    // 2 phases × 2 epochs × 8 steps.
    expect(original).toHaveLength(32);
    expect(permuted).toEqual(original);
  });

  test("hidden losses change when two classes are merged", { timeout: 60_000 }, async () => {
    const original = await hiddenLosses(await mnistPrefix((label) => label));
    const merged = await hiddenLosses(await mnistPrefix((label) => (label === 1 ? 0 : label)));

    expect(merged).not.toEqual(original);
  });
});

describe("proxy/kernel with runner options", () => {
  test("lists each phase's optimizer for schedules and checkpoints", () => {
    const phases = kernelProxy().plan(threeModules(), context());

    expect(phases.map((phase) => phase.optimizers?.length)).toEqual([1, 1, 1]);
    expect(phases[2]!.optimizers![0]!.lr).toBeCloseTo(0.1, 12);
  });

  test("clips its gradients to maxGradNorm", () => {
    const modules = threeModules();
    const before = modules[0]!.parameters().map((p) => Array.from(p.value.dataSync()));
    const sgd: OptimizerSpec = { kind: "sgd", lr: 1 };
    const clippedContext = { ...context(), optimizer: sgd, createOptimizer: () => createOptimizer(sgd), maxGradNorm: 1e-4 };
    const [first] = kernelProxy().plan(modules, clippedContext);
    const batch = smallSource().batches({ batchSize: 24, shuffle: false }).next().value!;
    tidy(() => first!.step(batch).losses);

    const after = modules[0]!.parameters().map((p) => Array.from(p.value.dataSync()));
    const distance = Math.sqrt(after.flat().reduce((acc, w, i) => acc + (w - before.flat()[i]!) ** 2, 0));
    // One SGD step with lr 1 moves the weights by the clipped gradient norm, at most 1e-4.
    expect(distance).toBeLessThanOrEqual(1e-4 * (1 + 1e-3));
    expect(distance).toBeGreaterThan(0);
  });
});
