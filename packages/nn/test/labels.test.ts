/** Class labels and pair labels: reading them from batches, and the runner's routing of labelled subsets. */
import { pairLabelled } from "@modular/datasets";
import { scalar, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  backprop,
  type Batch,
  classLabels,
  ConfigError,
  evaluate,
  MissingClassLabelsError,
  mlp,
  type Module,
  pairLabels,
  type Phase,
  sameClassMatrix,
  train,
  type TrainingContext,
  type TrainingEvent,
  type TrainingMethod,
} from "../src/index.js";
import { binnedSource } from "./sources.js";

const ADAM = { kind: "adam", lr: 0.01 } as const;

function labelled(): Batch {
  return { x: tensor([[0], [1], [2]]), y: tensor(Int32Array.from([2, 0, 2]), [3]) };
}

function pairsOnly(): Batch {
  return { x: tensor([[0], [1], [2]]), pairs: tensor([[1, 0, 1], [0, 1, 0], [1, 0, 1]]) };
}

describe("batch labels", () => {
  test("sameClassMatrix marks same-class pairs", () => {
    expect(sameClassMatrix(tensor(Int32Array.from([4, 1, 4, 1]), [4])).arraySync()).toEqual([
      [1, 0, 1, 0],
      [0, 1, 0, 1],
      [1, 0, 1, 0],
      [0, 1, 0, 1],
    ]);
  });

  test("pairLabels of class labels", () => {
    expect(pairLabels(labelled()).arraySync()).toEqual([[1, 0, 1], [0, 1, 0], [1, 0, 1]]);
  });

  test("pairLabels of pair labels", () => {
    const batch = pairsOnly();
    expect(pairLabels(batch)).toBe(batch.pairs);
  });

  test("classLabels of class labels", () => {
    const batch = labelled();
    expect(classLabels(batch, "test")).toBe(batch.y);
  });

  test("classLabels rejects pair labels", () => {
    expect(() => classLabels(pairsOnly(), "proxy/pred")).toThrow(MissingClassLabelsError);
    expect(() => classLabels(pairsOnly(), "proxy/pred")).toThrow(/proxy\/pred needs class labels.*--labels full/);
  });
});

/** A method of one hidden phase reading pair labels and an output phase on the labelled subset; it records what each saw. */
function recordingMethod(seen: { phase: string; samples: number; keys: string[] }[]): TrainingMethod {
  const phase = (label: string, fields: Partial<Phase>): Phase => ({
    label,
    epochs: 1,
    trainable: [],
    optimizers: [],
    ...fields,
    step(batch) {
      seen.push({ phase: label, samples: batch.x.shape[0]!, keys: Object.keys(batch).sort() });
      return { losses: { probe: scalar(1) } };
    },
  });
  return {
    name: "recording",
    plan(_modules: readonly Module[], _context: TrainingContext) {
      return [phase("hidden", { labelKind: "pairs" }), phase("output", { labelKind: "classes", data: "labelled" })];
    },
  };
}

describe("runner with pair labels", () => {
  test("hidden phase gets pair batches, output phase the labelled subset", async () => {
    const seen: { phase: string; samples: number; keys: string[] }[] = [];
    const events: TrainingEvent[] = [];
    await train({
      modules: [mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 })],
      method: recordingMethod(seen),
      train: pairLabelled(binnedSource(10, 4, 2)),
      labelled: binnedSource(3, 4, 2),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
      onEvent: (event) => events.push(event),
    });

    expect(seen.filter((step) => step.phase === "hidden").map((step) => step.keys)).toEqual([
      ["pairs", "x"],
      ["pairs", "x"],
      ["pairs", "x"],
    ]);
    expect(seen.filter((step) => step.phase === "output")).toEqual([{ phase: "output", samples: 3, keys: ["x", "y"] }]);
    const starts = events.flatMap((event) => (event.event === "phase-start" ? [[event.samples, event.stepsPerEpoch]] : []));
    expect(starts).toEqual([
      [10, 3],
      [3, 1],
    ]);
    const runStart = events.find((event) => event.event === "run-start");
    expect(runStart).toMatchObject({ labelKind: "pairs", labelledSamples: 3 });
  });

  test("context reports the labels and the subset size", () => {
    let context: TrainingContext | undefined;
    const method: TrainingMethod = {
      name: "context probe",
      plan(modules, planned) {
        context = planned;
        return recordingMethod([]).plan(modules, planned);
      },
    };
    return train({
      modules: [],
      method,
      train: pairLabelled(binnedSource(10, 4, 2)),
      labelled: binnedSource(4, 4, 2),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
    }).then(() => {
      expect(context?.labelKind).toBe("pairs");
      expect(context?.labelledSamples).toBe(4);
    });
  });

  test("backprop is rejected before training", async () => {
    const seen: TrainingEvent[] = [];
    const run = train({
      modules: [mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 })],
      method: backprop(),
      train: pairLabelled(binnedSource(10, 4, 2)),
      labelled: binnedSource(2, 4, 2),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
      onEvent: (event) => seen.push(event),
    });
    await expect(run).rejects.toThrow(MissingClassLabelsError);
    await expect(run).rejects.toThrow(/backprop \(phase "end-to-end backprop"\) needs class labels/);
    expect(seen).toEqual([]);
  });

  test("unused labelled subset is rejected", async () => {
    const run = train({
      modules: [mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 })],
      method: backprop(),
      train: binnedSource(10, 4, 2),
      labelled: binnedSource(2, 4, 2),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/no phase of backprop trains on a labelled subset/);
  });

  test("labelled subset of pair labels is rejected", async () => {
    const run = train({
      modules: [],
      method: recordingMethod([]),
      train: pairLabelled(binnedSource(10, 4, 2)),
      labelled: pairLabelled(binnedSource(2, 4, 2)),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
    });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/labelled subset has pair labels only/);
  });

  test("evaluate rejects pair labels", async () => {
    const model = mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 });
    await expect(evaluate([model], pairLabelled(binnedSource(4, 4, 2)))).rejects.toThrow(/pair labels only.*class labels/);
  });
});
