/**
 * Validation of the `modular bench schemes` flags: the schemes suite's
 * workloads, schemes and seeds, the backend, and where the report goes.
 */
import { FULL_WORKLOADS, QUICK_WORKLOADS } from "@modular/bench";
import { UsageError } from "./errors.js";
import { MAX_SEED, parseBackend, parseInteger } from "./options.js";
import { METHODS } from "./registry/methods.js";

/** The `bench schemes` flags as Commander parsed them. */
export interface SchemesFlags {
  readonly quick?: boolean;
  readonly workloads?: string;
  readonly schemes?: string;
  readonly withoutBackprop?: boolean;
  readonly seeds?: string;
  readonly backend: string;
  readonly from?: string;
  readonly out?: string;
  readonly json?: boolean;
  /** The document to update, or `true` for `--write-docs` without a value. */
  readonly writeDocs?: string | boolean;
}

/** Default document of `--write-docs`, and the folder of its plots, relative to the repository root. */
export const DEFAULT_RESULTS_DOC = "docs/results.md";
export const DEFAULT_PLOT_DIR = "docs/plots";

export interface SchemesConfig {
  readonly quick: boolean;
  readonly workloads: readonly string[] | undefined;
  readonly schemes: readonly string[] | undefined;
  /** Run `backprop` even when `schemes` does not name it. */
  readonly baseline: boolean;
  readonly seeds: readonly number[] | undefined;
  readonly backend: string;
  /** Earlier reports (schemes.json files or their folders) to merge instead of training; undefined to train. */
  readonly from: readonly string[] | undefined;
  /** Folder of the run's JSON, Markdown and plots. */
  readonly out: string;
  readonly json: boolean;
  /** Document whose generated section is replaced, and the folder its plots go to; undefined for none. */
  readonly writeDocs: { readonly path: string; readonly plotDir: string } | undefined;
}

const COMMAND = "bench schemes";

function list(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function checkNames(flag: string, text: string, valid: readonly string[]): string[] {
  const names = list(text);
  if (names.length === 0) throw new UsageError(`Invalid value "${text}" for ${flag}: no names. Valid names: ${valid.join(", ")}.`, COMMAND);
  for (const name of names) {
    if (!valid.includes(name)) throw new UsageError(`Unknown name "${name}" in ${flag}. Valid names: ${valid.join(", ")}.`, COMMAND);
  }
  return names;
}

/** Name the output folder after the start time, e.g. "bench-results/schemes-2026-12-05T04-40-07". */
function defaultOut(now: Date): string {
  return `bench-results/schemes-${now.toISOString().slice(0, 19).replaceAll(":", "-")}`;
}

/** Validates every `bench schemes` flag. Throws `UsageError` naming the first invalid one. */
export function parseSchemesFlags(flags: SchemesFlags, now = new Date()): SchemesConfig {
  const quick = flags.quick === true;
  const workloadIds = (quick ? QUICK_WORKLOADS : FULL_WORKLOADS).map((workload) => workload.id);
  const workloads = flags.workloads === undefined ? undefined : checkNames("--workloads", flags.workloads, workloadIds);
  const schemes = flags.schemes === undefined ? undefined : checkNames("--schemes", flags.schemes, METHODS.map((method) => method.name));
  let seeds: number[] | undefined;
  if (flags.seeds !== undefined) {
    const items = list(flags.seeds);
    if (items.length === 0) throw new UsageError(`Invalid value "${flags.seeds}" for --seeds: no seeds. Expected e.g. 1,2,3.`, COMMAND);
    try {
      seeds = items.map((item) => parseInteger("--seeds", item, 0, MAX_SEED));
    } catch (error) {
      throw new UsageError((error as Error).message, COMMAND);
    }
  }
  let from: string[] | undefined;
  if (flags.from !== undefined) {
    from = list(flags.from);
    if (from.length === 0) throw new UsageError(`Invalid value "${flags.from}" for --from: no files. Expected e.g. part1/schemes.json,part2.`, COMMAND);
    const training = (["quick", "workloads", "schemes", "withoutBackprop", "seeds"] as const).filter((name) => flags[name] !== undefined && flags[name] !== false);
    if (training.length > 0) {
      throw new UsageError(
        `--from merges finished runs and trains nothing, so ${training.map((name) => (name === "withoutBackprop" ? "--without-backprop" : `--${name}`)).join(", ")} cannot go with it. ` +
          "Pass those flags to the runs being merged instead.",
        COMMAND,
      );
    }
  }
  let writeDocs: SchemesConfig["writeDocs"];
  if (flags.writeDocs === true) writeDocs = { path: DEFAULT_RESULTS_DOC, plotDir: DEFAULT_PLOT_DIR };
  else if (typeof flags.writeDocs === "string") writeDocs = { path: flags.writeDocs, plotDir: `${flags.writeDocs.replace(/[^/]*$/, "")}plots` };
  let backend: string;
  try {
    backend = parseBackend(flags.backend);
  } catch (error) {
    throw new UsageError((error as Error).message, COMMAND);
  }
  return { quick, workloads, schemes, baseline: flags.withoutBackprop !== true, seeds, backend, from, out: flags.out ?? defaultOut(now), json: flags.json === true, writeDocs };
}
