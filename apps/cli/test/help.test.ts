import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { DATASETS } from "../src/registry/datasets.js";
import { METHODS } from "../src/registry/methods.js";
import { MODELS } from "../src/registry/models.js";
import { Capture, run } from "./run-cli.js";

/** Collapses the line breaks and indentation of wrapped help text. */
function unwrap(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("modular --help", () => {
  test("lists the train command", async () => {
    const { code, stdout, stderr } = await run(["--help"]);

    expect(code).toBe(0);
    expect(stdout).toContain("Usage: modular");
    expect(stdout).toMatch(/train \[options\]/);
    expect(stderr).toBe("");
  });

  test("--version prints the package version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };

    const { code, stdout } = await run(["--version"]);

    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  test("no command prints the help with status 2", async () => {
    const { code, stderr } = await run([]);

    expect(code).toBe(2);
    expect(stderr).toContain("Usage: modular");
  });
});

describe("modular train --help", () => {
  const entries = [
    ...METHODS.map((entry) => ["method", entry] as const),
    ...MODELS.map((entry) => ["model", entry] as const),
    ...DATASETS.map((entry) => ["dataset", entry] as const),
  ];

  test.each(entries)("lists the %s %s with its description", async (_kind, entry) => {
    const { code, stdout } = await run(["train", "--help"]);

    expect(code).toBe(0);
    expect(unwrap(stdout)).toContain(`${entry.name} ${entry.description}`);
  });

  test("lists every flag with its default", async () => {
    const { stdout } = await run(["train", "--help"]);
    const text = unwrap(stdout);

    const defaults: [string, string][] = [
      ["--method <name>", "proxy/kernel"],
      ["--model <name>", "mlp"],
      ["--hidden <widths>", "the model's, see Models"],
      ["--dataset <name>", "mnist"],
      ["--epochs <n>", "mlp 15, cnn 8, vgg 10, resnet 10"],
      ["--batch-size <n>", "128"],
      ["--lr <rate>", "0.001"],
      ["--optimizer <name>", "adam"],
      ["--seed <n>", "1"],
      ["--backend <name>", "cpu"],
      ["--log-every <steps>", "20"],
    ];
    for (const [flag, defaultValue] of defaults) {
      expect(text).toMatch(new RegExp(`${flag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} [^]*?\\(default: ${defaultValue}\\)`));
    }
    for (const flag of ["--data-dir <dir>", "--limit-train <n>", "--limit-test <n>", "--json", "--help"]) {
      expect(text).toContain(flag);
    }
  });

  test("fits an 80-column terminal", async () => {
    const stdout = new Capture(false, 80);

    await run(["train", "--help"], { stdout });

    const longest = Math.max(...stdout.text.split("\n").map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(80);
  });
});

describe("--help of every subcommand", () => {
  const commands = [["train"], ["compare"], ["eval"], ["methods"], ["info"], ["transfer"], ["bench", "kernels"]];

  test.each(commands)("%s describes every flag", async (...command) => {
    const { code, stdout } = await run([...command, "--help"]);

    expect(code).toBe(0);
    const flagLines = stdout.split("\n").filter((line) => /^ {2}(-\w, )?--[a-z-]+/.test(line));
    expect(flagLines.length).toBeGreaterThan(1);
    for (const line of flagLines) expect(line.trim()).toMatch(/^(-\w, )?--[a-z-]+( <[^>]+>| \[[^\]]+\])?\s{2,}\S/);
    expect(stdout).toContain("--config <file.json>");
  });

  test.each(commands)("%s fits an 80-column terminal", async (...command) => {
    const stdout = new Capture(false, 80);

    await run([...command, "--help"], { stdout });

    const longest = Math.max(...stdout.text.split("\n").map((line) => line.length));
    expect(longest).toBeLessThanOrEqual(80);
  });

  test("train names the run directory default", async () => {
    const { stdout } = await run(["train", "--help"]);

    expect(unwrap(stdout)).toContain("(default: <runs>/<method>-<yyyymmdd-hhmmss>, where <runs> is $MODULAR_RUNS_DIR, or runs in the current folder)");
  });

  test("top-level help lists every command", async () => {
    const { stdout } = await run(["--help"]);

    for (const name of ["train", "compare", "eval", "methods", "info", "transfer", "bench"]) expect(stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });
});
