/**
 * Run directories: each `modular train` run (and each method of `modular
 * compare`) writes into a folder of its own:
 *
 * - `config.json`: the resolved settings, usable with `--config` to repeat the run;
 * - `metrics.jsonl`: every runner event, one JSON object per line, appended on resume;
 * - `checkpoint/`: the latest checkpoint, which `--resume <run-dir>` continues from.
 */
import { appendFileSync, existsSync } from "node:fs";
import { access, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UsageError } from "./errors.js";

export const CONFIG_FILE = "config.json";
export const METRICS_FILE = "metrics.jsonl";
export const CHECKPOINT_FOLDER = "checkpoint";

/** The folder that default run directories go in, unless `MODULAR_RUNS_DIR` names another. */
export const DEFAULT_RUNS_FOLDER = "runs";

/** Formats `date` as local time "20261205-042300", for folder names that sort by start time. */
function timestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  const day = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
  return `${day}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Returns a new run directory for `method` under the runs folder:
 * `runs/<method>-<time>`, with "/" in the method name replaced by "-" and a
 * numeric suffix when two runs start in the same second.
 */
export async function defaultRunDir(method: string, env: Readonly<Record<string, string | undefined>>, now = new Date()): Promise<string> {
  const root = env.MODULAR_RUNS_DIR ?? DEFAULT_RUNS_FOLDER;
  const base = join(root, `${method.replaceAll("/", "-")}-${timestamp(now)}`);
  let candidate = base;
  for (let suffix = 2; await exists(candidate); suffix++) candidate = `${base}-${suffix}`;
  return candidate;
}

/**
 * Creates `dir` for a new run and writes its `config.json`. Throws
 * `UsageError` when `dir` already has a run, which `--resume` continues.
 */
export async function createRunDir(dir: string, config: Readonly<Record<string, unknown>>): Promise<void> {
  if (await exists(join(dir, CONFIG_FILE))) {
    throw new UsageError(
      `The run directory "${dir}" already has a run (${CONFIG_FILE}). Continue it with --resume ${dir}, ` +
        "or pass another --run-dir.",
    );
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Reads the settings file `file` of the run directory `dir`, for `--resume`:
 * `config.json` of a `train` run, or `compare-config.json` of a compare.
 */
export async function readRunConfig(dir: string, command = "train", file = CONFIG_FILE): Promise<Record<string, unknown>> {
  const path = join(dir, file);
  const writer = file === CONFIG_FILE ? "a run directory that `modular train`" : `the folder that \`modular ${command}\``;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT" && !existsSync(dir);
    throw new UsageError(
      `Cannot resume from "${dir}": ${missing ? "the folder was not found" : `it has no ${file}`}. Pass ${writer} wrote ` +
        "(its --run-dir, or the folder it printed at the start).",
      command,
    );
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Cannot resume from "${dir}": ${path} is not JSON (${(error as Error).message}).`, command);
  }
}

/**
 * Appends records to `metrics.jsonl`. Each line is written synchronously,
 * so a run stopped by Ctrl-C keeps every event up to the stop.
 */
export class MetricsLog {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, METRICS_FILE);
  }

  append(record: object): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}

/** Returns the checkpoint folder of `dir`: its `checkpoint/` folder for a run directory, or `dir` itself. */
export async function checkpointFolder(dir: string): Promise<string> {
  const inside = join(dir, CHECKPOINT_FOLDER);
  return (await exists(inside)) ? inside : dir;
}

/** Returns `dir` as an absolute path, for the resume hint printed at a stop. */
export function absolute(dir: string): string {
  return resolve(dir);
}
