/**
 * `proxy/dgl-async` in real worker threads, from the built package (the
 * workers load `dist/dgl-worker-node.js`): it trains the embedded MNIST well
 * above chance, copies the trained weights back, reports staleness, and
 * refuses runs it cannot do.
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadMnist } from "@modular/datasets";
import { ConfigError, constantLr, mlp, Sequential, split, type TrainingEvent, train } from "@modular/nn";
import { requireBuiltEntries } from "@modular/testing/build-output";
import { beforeAll, describe, expect, test } from "vitest";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
type Package = typeof import("../src/index.js");
let pkg: Package;

beforeAll(async () => {
  requireBuiltEntries(dist, ["node.js", "dgl-worker-node.js"]);
  pkg = (await import(join(dist, "node.js"))) as Package;
});

const OPTIMIZER = { kind: "adam", lr: 0.002 } as const;

describe("proxy/dgl-async", () => {
  test("trains MNIST in 3 worker threads from replay buffers", async () => {
    const { train: trainSet, test: testSet } = await loadMnist();
    // Narrow layers, as in local-schemes.test.ts: untrained hidden layers leave the output layer near 0.40.
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 16], classes: 10 }, 3);
    const modules = split(model, [1, 2]);
    const initial = modules[0]!.parameters()[0]!.value.dataSync().slice();
    const events: TrainingEvent[] = [];

    const result = await train({
      modules,
      method: pkg.dglAsyncProxy({ outputLr: 0.01, read: "replay" }),
      train: trainSet.slice(0, 1000),
      test: testSet.slice(0, 500),
      epochs: 3,
      batchSize: 32,
      seed: 3,
      optimizer: OPTIMIZER,
      onEvent: (event) => events.push(event),
    });

    // It measured 0.702; untrained hidden layers stay near 0.40.
    expect(result.testAccuracy).toBeGreaterThan(0.55);
    const trained = modules[0]!.parameters()[0]!.value.dataSync();
    expect(trained.some((value, i) => value !== initial[i])).toBe(true);

    const epochs = events.filter((event) => event.event === "epoch-end");
    expect(epochs).toHaveLength(3);
    for (const event of epochs) {
      // Every module reported a loss for the epoch; 32 steps of 32 samples cover the 1,000.
      expect(Object.keys(event.losses).sort()).toEqual(["module 1/3", "module 2/3", "module 3/3"]);
      const stats = event.stats!;
      for (const name of ["module 2/3", "module 3/3"]) {
        expect(stats[`${name} staleness`]).toBeGreaterThanOrEqual(0);
        // A module runs at most `capacity` (4) items ahead, and reads among the 4 newest.
        expect(stats[`${name} max staleness`]).toBeLessThanOrEqual(8);
        expect(stats[`${name} unread`]).toBeGreaterThanOrEqual(0);
      }
    }
    model.dispose();
  });

  test("fifo, the default, reads every item once", async () => {
    const { train: trainSet, test: testSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 3);
    const events: TrainingEvent[] = [];
    await train({
      modules: split(model, [1]),
      method: pkg.dglAsyncProxy({ capacity: 2 }),
      train: trainSet.slice(0, 256),
      test: testSet.slice(0, 100),
      epochs: 1,
      batchSize: 64,
      seed: 1,
      optimizer: OPTIMIZER,
      onEvent: (event) => events.push(event),
    });
    const end = events.find((event) => event.event === "epoch-end")!;
    expect(end.stats!["module 2/2 unread"]).toBe(0);
    expect(end.stats!["module 2/2 max staleness"]).toBeLessThanOrEqual(2);
    model.dispose();
  });

  test("workers report their peak memory", async () => {
    const { train: trainSet, test: testSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 3);
    const events: TrainingEvent[] = [];
    await train({
      modules: split(model, [1]),
      method: pkg.dglAsyncProxy(),
      train: trainSet.slice(0, 256),
      test: testSet.slice(0, 100),
      epochs: 1,
      batchSize: 64,
      seed: 1,
      optimizer: OPTIMIZER,
      onEvent: (event) => events.push(event),
    });
    const epochEnd = events.find((event) => event.event === "epoch-end")!;
    const first = epochEnd.workerPeakBytes!["module 1/2"]!;
    const second = epochEnd.workerPeakBytes!["module 2/2"]!;
    expect(epochEnd.stats!["module 1/2 peak MiB"]).toBe(first / 2 ** 20);

    // Module 1 keeps at least its 784×16 weights and a 64×784 input batch live.
    expect(first).toBeGreaterThanOrEqual(4 * (784 * 16 + 64 * 784));
    // Module 2 reads 16 features per sample, so its inputs are 49 times smaller.
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThan(4 * 64 * 784);
    model.dispose();
  });

  test("modules not cut from a Model are refused", async () => {
    const { train: trainSet, test: testSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 3);
    const plain = model.blocks.map((block) => new Sequential([block]));
    await expect(
      train({
        modules: plain,
        method: pkg.dglAsyncProxy(),
        train: trainSet.slice(0, 64),
        test: testSet.slice(0, 64),
        epochs: 1,
        batchSize: 32,
        optimizer: OPTIMIZER,
      }),
    ).rejects.toThrow(/must come from split\(model, \.\.\.\)/);
    model.dispose();
  });

  test("a schedule is refused before training, since the optimizers live in the workers", async () => {
    const { train: trainSet, test: testSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 3);
    await expect(
      train({
        modules: split(model, [1]),
        method: pkg.dglAsyncProxy(),
        train: trainSet.slice(0, 64),
        test: testSet.slice(0, 64),
        epochs: 1,
        batchSize: 32,
        optimizer: OPTIMIZER,
        schedule: constantLr(),
      }),
    ).rejects.toThrow(ConfigError);
    model.dispose();
  });

  test("invalid options name the value", () => {
    expect(() => pkg.dglAsyncProxy({ capacity: 0 })).toThrow("proxy/dgl-async: capacity 0 is invalid; it must be a positive integer.");
    expect(() => pkg.dglAsyncProxy({ read: "lifo" as "fifo" })).toThrow(
      'proxy/dgl-async: unknown read mode "lifo". Valid modes: replay, fifo.',
    );
    expect(() => pkg.dglAsyncProxy({ width: 0 })).toThrow("proxy/dgl-async: width 0 is invalid");
    expect(() => pkg.dglAsyncProxy({ outputLr: -1 })).toThrow("proxy/dgl-async: outputLr -1 is invalid; it must be a finite number > 0.");
  });

  test("sync DGL rejects ignored options", () => {
    expect(() => pkg.dglProxy({ hiddenEpochs: 2 } as object)).toThrow("proxy/dgl: hiddenEpochs is not supported");
    expect(() => pkg.dglProxy({ outputEpochs: 2 } as object)).toThrow("proxy/dgl: outputEpochs is not supported");
    expect(() => pkg.dglProxy({ width: 1.5 })).toThrow("proxy/dgl: width 1.5 is invalid");
  });
});
