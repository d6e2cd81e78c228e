/**
 * `modular bench schemes`: flag validation, and the quick MNIST workload
 * with every registered scheme. A scheme that is not clearly above chance
 * makes the command exit 1, so this test fails for it.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { METHODS } from "../src/registry/methods.js";
import { run } from "./run-cli.js";

const USAGE_ERRORS: readonly [string, readonly string[], string][] = [
  ["unknown workload", ["bench", "schemes", "--workloads", "mnist-vgg"], 'Unknown name "mnist-vgg" in --workloads. Valid names: mnist-mlp, fashion-mlp, fashion-cnn, fashion-vgg-q4.'],
  ["unknown scheme", ["bench", "schemes", "--schemes", "proxy/none"], 'Unknown name "proxy/none" in --schemes. Valid names: backprop, '],
  ["negative seed", ["bench", "schemes", "--seeds", "1,-2"], 'Invalid value "-2" for --seeds'],
  ["empty seeds", ["bench", "schemes", "--seeds", ","], 'Invalid value "," for --seeds: no seeds.'],
  ["unknown backend", ["bench", "schemes", "--backend", "cuda"], 'Unknown backend "cuda"'],
];

describe("bench schemes flags", () => {
  test.each(USAGE_ERRORS)("%s exits with status 2", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run "modular bench schemes --help" for usage.');
    expect(stdout).toBe("");
  });
});

describe("bench schemes --quick on embedded MNIST", () => {
  test(
    "every registered scheme is clearly above chance, and the report lists each",
    async () => {
      const out = join(mkdtempSync(join(tmpdir(), "modular-schemes-")), "run");
      const { code, stdout, stderr } = await run(["bench", "schemes", "--quick", "--workloads", "mnist-mlp", "--out", out]);

      expect(stderr).toBe("");
      expect(code).toBe(0);
      for (const method of METHODS) expect(stdout).toContain(`mnist-mlp ${method.name} seed 1: test accuracy`);
      expect(readdirSync(out).sort()).toEqual([
        "accuracy-against-backprop.svg",
        "accuracy-per-epoch-mnist-mlp.svg",
        "peak-memory-mnist-mlp.svg",
        "schemes.json",
        "schemes.md",
      ]);
      const report = JSON.parse(readFileSync(join(out, "schemes.json"), "utf8"));
      expect(report.summaries.map((summary: { scheme: string }) => summary.scheme).sort()).toEqual(METHODS.map((m) => m.name).sort());
      expect(report.summaries.filter((summary: { failsChance: boolean }) => summary.failsChance)).toEqual([]);
    },
    1_800_000,
  );
});
