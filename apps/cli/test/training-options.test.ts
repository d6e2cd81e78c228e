/** The data and training flags beyond the defaults: CSV files, schedules, normalisation, checkpoints and resuming. */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run, SMALL_RUN } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "modular-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Write a CSV of `rows` samples with 4 features and a "label" column. The
 * label is 1 when feature 0 plus feature 1 is above 1, so a model can learn it.
 */
async function writeCsv(name: string, rows: number, offset: number): Promise<string> {
  const lines = ["f0,f1,f2,label"];
  for (let i = 0; i < rows; i++) {
    const a = ((i + offset) * 37) % 101 / 100;
    const b = ((i + offset) * 53) % 97 / 96;
    const c = ((i + offset) * 11) % 13 / 12;
    lines.push(`${a},${b},${c},${a + b > 1 ? 1 : 0}`);
  }
  const path = join(dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** Parse `--json` output into its event records. */
function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("csv dataset", () => {
  test("trains from two CSV files", async () => {
    const train = await writeCsv("train.csv", 600, 0);
    const test = await writeCsv("test.csv", 200, 1000);
    const argv = ["train", "--method", "backprop", "--dataset", "csv", "--csv-train", train, "--csv-test", test];

    const { code, stdout, stderr } = await run([...argv, "--hidden", "16", "--epochs", "20", "--batch-size", "32", "--lr", "0.01", "--json"]);

    expect(stderr).toBe("");
    expect(code).toBe(0);
    const done = events(stdout).at(-1)!;
    expect(done.event).toBe("done");
    // The label is a linear threshold of two features, so a working run separates it, while chance is about 0.5.
    expect(done.testAccuracy).toBeGreaterThan(0.9);
  });

  test("a missing label column names it", async () => {
    const train = await writeCsv("train-label.csv", 20, 0);
    const argv = ["train", "--dataset", "csv", "--csv-train", train, "--csv-test", train, "--csv-label", "class"];

    const { code, stderr } = await run(argv);

    expect(code).toBe(1);
    expect(stderr).toContain('"class"');
  });
});

describe("training settings", () => {
  test("the header line lists the settings", async () => {
    const argv = ["train", "--method", "backprop", ...SMALL_RUN, "--epochs", "2"];
    const settings = ["--schedule", "cosine", "--warmup", "1", "--weight-decay", "0.0001", "--max-grad-norm", "5", "--normalize"];

    const { code, stdout } = await run([...argv, ...settings]);

    expect(code).toBe(0);
    expect(stdout).toContain(
      "schedule cosine over 1 epoch after 1 warm-up epoch | weight decay 0.0001 | gradient norm clipped at 5 | " +
        "inputs normalised per channel\n",
    );
    // Measured 87.0 %; a warm-up epoch at rate 0 gave 43 %.
    expect(stdout).toMatch(/Test accuracy: (8|9)\d\.\d\d %/);
  });

  test("--augment is listed", async () => {
    const { code, stdout } = await run(["train", "--method", "backprop", ...SMALL_RUN, "--epochs", "1", "--augment"]);

    expect(code).toBe(0);
    expect(stdout).toContain("augmented: crop with padding 4, horizontal flip\n");
  });

  test("--labels pairwise lists the labelled examples", async () => {
    const argv = ["train", ...SMALL_RUN, "--limit-train", "500", "--epochs", "1", "--labels", "pairwise", "--shots", "2"];
    const { code, stdout } = await run(argv);

    expect(code).toBe(0);
    expect(stdout).toMatch(/pair labels only for the hidden modules; output layer fitted on 20 labelled examples \(2 per class\), training indices (\d+, ){19}\d+\n/);
    expect(stdout).toContain("module 2/2: output layer, cross-entropy (200 epochs of 1 steps)");
    expect(stdout).toMatch(/Test accuracy: \d+\.\d\d %/);
  });

  test("--labels pairwise in --json names the indices", async () => {
    const argv = ["train", ...SMALL_RUN, "--limit-train", "500", "--epochs", "1", "--labels", "pairwise", "--json"];
    const { code, stdout } = await run(argv);

    expect(code).toBe(0);
    const start = events(stdout)[0]!;
    expect(start.labelKind).toBe("pairs");
    expect(start.labelledSamples).toBe(10);
    const labels = start.labels as { kind: string; shots: number; indices: number[] };
    expect(labels.kind).toBe("pairwise");
    expect(labels.shots).toBe(1);
    expect(labels.indices).toHaveLength(10);
    expect(labels.indices.every((index) => Number.isInteger(index) && index >= 0 && index < 500)).toBe(true);
  });

  test("--labels pairwise rejects backprop", async () => {
    const { code, stdout, stderr } = await run(["train", "--method", "backprop", ...SMALL_RUN, "--labels", "pairwise"]);

    expect(code).toBe(1);
    expect(stderr).toContain('backprop (phase "end-to-end backprop") needs class labels, but the training data has pair labels only.');
    expect(stderr).toContain("--labels full");
    expect(stdout).not.toContain("Phase 1");
  });

  test("--json reports the settings", async () => {
    const argv = ["train", "--method", "backprop", ...SMALL_RUN, "--epochs", "1", "--schedule", "step", "--lr-step", "1", "--json"];

    const { code, stdout } = await run(argv);

    expect(code).toBe(0);
    const start = events(stdout)[0]!;
    expect(start.schedule).toBe("step ×0.1 every 1 epoch");
    expect(start.weightDecay).toBe(0);
    expect(start.maxGradNorm).toBeNull();
    expect(start.augment).toBe(false);
    expect(start.labels).toEqual({ kind: "full" });
  });
});

describe("checkpoints", () => {
  test("resuming a finished run reloads its weights", async () => {
    const runDir = join(dir, "finished-run");
    const common = ["train", "--method", "proxy/kernel", ...SMALL_RUN, "--limit-train", "500", "--epochs", "2", "--json"];

    const finished = await run([...common, "--run-dir", runDir]);
    const resumed = await run(["train", "--resume", runDir, "--json"]);

    expect(finished.code).toBe(0);
    expect(resumed.code).toBe(0);
    expect((await readdir(join(runDir, "checkpoint"))).sort()).toContain("model.json");
    expect(events(finished.stdout).filter((event) => event.event === "checkpoint")).toHaveLength(4);
    // Nothing is left to train, so the accuracy is that of the loaded weights.
    const accuracy = (stdout: string) => events(stdout).at(-1)!.testAccuracy;
    expect(accuracy(resumed.stdout)).toBe(accuracy(finished.stdout));
    expect(events(resumed.stdout).some((event) => event.event === "resume")).toBe(true);
  });

  test("resuming from a missing folder names it", async () => {
    const { code, stderr } = await run(["train", "--resume", join(dir, "missing")]);

    expect(code).toBe(2);
    expect(stderr).toContain(join(dir, "missing"));
    expect(stderr).toContain("the folder was not found");
  });

  test("resuming from a folder without config.json says so", async () => {
    const empty = await mkdtemp(join(dir, "empty-"));
    const { code, stderr } = await run(["train", "--resume", empty]);

    expect(code).toBe(2);
    expect(stderr).toContain("it has no config.json");
  });
});
