/**
 * Resuming a run from its checkpoint: 4 epochs straight and 2 epochs, an
 * interruption, then 2 resumed epochs must end with bit-identical weights.
 */
import { loadMnist } from "@modular/datasets";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  backprop,
  type CheckpointFiles,
  CheckpointFormatError,
  ConfigError,
  cosineLr,
  type Model,
  mlp,
  type OptimizerSpec,
  splitBeforeOutput,
  train,
  type TrainOptions,
} from "../src/index.js";
import { train as trainWithFolders } from "../src/node.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 } as const;

class Interrupted extends Error {}

/** Build the options shared by every run: 300 MNIST digits, two training modules, Adam and a cosine schedule. */
async function runOptions(model: Model, optimizer: OptimizerSpec = { kind: "adam", lr: 3e-3 }) {
  const { train: trainSet } = await loadMnist();
  return {
    modules: splitBeforeOutput(model),
    method: backprop(),
    train: trainSet.slice(0, 300),
    epochs: 4,
    batchSize: 32,
    seed: 5,
    optimizer,
    schedule: cosineLr({ total: 4 }),
  } satisfies TrainOptions;
}

/** Raw bits of every parameter, so the comparison is exact. */
async function bitsOf(model: Model): Promise<Uint32Array[]> {
  return Promise.all(model.parameters().map(async (p) => new Uint32Array(((await p.value.data()) as Float32Array).slice().buffer)));
}

/** Run 4 epochs but stop right after the checkpoint of epoch 2; return the files it wrote. */
async function interruptedRun(optimizer?: OptimizerSpec): Promise<CheckpointFiles> {
  let saved: CheckpointFiles = new Map();
  const options = await runOptions(mlp(SPEC, 1), optimizer);
  const run = train({
    ...options,
    checkpoint: { every: 2, spec: SPEC, write: (files) => void (saved = files) },
    onEvent: (event) => {
      if (event.event === "checkpoint" && event.epoch === 2) throw new Interrupted();
    },
  });
  await expect(run).rejects.toThrow(Interrupted);
  return saved;
}

describe("resume", { timeout: 60_000 }, () => {
  test.each<[string, OptimizerSpec]>([
    ["Adam", { kind: "adam", lr: 3e-3 }],
    ["SGD with momentum", { kind: "sgd", lr: 0.05, momentum: 0.9 }],
  ])("ends with the weights of an uninterrupted run (%s)", { timeout: 60_000 }, async (_name, optimizer) => {
    const straight = mlp(SPEC, 1);
    await train(await runOptions(straight, optimizer));

    const files = await interruptedRun(optimizer);
    const resumed = mlp(SPEC, 99);
    const seen: string[] = [];
    await train({
      ...(await runOptions(resumed, optimizer)),
      resumeFrom: { files, location: "memory" },
      onEvent: (event) => void (event.event === "epoch-end" || event.event === "resume" ? seen.push(`${event.event} ${event.epoch}`) : 0),
    });

    expect(seen).toEqual(["resume 2", "epoch-end 3", "epoch-end 4"]);
    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
  });

  test("checkpoint holds one file per module, the spec and the state", async () => {
    const files = await interruptedRun();
    const state = JSON.parse(new TextDecoder().decode(files.get("training-state.json")));

    expect([...files.keys()].sort()).toEqual([
      "model.json",
      "module-1.safetensors",
      "module-2.safetensors",
      "optimizer-state.safetensors",
      "training-state.json",
    ]);
    expect(JSON.parse(new TextDecoder().decode(files.get("model.json")))).toEqual(SPEC);
    expect(state).toMatchObject({ method: "backprop", seed: 5, modules: 2, phase: 1, epoch: 2 });
    // The rate of epoch 2 is the cosine schedule at position 1 of 4.
    expect(state.learningRates[0]).toBeCloseTo((3e-3 * (1 + Math.cos(Math.PI / 4))) / 2, 12);
  });

  test("rejects a checkpoint of another seed", async () => {
    const files = await interruptedRun();
    const options = await runOptions(mlp(SPEC, 1));

    await expect(train({ ...options, seed: 6, resumeFrom: { files, location: "memory" } })).rejects.toThrow(ConfigError);
  });

  test("rejects a checkpoint without its training state", async () => {
    const files = new Map(await interruptedRun());
    files.delete("training-state.json");
    const options = await runOptions(mlp(SPEC, 1));

    await expect(train({ ...options, resumeFrom: { files, location: "run-7" } })).rejects.toThrow(
      /run-7: file "training-state.json": expected a file of the checkpoint/,
    );
  });

  test("rejects a checkpoint of another model size", async () => {
    const files = await interruptedRun();
    const options = await runOptions(mlp({ ...SPEC, hidden: [8] }, 1));

    await expect(train({ ...options, resumeFrom: { files, location: "run-7" } })).rejects.toThrow(CheckpointFormatError);
  });

  test("rejects a phase that hides its optimizers", async () => {
    const options = await runOptions(mlp(SPEC, 1));
    const method = {
      name: "hidden optimizers",
      plan: (...args: Parameters<typeof options.method.plan>) =>
        options.method.plan(...args).map(({ optimizers: _, ...phase }) => phase),
    };

    await expect(train({ ...options, schedule: undefined, method, checkpoint: { every: 1, write: () => {} } })).rejects.toThrow(
      /checkpoint: phase "end-to-end backprop" does not list its optimizers/,
    );
  });
});

describe("checkpoint ifSupported", { timeout: 60_000 }, () => {
  test("trains without checkpoints when a phase hides its optimizers", async () => {
    const options = await runOptions(mlp(SPEC, 1));
    const method = {
      name: "hidden optimizers",
      plan: (...args: Parameters<typeof options.method.plan>) =>
        options.method.plan(...args).map(({ optimizers: _, ...phase }) => phase),
    };
    const written: CheckpointFiles[] = [];
    const events: string[] = [];

    await train({
      ...options,
      epochs: 1,
      schedule: undefined,
      method,
      checkpoint: { every: 1, ifSupported: true, write: (files) => void written.push(files) },
      onEvent: (event) => void events.push(event.event === "run-start" ? `run-start ${event.checkpoints}` : event.event),
    });

    expect(written).toHaveLength(0);
    expect(events).toContain("run-start false");
    expect(events).not.toContain("checkpoint");
  });

  test("still checkpoints a method that supports it", async () => {
    const written: CheckpointFiles[] = [];

    await train({ ...(await runOptions(mlp(SPEC, 1))), epochs: 1, checkpoint: { every: 1, ifSupported: true, write: (files) => void written.push(files) } });

    expect(written).toHaveLength(1);
  });
});

describe("resume from a folder", { timeout: 60_000 }, () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  test("writes the checkpoint files and resumes from them", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "modular-resume-"));
    folders.push(dir);
    const straight = mlp(SPEC, 1);
    await train(await runOptions(straight));

    const run = trainWithFolders({
      ...(await runOptions(mlp(SPEC, 1))),
      checkpoint: { dir, every: 2 },
      onEvent: (event) => {
        if (event.event === "checkpoint" && event.epoch === 2) throw new Interrupted();
      },
    });
    await expect(run).rejects.toThrow(Interrupted);
    const resumed = mlp(SPEC, 1);
    await trainWithFolders({ ...(await runOptions(resumed)), resumeFrom: dir });

    expect((await readdir(dir)).sort()).toEqual([
      "module-1.safetensors",
      "module-2.safetensors",
      "optimizer-state.safetensors",
      "training-state.json",
    ]);
    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
  });

  test("node train also takes byte-level options", { timeout: 60_000 }, async () => {
    let saved: CheckpointFiles = new Map();
    await trainWithFolders({ ...(await runOptions(mlp(SPEC, 1))), epochs: 1, checkpoint: { every: 1, write: (files) => void (saved = files) } });
    const resumed = mlp(SPEC, 2);
    const seen: string[] = [];
    await trainWithFolders({
      ...(await runOptions(resumed)),
      epochs: 1,
      resumeFrom: { files: saved, location: "memory" },
      onEvent: (event) => void seen.push(event.event),
    });

    expect([...saved.keys()]).toContain("training-state.json");
    expect(seen).toContain("resume");
    expect(seen).not.toContain("epoch-end");
  });

  test("names a missing folder", async () => {
    const options = await runOptions(mlp(SPEC, 1));

    await expect(trainWithFolders({ ...options, resumeFrom: "/nonexistent/modular-run" })).rejects.toThrow(
      /\/nonexistent\/modular-run: folder: expected a checkpoint folder/,
    );
  });
});
