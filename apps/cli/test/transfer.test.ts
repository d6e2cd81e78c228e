/**
 * `modular transfer`: usage errors, checkpoint errors, and an end-to-end
 * run on bodies that `modular train --checkpoint-dir` writes here.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

let root: string;
/** Body trained with proxy/kernel for 3 epochs on 2,000 embedded MNIST samples. */
let trained: string;
/** Body at its initial weights: one step on one sample, whose kernel proxy loss has a zero gradient. */
let untrained: string;
/** Body of proxy/pred, checkpointed as one module file per block. */
let layerwise: string;

/** Train a small MLP on the embedded MNIST and checkpoint it into `dir`. */
async function trainBody(dir: string, flags: readonly string[]): Promise<void> {
  const argv = ["train", "--hidden", "32", "--batch-size", "64", "--limit-test", "100", "--checkpoint-dir", dir, ...flags];
  const { code, stderr } = await run(argv);
  expect(stderr).toBe("");
  expect(code).toBe(0);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "modular-transfer-"));
  trained = join(root, "trained");
  untrained = join(root, "untrained");
  layerwise = join(root, "layerwise");
  await trainBody(trained, ["--epochs", "3", "--limit-train", "2000"]);
  await trainBody(untrained, ["--epochs", "1", "--limit-train", "1"]);
  await trainBody(layerwise, ["--method", "proxy/pred", "--hidden", "32,16", "--epochs", "1", "--limit-train", "500"]);
  // Three small training runs: about 3 s alone, several times that beside other test projects.
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Flags of a small transfer run on the embedded MNIST. */
const SMALL_TARGET = ["--dataset", "mnist", "--limit-train", "2000", "--limit-test", "500", "--batches", "4", "--batch-size", "64"];

interface TransferRecord {
  readonly event: string;
  readonly [field: string]: unknown;
}

function parseLines(stdout: string): TransferRecord[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as TransferRecord);
}

describe("transfer command line", () => {
  const usageErrors: readonly [string, readonly string[], string][] = [
    ["no body", ["transfer", "--dataset", "mnist"], "transfer needs at least one --body"],
    ["no dataset", ["transfer", "--body", "x"], "transfer needs --dataset"],
    ["unknown dataset", ["transfer", "--body", "x", "--dataset", "imagenet"], 'Unknown dataset "imagenet"'],
    ["data dir for mnist", ["transfer", "--body", "x", "--dataset", "mnist", "--data-dir", "/tmp"], "--data-dir does not apply to --dataset mnist"],
    ["zero batches", ["transfer", "--body", "x", "--dataset", "mnist", "--batches", "0"], 'Invalid value "0" for --batches: out of range.'],
    ["batch size 1", ["transfer", "--body", "x", "--dataset", "mnist", "--batch-size", "1"], 'Invalid value "1" for --batch-size: out of range. Expected an integer >= 2.'],
    ["zero fit epochs", ["transfer", "--body", "x", "--dataset", "mnist", "--fit-epochs", "0"], 'Invalid value "0" for --fit-epochs: out of range.'],
    ["zero fit rate", ["transfer", "--body", "x", "--dataset", "mnist", "--fit-lr", "0"], 'Invalid value "0" for --fit-lr: out of range.'],
    ["unknown flag", ["transfer", "--bodies", "x"], "unknown option '--bodies'"],
  ];

  test.each(usageErrors)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run "modular transfer --help" for usage.');
    expect(stdout).toBe("");
  });

  test("help lists the flags", async () => {
    const { code, stdout } = await run(["transfer", "--help"]);

    expect(code).toBe(0);
    for (const flag of ["--body <dir>", "--dataset <name>", "--batches <n>", "--fit-epochs <n>", "--json"]) expect(stdout).toContain(flag);
  });

  test("limit above the split size", async () => {
    const { code, stderr } = await run(["transfer", "--body", trained, "--dataset", "mnist", "--limit-train", "9000"]);

    expect(code).toBe(2);
    expect(stderr).toContain('Invalid value "9000" for --limit-train: the mnist training split has only 8004 samples.');
    expect(stderr).toContain('Run "modular transfer --help" for usage.');
  });
});

describe("transfer checkpoint errors", () => {
  /** Copy the trained checkpoint named `name` and change the copy with `edit`. */
  async function brokenCopy(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
    const dir = join(root, name);
    await cp(trained, dir, { recursive: true });
    await edit(dir);
    return dir;
  }

  test("missing folder", async () => {
    const dir = join(root, "no-such-folder");
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(1);
    expect(stderr).toContain(`modular: error: ${dir}: folder: expected a checkpoint folder, found no readable folder`);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("folder without model.json", async () => {
    const dir = join(root, "empty");
    await mkdir(dir, { recursive: true });
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(1);
    expect(stderr).toContain(`${dir}: file "model.json": expected the model spec of the run, found no such file`);
    expect(stderr).toContain("modular train --checkpoint-dir DIR");
  });

  test("model.json that is not JSON", async () => {
    const dir = await brokenCopy("bad-json", (path) => writeFile(join(path, "model.json"), "{ kind: mlp"));
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(1);
    expect(stderr).toContain(`${dir}/model.json: contents: expected JSON, found text that does not parse`);
  });

  test("missing module file", async () => {
    const dir = await brokenCopy("no-module", (path) => rm(join(path, "module-1.safetensors")));
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(1);
    expect(stderr).toContain(`${dir}: file "module-1.safetensors": expected one weight file per training module`);
  });

  test("weights of another width", async () => {
    const dir = await brokenCopy("other-width", async (path) => {
      const spec = JSON.parse(await readFile(join(path, "model.json"), "utf8")) as Record<string, unknown>;
      await writeFile(join(path, "model.json"), JSON.stringify({ ...spec, hidden: [48] }));
    });
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(1);
    expect(stderr).toContain(`${dir}/module-1.safetensors: tensor`);
    expect(stderr).toContain("shape [784, 32]");
  });

  test("input shape of another dataset", async () => {
    const dir = await brokenCopy("other-shape", async (path) => {
      const spec = JSON.parse(await readFile(join(path, "model.json"), "utf8")) as Record<string, unknown>;
      await writeFile(join(path, "model.json"), JSON.stringify({ ...spec, inputShape: [784] }));
    });
    const { code, stderr } = await run(["transfer", "--body", dir, "--dataset", "mnist"]);

    expect(code).toBe(2);
    expect(stderr).toContain(`The body in ${dir} takes samples of shape [784]`);
    expect(stderr).toContain("--dataset mnist has samples of shape [1, 28, 28]");
  });
});

describe("transfer end to end", () => {
  test("trained body ranks above untrained", async () => {
    const argv = ["transfer", "--body", untrained, "--body", trained, ...SMALL_TARGET, "--fit-epochs", "2", "--json"];
    const { code, stdout, stderr } = await run(argv);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    const records = parseLines(stdout);
    expect(records.map((record) => record.event)).toEqual(["score", "fit", "score", "fit", "ranking"]);

    const [untrainedScore, untrainedFit, trainedScore, trainedFit, ranking] = records;
    expect(trainedScore!.score as number).toBeLessThan(untrainedScore!.score as number);
    expect(trainedScore!.losses).toHaveLength(4);
    expect(trainedScore!.samples).toBe(256);
    expect(trainedFit!.testAccuracy as number).toBeGreaterThan(untrainedFit!.testAccuracy as number);
    expect(ranking!.bodies).toEqual([
      { rank: 1, body: trained, score: trainedScore!.score, testAccuracy: trainedFit!.testAccuracy },
      { rank: 2, body: untrained, score: untrainedScore!.score, testAccuracy: untrainedFit!.testAccuracy },
    ]);
    expect(ranking!.spearman).toBe(-1);
  });

  test("same seed gives the same scores", async () => {
    const argv = ["transfer", "--body", trained, ...SMALL_TARGET, "--json"];
    const first = parseLines((await run(argv)).stdout);
    const second = parseLines((await run(argv)).stdout);
    const otherSeed = parseLines((await run([...argv, "--seed", "2"])).stdout);

    expect(second[0]!.losses).toEqual(first[0]!.losses);
    expect(otherSeed[0]!.losses).not.toEqual(first[0]!.losses);
  });

  test("layer-wise checkpoint loads its body", async () => {
    const { code, stdout, stderr } = await run(["transfer", "--body", layerwise, "--body", untrained, ...SMALL_TARGET]);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`body 1/2 ${layerwise}: score `);
    expect(stdout).toContain("Ranking (lowest score first");
    expect(stdout).toContain("Add --fit-epochs n");
    expect(stdout).not.toContain("Spearman");
  });

  test("human output shows accuracies and Spearman", async () => {
    const { code, stdout } = await run(["transfer", "--body", trained, "--body", untrained, ...SMALL_TARGET, "--fit-epochs", "1"]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/body 1\/2 .*trained: output layer fitted for 1 epoch in [\d.]+ s, test accuracy [\d.]+ % on 500 samples/);
    expect(stdout).toContain("  rank  score   accuracy  body");
    expect(stdout).toContain("Spearman rank correlation of score and accuracy over 2 bodies: -1.000");
  });
});
