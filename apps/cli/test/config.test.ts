/**
 * `--config <file.json>` and method options: file values replace defaults,
 * typed flags replace file values, unknown keys and method options are
 * rejected with the valid names, and a run's config.json repeats it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { run } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "modular-config-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TINY = { hidden: [16], epochs: 1, limitTrain: 300, limitTest: 100, batchSize: 64 };

async function writeConfig(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("train --config", () => {
  test("file values replace the defaults", async () => {
    const config = await writeConfig("file.json", { ...TINY, method: "backprop", seed: 7 });

    const { code, stdout } = await run(["train", "--config", config, "--json"]);

    expect(code).toBe(0);
    expect(events(stdout)[0]).toMatchObject({ method: "backprop", hidden: [16], seed: 7, trainSamples: 300, batchSize: 64 });
  });

  test("typed flags win over the file", async () => {
    const config = await writeConfig("override.json", { ...TINY, method: "backprop", seed: 7 });

    const { stdout } = await run(["train", "--config", config, "--seed", "3", "--json"]);

    expect(events(stdout)[0]).toMatchObject({ seed: 3, hidden: [16] });
  });

  test("unknown key lists the valid keys", async () => {
    const config = await writeConfig("typo.json", { epoch: 2 });

    const { code, stderr } = await run(["train", "--config", config]);

    expect(code).toBe(2);
    expect(stderr).toContain(`Unknown key "epoch" in --config file "${config}"`);
    expect(stderr).toContain("Valid keys: augment, backend, batchSize,");
    expect(stderr).toContain("methodOptions");
  });

  test.each([
    ["not JSON", "{epochs: 1", "not JSON"],
    ["an array", "[1, 2]", "expected a JSON object"],
    ["a switch set to text", '{"normalize": "yes"}', 'Invalid value "yes" for "normalize" (--normalize)'],
  ])("rejects a file that is %s", async (_case, text, message) => {
    const path = join(dir, "invalid.json");
    await writeFile(path, text);

    const { code, stderr } = await run(["train", "--config", path]);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test("missing file is named", async () => {
    const { code, stderr } = await run(["train", "--config", join(dir, "absent.json")]);

    expect(code).toBe(2);
    expect(stderr).toContain(join(dir, "absent.json"));
  });
});

describe("method options", () => {
  test("methodOptions reach the method", async () => {
    const config = await writeConfig("predsim.json", { ...TINY, method: "proxy/predsim", methodOptions: { beta: 0.5 } });

    const { code, stdout } = await run(["train", "--config", config, "--json"]);

    expect(code).toBe(0);
    const labels = (events(stdout)[0]!.phases as { label: string }[]).map((phase) => phase.label);
    expect(labels[0]).toContain("beta 0.5");
  });

  test("--method-option wins over the file", async () => {
    const config = await writeConfig("predsim-flag.json", { ...TINY, method: "proxy/predsim", methodOptions: { beta: 0.5 } });

    const { stdout } = await run(["train", "--config", config, "--method-option", "beta=0.25", "--json"]);

    const labels = (events(stdout)[0]!.phases as { label: string }[]).map((phase) => phase.label);
    expect(labels[0]).toContain("beta 0.25");
  });

  test("unknown option lists the method's options", async () => {
    const { code, stderr } = await run(["train", "--method", "proxy/predsim", "--method-option", "bta=1"]);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown option "bta" for method proxy/predsim. Valid options: beta, hiddenEpochs,');
  });

  test("invalid value names the value", async () => {
    const { code, stderr } = await run(["train", "--method", "proxy/kernel", "--method-option", "kernel=laplace"]);

    expect(code).toBe(2);
    expect(stderr).toContain('unknown kernel "laplace"');
  });

  test("backprop takes no options", async () => {
    const { code, stderr } = await run(["train", "--method", "backprop", "--method-option", "beta=1"]);

    expect(code).toBe(2);
    expect(stderr).toContain("Valid options: none.");
  });

  test("malformed option is rejected", async () => {
    const { code, stderr } = await run(["train", "--method-option", "beta"]);

    expect(code).toBe(2);
    expect(stderr).toContain('Invalid value "beta" for --method-option: expected name=value');
  });
});

describe("config.json of a run", () => {
  test("repeats the run with the same results", async () => {
    const runDir = join(dir, "first");
    const argv = ["train", "--method", "proxy/predsim", "--method-option", "beta=0.9", "--hidden", "16", "--epochs", "1"];
    const first = await run([...argv, "--limit-train", "300", "--limit-test", "100", "--run-dir", runDir, "--json"]);

    const again = await run(["train", "--config", join(runDir, "config.json"), "--run-dir", join(dir, "again"), "--json"]);

    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    expect(events(again.stdout).at(-1)!.testAccuracy).toBe(events(first.stdout).at(-1)!.testAccuracy);
    expect(await readFile(join(dir, "again", "config.json"), "utf8")).toBe(await readFile(join(runDir, "config.json"), "utf8"));
  });

  test("writes every setting with its default", async () => {
    const runDir = join(dir, "defaults");
    await run(["train", "--method", "backprop", "--hidden", "16", "--epochs", "1", "--limit-train", "200", "--run-dir", runDir]);

    const saved = JSON.parse(await readFile(join(runDir, "config.json"), "utf8")) as Record<string, unknown>;

    expect(saved).toMatchObject({
      method: "backprop",
      methodOptions: {},
      model: "mlp",
      hidden: [16],
      split: "before-output",
      dataset: "mnist",
      limitTrain: 200,
      limitTest: null,
      epochs: 1,
      batchSize: 128,
      lr: 0.001,
      optimizer: "adam",
      seed: 1,
      backend: "cpu",
      schedule: "constant",
      checkpointEvery: 1,
      logEvery: 20,
    });
    expect(saved).not.toHaveProperty("runDir");
    expect(saved).not.toHaveProperty("json");
  });
});

describe("--config on other commands", () => {
  test("methods reads --json from the file", async () => {
    const config = await writeConfig("methods.json", { json: true, family: "target" });

    const { code, stdout } = await run(["methods", "--config", config]);

    expect(code).toBe(0);
    expect(events(stdout).map((entry) => entry.name)).toEqual(["targetprop/tp", "targetprop/dtp", "targetprop/drl", "targetprop/ddtp", "targetprop/ddtp-rhl"]);
  });

  test("bench kernels rejects an unknown key", async () => {
    const config = await writeConfig("bench.json", { size: "64" });

    const { code, stderr } = await run(["bench", "kernels", "--config", config]);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown key "size"');
    expect(stderr).toContain("Valid keys: json, minTime, mlpBatch, optimizer, repeats, seed, sizes, targets, warmup, writeDocs.");
  });

  test("bench peers reads its flags from the file", async () => {
    const config = await writeConfig("peers.json", { quick: true, targets: "cpu", limitTrain: 200, limitTest: 100, json: true });

    const { code, stdout } = await run(["bench", "peers", "--config", config]);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.results.map((result: { target: string }) => result.target)).toEqual(["cpu"]);
    expect(report.dataset.trainSamples).toBe(200);
  });

  test("transfer reads bodies as a list", async () => {
    const config = await writeConfig("transfer.json", { body: [join(dir, "none-1"), join(dir, "none-2")], dataset: "mnist" });

    const { code, stderr } = await run(["transfer", "--config", config]);

    expect(code).toBe(1);
    expect(stderr).toContain(join(dir, "none-1"));
  });
});
