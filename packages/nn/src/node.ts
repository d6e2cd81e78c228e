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
import { train as trainWithBytes, type TrainOptions, type TrainResult } from "./runner.js";

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

/** Options of the Node.js `train`: the checkpoint options take folder paths. */
export interface NodeTrainOptions extends Omit<TrainOptions, "checkpoint" | "resumeFrom"> {
  /** Write a checkpoint into the folder `dir` every `every` epochs and after each phase's last epoch. */
  readonly checkpoint?: { readonly dir: string; readonly every: number; readonly spec?: ModelSpec };
  /** Folder of a checkpoint to resume from. */
  readonly resumeFrom?: string;
}

/** `train` with checkpoints in folders on disk. */
export async function train(options: NodeTrainOptions): Promise<TrainResult> {
  const { checkpoint, resumeFrom, ...rest } = options;
  const resume = resumeFrom === undefined ? {} : { resumeFrom: { files: await readCheckpointFiles(resumeFrom), location: resumeFrom } };
  const save =
    checkpoint === undefined
      ? {}
      : {
          checkpoint: {
            every: checkpoint.every,
            ...(checkpoint.spec === undefined ? {} : { spec: checkpoint.spec }),
            write: (files: CheckpointFiles) => writeCheckpointFiles(checkpoint.dir, files),
          },
        };
  return trainWithBytes({ ...rest, ...resume, ...save });
}
