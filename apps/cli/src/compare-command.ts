/**
 * `modular compare`: trains `backprop` and several schemes on one model and
 * dataset with the same flags and seed, one after another, each in its own
 * run directory. It then prints a table of test accuracy, wall time and the
 * accuracy difference to `backprop`. The folder keeps the settings
 * (`compare-config.json`) and the rows so far (`compare.json`), so that
 * `--resume` continues a compare that Ctrl-C stopped.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TRAINING_STATE_FILE } from "@modular/nn";
import type { Command } from "commander";
import { flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import { flagsOf, mergeConfig, typedKeys } from "./config-file.js";
import { RunInterruptedError, UsageError } from "./errors.js";
import { compareHelpAfterFlags } from "./help.js";
import { checkMethodOptionsObject } from "./method-options.js";
import { parseTrainFlags, type TrainConfig, type TrainFlags } from "./options.js";
import { formatPercent, formatSeconds } from "./report/format.js";
import type { OutputStream } from "./report/reporter.js";
import { findEntry } from "./registry/entry.js";
import { METHODS } from "./registry/methods.js";
import { absolute, CHECKPOINT_FOLDER, CONFIG_FILE, defaultRunDir, readRunConfig } from "./run-dir.js";
import { addTrainingFlags } from "./train-flags.js";
import { runTrain, type TrainIO, type TrainOutcome } from "./train-command.js";

/** Schemes compared when `--methods` is left out: one or two of each family. */
export const DEFAULT_COMPARED = ["proxy/kernel", "proxy/predsim", "syngrad/dni", "targetprop/dtp"];

/** The `compare` flags: those of `train` without the single-method ones, plus `--methods`. */
export interface CompareFlags extends Omit<TrainFlags, "method" | "methodOption" | "checkpointDir"> {
  readonly methods: string;
}

/** The settings of a compare, saved in its folder for `--resume`, in the format of a `--config` file. */
export const COMPARE_CONFIG_FILE = "compare-config.json";
/** The table so far: one row per finished method, rewritten after each. */
export const COMPARE_RESULTS_FILE = "compare.json";
/** Flags left out of the saved settings, and the only ones `--resume` may be combined with (besides `--resume`). */
const OUTPUT_FLAGS = ["json", "logEvery"];
const UNSAVED_FLAGS = ["runDir", "resume", "config", ...OUTPUT_FLAGS];
/** A decimal number as typed on a command line, e.g. 128, 0.001 or 1e-3. */
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

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

/**
 * Returns the flags of `command`: those typed over `--config`, or with
 * `--resume`, those typed over the saved `compare-config.json`. Throws
 * `UsageError` for `--resume` with flags that would change the runs.
 */
async function resolveCompareFlags(command: Command): Promise<{ flags: CompareFlags; extras: Record<string, unknown>; configPath: string | undefined }> {
  const typed = command.opts() as CompareFlags;
  if (typed.resume === undefined) return flagsWithConfig<CompareFlags>(command, { extraKeys: ["methodOptions"] });
  const extra = typedKeys(command).filter((key) => key !== "resume" && !OUTPUT_FLAGS.includes(key));
  if (extra.length > 0) {
    throw new UsageError(
      `--resume continues with the ${COMPARE_CONFIG_FILE} saved in ${typed.resume}, so it cannot be combined with ` +
        `${flagsOf(command, extra).join(", ")}. Only --json and --log-every may be added.`,
      "compare",
    );
  }
  const path = join(typed.resume, COMPARE_CONFIG_FILE);
  const saved = await readRunConfig(typed.resume, "compare", COMPARE_CONFIG_FILE);
  const merged = mergeConfig<CompareFlags>(command, saved, path, { extraKeys: ["methodOptions"] });
  return { ...merged, flags: { ...merged.flags, runDir: typed.resume }, configPath: path };
}

/** The settings to save for `--resume`: the resolved flags without the output and folder ones, and the method options. */
function savedSettings(flags: CompareFlags, methodOptions: unknown): Record<string, unknown> {
  // Flag values arrive as text; a number is written as a JSON number, as a hand-written --config file has it.
  const asJson = (value: unknown) => (typeof value === "string" && NUMBER.test(value) ? Number(value) : value);
  const settings: Record<string, unknown> = Object.fromEntries(
    Object.entries(flags)
      .filter(([key]) => !UNSAVED_FLAGS.includes(key))
      .map(([key, value]) => [key, asJson(value)]),
  );
  if (methodOptions !== undefined) settings.methodOptions = methodOptions;
  return settings;
}

interface CompareSetup {
  readonly configs: TrainConfig[];
  readonly dir: string;
  readonly json: boolean;
  readonly resume: boolean;
  /** The settings to write to `compare-config.json`. */
  readonly settings: Record<string, unknown>;
}

/** Validates the flags of every method before the first one trains, so a typo fails at once. */
async function compareConfigs(command: Command, env: TrainIO["env"]): Promise<CompareSetup> {
  const { flags, extras, configPath } = await resolveCompareFlags(command);
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
    const { methods: _methods, resume: _resume, ...shared } = flags;
    const options = perMethod[name] === undefined ? {} : checkMethodOptionsObject(perMethod[name], configPath ?? "", "compare");
    return parseTrainFlags({ ...shared, method: name, runDir: join(dir, name.replaceAll("/", "-")) }, options);
  });
  return { configs, dir, json: flags.json === true, resume: flags.resume !== undefined, settings: savedSettings(flags, extras.methodOptions) };
}

/** Creates the compare folder with its settings, or throws `UsageError` if it already contains a compare. */
async function createCompareDir(dir: string, settings: Record<string, unknown>): Promise<void> {
  if (existsSync(join(dir, COMPARE_CONFIG_FILE))) {
    throw new UsageError(
      `The folder "${dir}" already has a compare (${COMPARE_CONFIG_FILE}). Continue it with --resume ${dir}, or pass another --run-dir.`,
      "compare",
    );
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, COMPARE_CONFIG_FILE), `${JSON.stringify(settings, null, 2)}\n`);
}

/** Reads the rows of the methods a stopped compare finished from its `compare.json`. Returns none when the file is missing. */
async function finishedRows(dir: string): Promise<CompareRow[]> {
  const path = join(dir, COMPARE_RESULTS_FILE);
  if (!existsSync(path)) return [];
  return (JSON.parse(await readFile(path, "utf8")) as { rows: CompareRow[] }).rows;
}

/**
 * Returns the config that continues one method. A method that has not
 * started trains as planned, and a started one resumes from its checkpoint.
 * A started method without a checkpoint (such as `proxy/dgl-async`) trains
 * again from the start, so its run directory is removed first.
 */
async function prepareMethod(config: TrainConfig): Promise<TrainConfig> {
  const runDir = config.runDir!;
  if (!existsSync(join(runDir, CONFIG_FILE))) return config;
  if (existsSync(join(runDir, CHECKPOINT_FOLDER, TRAINING_STATE_FILE))) return { ...config, resume: runDir };
  await rm(runDir, { recursive: true, force: true });
  return config;
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
  const { configs, dir, json, resume, settings } = await compareConfigs(command, io.env);
  if (!resume) await createCompareDir(dir, settings);
  const finished = resume ? await finishedRows(dir) : [];
  if (!json) io.stdout.write(`Compare folder: ${dir} (after Ctrl-C, continue with --resume ${dir})\n`);
  const rows: CompareRow[] = [];
  for (const [index, config] of configs.entries()) {
    const done = finished.find((row) => row.method === config.method.name);
    if (done !== undefined) {
      rows.push(done);
      if (json) io.stdout.write(`${JSON.stringify({ event: "result", ...done })}\n`);
      else io.stdout.write(`\n[${index + 1}/${configs.length}] ${config.method.name}: finished earlier, ${formatPercent(done.testAccuracy)}\n`);
      continue;
    }
    const prepared = await prepareMethod(config);
    if (!json) io.stdout.write(`\n[${index + 1}/${configs.length}] ${config.method.name}${prepared.resume === undefined ? "" : ", resumed"}\n`);
    // With --json, stdout carries only the result lines. Each run's events still go to its metrics.jsonl.
    const quiet = json ? { reporter: () => ({ onEvent: () => {}, close: () => {} }) } : {};
    let outcome: TrainOutcome;
    try {
      outcome = await runTrain({ ...prepared, json: false }, { ...io, ...quiet });
    } catch (error) {
      if (!(error instanceof RunInterruptedError)) throw error;
      throw new RunInterruptedError(error.cause, error.runDir, { command: "compare", dir: absolute(dir) });
    }
    const { result, runDir } = outcome;
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
    await writeFile(join(dir, COMPARE_RESULTS_FILE), `${JSON.stringify({ rows }, null, 2)}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ event: "result", ...row })}\n`);
  }
  if (!json) io.stdout.write(`\n${formatCompareTable(rows)}\n\nRun directories: ${dir}\n`);
  return json;
}
