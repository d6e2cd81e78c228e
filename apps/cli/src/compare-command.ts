/**
 * `modular compare`: trains `backprop` and several schemes on one model and
 * dataset with the same flags and seed, one after another, each in its own
 * run directory. It then prints a table of test accuracy, wall time and the
 * accuracy difference to `backprop`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import { UsageError } from "./errors.js";
import { compareHelpAfterFlags } from "./help.js";
import { checkMethodOptionsObject } from "./method-options.js";
import { parseTrainFlags, type TrainConfig, type TrainFlags } from "./options.js";
import { formatPercent, formatSeconds } from "./report/format.js";
import type { OutputStream } from "./report/reporter.js";
import { findEntry } from "./registry/entry.js";
import { METHODS } from "./registry/methods.js";
import { defaultRunDir } from "./run-dir.js";
import { addTrainingFlags } from "./train-flags.js";
import { runTrain, type TrainIO } from "./train-command.js";

/** Schemes compared when `--methods` is left out: one or two of each family. */
export const DEFAULT_COMPARED = ["proxy/kernel", "proxy/predsim", "syngrad/dni", "targetprop/dtp"];

/** The `compare` flags: those of `train` without the single-method ones, plus `--methods`. */
export interface CompareFlags extends Omit<TrainFlags, "method" | "methodOption" | "resume" | "checkpointDir"> {
  readonly methods: string;
}

/** One row of the table. */
export interface CompareRow {
  readonly method: string;
  /** Test accuracy in [0, 1]. */
  readonly testAccuracy: number;
  /** Wall time of training and evaluation, in seconds. */
  readonly seconds: number;
  /** Test accuracy minus that of backprop, in percentage points; 0 for backprop. */
  readonly differencePoints: number;
  readonly runDir: string;
}

export function defineCompareCommand(program: Command, onCompare: (command: Command) => Promise<void>): Command {
  const compare = program
    .command("compare")
    .description("train backprop and several schemes on one model and dataset, then print a table of test accuracy, wall time and difference to backprop");
  compare.exitOverride(throwFrom(compare));
  compare.addOption(
    option(
      "--methods <list>",
      "comma-separated schemes to compare with backprop, or all for every registered scheme (`modular methods` lists them)",
      "Model and method:",
      DEFAULT_COMPARED.join(", "),
    ),
  );
  addTrainingFlags(compare, "compare");
  compare.addHelpText("after", compareHelpAfterFlags());
  compare.action(async (_flags, command: Command) => onCompare(command));
  return compare;
}

/** Parses `--methods` into method names, backprop first, each once. */
export function parseMethodList(text: string): string[] {
  const names =
    text.trim() === "all"
      ? METHODS.map((entry) => entry.name)
      : text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new UsageError('Invalid value "" for --methods: no method names. Expected e.g. proxy/kernel,syngrad/dni.', "compare");
  for (const name of names) findEntry(METHODS, name, "method");
  return [...new Set(["backprop", ...names])];
}

/** Validates the flags of every method before the first one trains, so a typo fails at once. */
async function compareConfigs(command: Command, env: TrainIO["env"]): Promise<{ configs: TrainConfig[]; dir: string; json: boolean }> {
  const { flags, extras, configPath } = await flagsWithConfig<CompareFlags>(command, { extraKeys: ["methodOptions"] });
  const names = parseMethodList(flags.methods);
  const perMethod = extras.methodOptions === undefined ? {} : checkMethodOptionsObject(extras.methodOptions, configPath ?? "", "compare");
  const strangers = Object.keys(perMethod).filter((name) => !names.includes(name));
  if (strangers.length > 0) {
    throw new UsageError(
      `"methodOptions" in --config file "${configPath}" names ${strangers.join(", ")}, which --methods does not compare. ` +
        `Compared: ${names.join(", ")}.`,
      "compare",
    );
  }

  const dir = flags.runDir ?? (await defaultRunDir("compare", env));
  const configs = names.map((name) => {
    const { methods: _methods, ...shared } = flags;
    const options = perMethod[name] === undefined ? {} : checkMethodOptionsObject(perMethod[name], configPath ?? "", "compare");
    return parseTrainFlags({ ...shared, method: name, runDir: join(dir, name.replaceAll("/", "-")) }, options);
  });
  return { configs, dir, json: flags.json === true };
}

/** Formats the table: one row per method, backprop first. */
export function formatCompareTable(rows: readonly CompareRow[]): string {
  const header = ["method", "test accuracy", "wall time", "vs backprop"];
  const cells = rows.map((row) => [
    row.method,
    formatPercent(row.testAccuracy),
    formatSeconds(row.seconds),
    row.method === "backprop" ? "-" : `${row.differencePoints >= 0 ? "+" : ""}${row.differencePoints.toFixed(2)} pp`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: readonly string[]) =>
    line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [format(header), widths.map((width) => "-".repeat(width)).join("  "), ...cells.map(format)].join("\n");
}

/** Runs `modular compare`: every method in turn, then the table (or one JSON line per method). */
export async function runCompare(command: Command, io: TrainIO & { readonly stdout: OutputStream }): Promise<boolean> {
  const { configs, dir, json } = await compareConfigs(command, io.env);
  await mkdir(dir, { recursive: true });
  const rows: CompareRow[] = [];
  // TODO: a compare stopped by Ctrl-C cannot be resumed as a whole; `train --resume` continues the stopped method only.
  for (const [index, config] of configs.entries()) {
    if (!json) io.stdout.write(`\n[${index + 1}/${configs.length}] ${config.method.name}\n`);
    // With --json, stdout carries only the result lines. Each run's events still go to its metrics.jsonl.
    const quiet = json ? { reporter: () => ({ onEvent: () => {}, close: () => {} }) } : {};
    const { result, runDir } = await runTrain({ ...config, json: false }, { ...io, ...quiet });
    const accuracy = result.testAccuracy ?? Number.NaN;
    const baseline = rows[0]?.testAccuracy ?? accuracy;
    const row: CompareRow = {
      method: config.method.name,
      testAccuracy: accuracy,
      seconds: result.seconds,
      differencePoints: (accuracy - baseline) * 100,
      runDir,
    };
    rows.push(row);
    if (json) io.stdout.write(`${JSON.stringify({ event: "result", ...row })}\n`);
  }
  await writeFile(join(dir, "compare.json"), `${JSON.stringify({ rows }, null, 2)}\n`);
  if (!json) io.stdout.write(`\n${formatCompareTable(rows)}\n\nRun directories: ${dir}\n`);
  return json;
}
