/// <reference types="node" />
/**
 * `@modular/nn` for Node.js, selected by the `node` export condition:
 * everything of the default entry, plus checkpoints as files. A run
 * checkpoint is a folder of the files `encodeCheckpoint` returns, and
 * `train` here takes folder paths for `checkpoint` and `resumeFrom`.
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelSpec } from "./builders.js";
import { type CheckpointFiles, loadModule, serializeModule } from "./checkpoint.js";
import { CheckpointFormatError } from "./checkpoint-errors.js";
import type { Module } from "./module.js";
import {
  type CheckpointOptions,
  type ResumeOptions,
  train as trainWithBytes,
  type TrainOptions,
  type TrainResult,
} from "./runner.js";

export * from "./index.js";

/** Write `files` into the folder `dir`, creating it, and replacing files of the same names. */
export async function writeCheckpointFiles(dir: string, files: CheckpointFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  // NOTE: each file is replaced atomically (write, then rename), but the set
  // is not: a crash between two renames leaves files of two epochs.
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    await writeFile(`${path}.partial`, bytes);
    await rename(`${path}.partial`, path);
  }
}

/** Read every checkpoint file (`.json` and `.safetensors`) in the folder `dir`. */
export async function readCheckpointFiles(dir: string): Promise<Map<string, Uint8Array>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new CheckpointFormatError({
      source: dir,
      location: "folder",
      expected: "a checkpoint folder",
      found: `no readable folder (${(error as Error).message})`,
      hint: "Pass the folder that a run with the `checkpoint` option wrote.",
    });
  }
  const files = new Map<string, Uint8Array>();
  for (const name of names.sort()) {
    if (!name.endsWith(".json") && !name.endsWith(".safetensors")) continue;
    files.set(name, new Uint8Array(await readFile(join(dir, name))));
  }
  return files;
}

/** Save the parameters of `module` to the safetensors file `path`. */
export async function saveModuleFile(path: string, module: Module, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await writeFile(path, await serializeModule(module, metadata));
}

/** Load the safetensors file `path` into `module` by parameter name (see `loadModule`). */
export async function loadModuleFile(path: string, module: Module): Promise<void> {
  loadModule(module, new Uint8Array(await readFile(path)), path);
}

/** A checkpoint folder: where and how often the Node.js `train` writes checkpoints. */
export interface CheckpointFolderOptions {
  /** Folder of the checkpoint files, created if missing. Each checkpoint replaces the previous one. */
  readonly dir: string;
  /** Epochs between checkpoints within a phase; the last epoch of each phase is always saved. */
  readonly every: number;
  /** Spec of the model, saved as `model.json`. */
  readonly spec?: ModelSpec;
  /** See `CheckpointOptions.ifSupported`. */
  readonly ifSupported?: boolean;
}

/**
 * Options of the Node.js `train`: those of the default entry, where
 * `checkpoint` may also be a folder and `resumeFrom` a folder path.
 */
export interface NodeTrainOptions extends Omit<TrainOptions, "checkpoint" | "resumeFrom"> {
  readonly checkpoint?: CheckpointOptions | CheckpointFolderOptions;
  readonly resumeFrom?: ResumeOptions | string;
}

/**
 * `train` of the default entry, plus checkpoints in folders on disk. On
 * Node.js, `import { train } from "@modular/nn"` selects this one, and it
 * accepts every option of the default entry's `train` unchanged.
 */
export async function train(options: NodeTrainOptions): Promise<TrainResult> {
  const { checkpoint, resumeFrom, ...rest } = options;

  let resume: { resumeFrom?: ResumeOptions } = {};
  if (typeof resumeFrom === "string") resume = { resumeFrom: { files: await readCheckpointFiles(resumeFrom), location: resumeFrom } };
  else if (resumeFrom !== undefined) resume = { resumeFrom };

  let save: { checkpoint?: CheckpointOptions } = {};
  if (checkpoint !== undefined && "dir" in checkpoint) {
    const { dir, ...schedule } = checkpoint;
    save = { checkpoint: { ...schedule, write: (files: CheckpointFiles) => writeCheckpointFiles(dir, files) } };
  } else if (checkpoint !== undefined) {
    save = { checkpoint };
  }
  return trainWithBytes({ ...rest, ...resume, ...save });
}
