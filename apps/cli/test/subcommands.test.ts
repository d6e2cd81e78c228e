/** `modular compare`, `eval`, `methods` and `info`. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { formatCompareTable, parseMethodList } from "../src/compare-command.js";
import { METHODS } from "../src/registry/methods.js";
import { Capture, run, SMALL_RUN } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "modular-subcommands-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("compare", () => {
  test("trains backprop and the schemes and prints a table", async () => {
    const runDir = join(dir, "compare");

    const { code, stdout } = await run(["compare", "--methods", "proxy/kernel", ...SMALL_RUN, "--epochs", "2", "--run-dir", runDir]);

    expect(code).toBe(0);
    const table = stdout.slice(stdout.lastIndexOf("method"));
    expect(table).toMatch(/^method\s+test accuracy\s+wall time\s+vs backprop$/m);
    expect(table).toMatch(/^backprop\s+\d+\.\d\d %\s+\d+\.\d s\s+-$/m);
    expect(table).toMatch(/^proxy\/kernel\s+\d+\.\d\d %\s+\d+\.\d s\s+[+-]\d+\.\d\d pp$/m);
    expect((await readdir(runDir)).sort()).toEqual(["backprop", "compare-config.json", "compare.json", "proxy-kernel"]);
    expect(await readdir(join(runDir, "proxy-kernel"))).toContain("config.json");
  });

  test("--json prints one result per method", async () => {
    const runDir = join(dir, "compare-json");

    const { code, stdout } = await run(["compare", "--methods", "proxy/predsim", ...SMALL_RUN, "--epochs", "1", "--run-dir", runDir, "--json"]);

    expect(code).toBe(0);
    const [baseline, scheme] = lines(stdout);
    expect(baseline).toMatchObject({ event: "result", method: "backprop", differencePoints: 0 });
    expect(scheme).toMatchObject({ event: "result", method: "proxy/predsim" });
    expect(scheme!.differencePoints).toBeCloseTo(((scheme!.testAccuracy as number) - (baseline!.testAccuracy as number)) * 100, 10);
    // Both beat chance (0.1) clearly after one epoch on 2,000 digits.
    expect(baseline!.testAccuracy).toBeGreaterThan(0.5);
    expect(scheme!.testAccuracy).toBeGreaterThan(0.3);
    const saved = JSON.parse(await readFile(join(runDir, "compare.json"), "utf8")) as { rows: unknown[] };
    expect(saved.rows).toHaveLength(2);
  });

  test("unknown method fails before training", async () => {
    const { code, stderr } = await run(["compare", "--methods", "proxy/kernel,proxy/nope"]);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown method "proxy/nope"');
  });

  test("method list puts backprop first once", () => {
    expect(parseMethodList("proxy/kernel,backprop,proxy/kernel")).toEqual(["backprop", "proxy/kernel"]);
    expect(parseMethodList("all")).toHaveLength(METHODS.length);
  });

  test("table shows the difference in points", () => {
    const table = formatCompareTable([
      { method: "backprop", testAccuracy: 0.9, seconds: 10, differencePoints: 0, runDir: "a" },
      { method: "proxy/kernel", testAccuracy: 0.875, seconds: 12.34, differencePoints: -2.5, runDir: "b" },
    ]);

    expect(table.split("\n")).toEqual([
      "method        test accuracy  wall time  vs backprop",
      "------------  -------------  ---------  -----------",
      "backprop            90.00 %     10.0 s            -",
      "proxy/kernel        87.50 %     12.3 s     -2.50 pp",
    ]);
  });
});

describe("eval", () => {
  test("gives the accuracy the run reported", async () => {
    const runDir = join(dir, "trained");
    const trained = await run(["train", "--method", "backprop", ...SMALL_RUN, "--epochs", "1", "--run-dir", runDir, "--json"]);

    const evaluated = await run(["eval", "--checkpoint", runDir, "--limit-test", "500", "--json"]);

    expect(evaluated.code).toBe(0);
    const result = lines(evaluated.stdout)[0]!;
    expect(result).toMatchObject({ dataset: "mnist", samples: 500, checkpoint: join(runDir, "checkpoint") });
    expect(result.accuracy).toBe(lines(trained.stdout).at(-1)!.testAccuracy);
  });

  test("prints the accuracy for people", async () => {
    const { code, stdout } = await run(["eval", "--checkpoint", join(dir, "trained"), "--limit-test", "100"]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Test accuracy: \d+\.\d\d %/);
    expect(stdout).toContain("100 test samples");
  });

  test("cuts the model at the run's --split", async () => {
    const runDir = join(dir, "split");
    const argv = ["train", "--method", "proxy/predsim", "--hidden", "32,32", "--split", "hidden1", "--epochs", "1"];
    const trained = await run([...argv, "--limit-train", "500", "--limit-test", "200", "--run-dir", runDir, "--json"]);

    const evaluated = await run(["eval", "--checkpoint", runDir, "--limit-test", "200", "--json"]);

    expect(evaluated.code).toBe(0);
    expect(lines(evaluated.stdout)[0]!.accuracy).toBe(lines(trained.stdout).at(-1)!.testAccuracy);
  });

  test("needs --checkpoint", async () => {
    const { code, stderr } = await run(["eval"]);

    expect(code).toBe(2);
    expect(stderr).toContain("modular eval needs --checkpoint");
  });

  test("names a folder without a checkpoint", async () => {
    const { code, stderr } = await run(["eval", "--checkpoint", join(dir, "empty")]);

    expect(code).toBe(1);
    expect(stderr).toContain(join(dir, "empty"));
  });
});

describe("methods", () => {
  test("lists every method with family and paper", async () => {
    const { code, stdout } = await run(["methods"]);

    expect(code).toBe(0);
    for (const entry of METHODS) {
      expect(stdout).toContain(`${entry.name}  (${entry.family})`);
      expect(stdout).toContain(`paper: ${entry.paper}`);
    }
  });

  test("lists each option with its help and default", async () => {
    // Wide enough that no help line wraps.
    const { stdout } = await run(["methods"], { stdout: new Capture(false, 1000) });
    const blocks = stdout.split("\n\n");

    for (const entry of METHODS.filter((method) => method.optionNames.length > 0)) {
      const block = blocks.find((text) => text.startsWith(`${entry.name}  (`))!;
      expect(block).toContain("\n  options:\n");
      for (const name of entry.optionNames) {
        const value = entry.defaults[name];
        const defaultText = typeof value === "string" ? value : JSON.stringify(value);
        const help = entry.optionHelp[name]!;
        const text = value === undefined ? help : `${help} (default ${defaultText})`;
        expect(block).toMatch(new RegExp(`^    ${name} +${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
      }
    }
  });

  test("wraps option help to the terminal width", async () => {
    const { stdout } = await run(["methods", "--family", "proxy"], { stdout: new Capture(false, 80) });
    const optionLines = stdout.split("\n").filter((line) => line.startsWith("    "));

    expect(optionLines.length).toBeGreaterThan(0);
    for (const line of optionLines) expect(line.length).toBeLessThanOrEqual(80);
    // Continuation lines are indented past the 4 spaces of an option line.
    expect(optionLines.some((line) => /^ {5,}\S/.test(line))).toBe(true);
  });

  test("--json gives defaults, options and their help", async () => {
    const { stdout } = await run(["methods", "--json"]);
    const kernel = lines(stdout).find((entry) => entry.name === "proxy/kernel")!;
    const backprop = lines(stdout).find((entry) => entry.name === "backprop")!;

    expect(lines(stdout)).toHaveLength(METHODS.length);
    expect(kernel).toMatchObject({ family: "Proxy Objective", split: "before-output", defaults: { kernel: "cosine" } });
    expect(kernel.options).toContain("sigma");
    expect((kernel.optionHelp as Record<string, string>).sigma).toContain("gaussian");
    expect(backprop.optionHelp).toEqual({});
  });

  test("unknown family lists the families", async () => {
    const { code, stderr } = await run(["methods", "--family", "hebbian"]);

    expect(code).toBe(2);
    expect(stderr).toContain('No method family contains "hebbian". Families: end-to-end backpropagation (baseline), Proxy Objective');
    expect(stderr).toContain("Method prefixes: proxy, syngrad, targetprop, fa, auxvar.");
  });

  test("family matches a method prefix", async () => {
    const { stdout } = await run(["methods", "--family", "fa", "--json"]);

    expect(stdout.trim().split("\n").map((line) => (JSON.parse(line) as { name: string }).name)).toEqual(["fa/fa", "fa/sign-symmetry", "fa/dfa"]);
  });
});

describe("method option help", () => {
  test.each(METHODS.map((entry) => [entry.name, entry] as const))("%s has help for each option", (_name, entry) => {
    for (const name of entry.optionNames) {
      expect(entry.optionHelp[name], `help of ${name}`).toBeTypeOf("string");
      expect(entry.optionHelp[name]!.trim(), `help of ${name}`).not.toBe("");
    }
    for (const name of Object.keys(entry.optionHelp)) expect(entry.optionNames, `help of unknown option ${name}`).toContain(name);
  });

  test.each(METHODS.map((entry) => [entry.name, entry] as const))("%s help leaves listed defaults out", (_name, entry) => {
    // `modular methods` appends the value from `defaults`, so the help must not state another one.
    for (const name of Object.keys(entry.defaults)) expect(entry.optionHelp[name], `help of ${name}`).not.toMatch(/\(default/);
  });
});

describe("info", () => {
  test("lists the backends and the WebGPU state", async () => {
    const { code, stdout } = await run(["info", "--json"]);

    expect(code).toBe(0);
    const info = lines(stdout)[0]! as { backends: string[]; webgpu: { available: boolean; adapter?: string; reason?: string } };
    expect(info.backends).toContain("cpu");
    // In-process tests register no webgpu backend, but info probes Dawn directly: an adapter or a reason.
    if (info.webgpu.available) expect(info.webgpu.adapter).not.toBe("");
    else expect(info.webgpu.reason).not.toBe("");
  });
});
