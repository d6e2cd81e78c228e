/**
 * Training on the embedded MNIST: 2,000 training images, an MLP with hidden
 * layers of 64 and 32 units split at every block, 3 epochs, Adam at 0.002.
 * The bound comes from the same run with only the output layer trained on
 * the untrained hidden layers, measured here.
 */
import { loadMnist } from "@modular/datasets";
import {
  type Batch,
  classLabels,
  crossEntropy,
  forwardThrough,
  mlp,
  type Module,
  type Phase,
  splitEveryBlock,
  tapeFor,
  type TrainingContext,
  type TrainingEvent,
  type TrainingMethod,
  train,
} from "@modular/nn";
import { describe, expect, test } from "vitest";
import { ddtp, drl, dtp } from "../src/index.js";

/** Train only the output module, on the features of the untrained hidden modules. */
const outputOnly: TrainingMethod = {
  name: "output layer only",
  plan(modules: readonly Module[], context: TrainingContext): Phase[] {
    const hidden = modules.slice(0, -1);
    const output = modules[modules.length - 1]!;
    const optimizer = context.createOptimizer();
    return [
      {
        label: "output layer only",
        epochs: context.epochs,
        trainable: [output],
        optimizers: [optimizer],
        step(batch: Batch) {
          const features = forwardThrough(hidden, batch.x);
          const tape = tapeFor(output.parameters());
          const loss = tape.record(() => crossEntropy(output.forward(features), classLabels(batch, "output layer only")));
          optimizer.step(output.parameters(), tape.gradient(loss, output.parameters().map((p) => p.value)));
          return { losses: { model: loss } };
        },
        end: () => optimizer.dispose(),
      },
    ];
  },
};

async function run(method: TrainingMethod, events: TrainingEvent[] = []): Promise<number> {
  const { train: trainSet, test: testSet } = await loadMnist();
  const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [64, 32], classes: 10 }, 3);
  const result = await train({
    modules: splitEveryBlock(model),
    method,
    train: trainSet.slice(0, 2000),
    test: testSet.slice(0, 500),
    epochs: 3,
    batchSize: 32,
    seed: 3,
    optimizer: { kind: "adam", lr: 0.002 },
    onEvent: (event) => events.push(event),
  });
  model.dispose();
  return result.testAccuracy!;
}

function lastEpochStats(events: readonly TrainingEvent[]): Record<string, number> {
  const epochs = events.filter((event) => event.event === "epoch-end");
  const last = epochs[epochs.length - 1]!;
  return last.event === "epoch-end" ? (last.stats ?? {}) : {};
}

describe("target propagation on MNIST", () => {
  // TODO: vanilla tp collapses here (0.100, chance) with every setting we tried
  // (ReLU or linear inverses, noise 0.1 or 1, outputStep 0.01 to 1, with and
  // without feedback pre-training): its output becomes uniform over the
  // classes. No test asserts tp's accuracy yet.

  let frozen: Promise<number> | undefined;
  test.each([
    ["dtp", dtp],
    ["drl", drl],
    ["ddtp", ddtp],
  ] as const)(
    "%s trains and aligns with backprop",
    async (_, create) => {
      frozen ??= run(outputOnly);
      const events: TrainingEvent[] = [];
      const accuracy = await run(create({ alignmentEvery: 5 }), events);

      // Measured on the cpu backend: output layer alone 0.430, dtp 0.842, drl 0.890, ddtp 0.852.
      expect(accuracy).toBeGreaterThan((await frozen) + 0.2);

      // Measured on the cpu backend, last epoch: dtp 66.6° and 62.8°, drl 44.8° and 31.2°, ddtp 45.7° and 35.1°.
      const stats = lastEpochStats(events);
      const hidden = ["alignment module 1/3", "alignment module 2/3"].map((key) => stats[key]!);
      expect(hidden.every((angle) => angle > 0)).toBe(true);
      expect((hidden[0]! + hidden[1]!) / 2).toBeLessThan(90);
      // The output module regresses toward a gradient step on its own output, so its update is the true gradient.
      expect(stats["alignment module 3/3"]).toBeLessThan(0.5);
    },
    // Each run takes about 2 s alone, but the whole suite runs several projects at once on 2 cores.
    180_000,
  );
});
