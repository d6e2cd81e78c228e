/**
 * Loading the body of a trained model, which is every training module but
 * the last, from a checkpoint folder of `modular train --checkpoint-dir`.
 * The model is rebuilt from `model.json` and cut into training modules as
 * the run cut it. Each body module's weights come from its
 * `module-<i>.safetensors` file.
 */
import {
  buildModel,
  CheckpointFormatError,
  MODEL_KINDS,
  MODEL_SPEC_FILE,
  type Model,
  type ModelSpec,
  type Module,
  loadModule,
  moduleFileName,
  readCheckpointFiles,
  split,
  splitBeforeOutput,
  splitEveryBlock,
} from "@modular/nn";

const WRITTEN_BY_TRAIN = "Pass a folder that `modular train --checkpoint-dir DIR` wrote.";

/** A body read from a checkpoint folder, with the model it belongs to. */
export interface CheckpointBody {
  readonly dir: string;
  readonly spec: ModelSpec;
  /** The body's training modules, in forward order. */
  readonly body: readonly Module[];
  /** Number of training modules of the run, the output module included. */
  readonly modules: number;
  /** The whole rebuilt model. Dispose it when done with the body. */
  readonly model: Model;
}

/** Parse `model.json` and check the fields every builder needs. */
function readSpec(bytes: Uint8Array, source: string): ModelSpec {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointFormatError({ source, location: "contents", expected: "JSON", found: `text that does not parse (${(error as Error).message})` });
  }
  if (typeof value !== "object" || value === null || !(MODEL_KINDS as readonly unknown[]).includes(value.kind)) {
    throw new CheckpointFormatError({
      source,
      location: 'field "kind"',
      expected: `a model kind (${MODEL_KINDS.join(", ")})`,
      found: JSON.stringify(value?.kind) ?? "no value",
      hint: WRITTEN_BY_TRAIN,
    });
  }
  const shape = value.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((size) => Number.isInteger(size) && size > 0)) {
    throw new CheckpointFormatError({
      source,
      location: 'field "inputShape"',
      expected: "a sample shape of positive integers, e.g. [1, 28, 28]",
      found: JSON.stringify(shape) ?? "no value",
      hint: WRITTEN_BY_TRAIN,
    });
  }
  return value as unknown as ModelSpec;
}

/** Return the number of `module-<i>.safetensors` files, checking that they are numbered 1..count. */
function countModuleFiles(files: ReadonlyMap<string, Uint8Array>, dir: string): number {
  const indices = [...files.keys()]
    .map((name) => /^module-(\d+)\.safetensors$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]));
  const count = indices.length;
  for (let index = 1; index <= Math.max(count, 1); index++) {
    if (!indices.includes(index)) {
      throw new CheckpointFormatError({
        source: dir,
        location: `file "${moduleFileName(index)}"`,
        expected: "one weight file per training module, numbered from 1",
        found: `no such file (the folder has ${[...files.keys()].join(", ") || "no checkpoint files"})`,
        hint: WRITTEN_BY_TRAIN,
      });
    }
  }
  return count;
}

/**
 * Cut `model` into `count` training modules. Every method of `modular train`
 * splits either before the output layer (2 modules) or after every block, and
 * the count distinguishes the two.
 */
function splitLike(model: Model, count: number, dir: string): Module[] {
  if (count === 2) return splitBeforeOutput(model);
  if (count === model.blocks.length) return splitEveryBlock(model);
  throw new CheckpointFormatError({
    source: dir,
    location: "module files",
    expected: `2 (body and output layer) or ${model.blocks.length} (one per block of this ${model.spec.kind}) module files`,
    found: `${count}`,
    hint: WRITTEN_BY_TRAIN,
  });
}

/** A model rebuilt from a checkpoint folder and cut into its training modules, before any weights are loaded. */
export interface CheckpointModel {
  readonly spec: ModelSpec;
  readonly model: Model;
  /** Every training module, in forward order. */
  readonly modules: Module[];
  /** The folder's checkpoint files by name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/**
 * Reads the checkpoint folder `dir`, rebuilds its model from `model.json`
 * and cuts it into as many training modules as the folder has module files,
 * or after `splitAfter`, the block names of a run's `--split`. Throws
 * `CheckpointFormatError` naming the file.
 */
export async function readCheckpointModel(dir: string, splitAfter?: readonly string[]): Promise<CheckpointModel> {
  const files = await readCheckpointFiles(dir);
  const specBytes = files.get(MODEL_SPEC_FILE);
  if (specBytes === undefined) {
    throw new CheckpointFormatError({
      source: dir,
      location: `file "${MODEL_SPEC_FILE}"`,
      expected: "the model spec of the run",
      found: `no such file (the folder has ${[...files.keys()].join(", ") || "no checkpoint files"})`,
      hint: WRITTEN_BY_TRAIN,
    });
  }
  const specSource = `${dir}/${MODEL_SPEC_FILE}`;
  const spec = readSpec(specBytes, specSource);
  const count = countModuleFiles(files, dir);

  let model: Model;
  try {
    model = buildModel(spec);
  } catch (error) {
    throw new CheckpointFormatError({ source: specSource, location: "model spec", expected: "a spec that builds a model", found: (error as Error).message, hint: WRITTEN_BY_TRAIN });
  }
  try {
    const modules = splitAfter === undefined ? splitLike(model, count, dir) : split(model, splitAfter);
    return { spec, model, modules, files };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Read the checkpoint folder `dir` and load the body of its model. Throws `CheckpointFormatError` naming the file. */
export async function loadCheckpointBody(dir: string): Promise<CheckpointBody> {
  const { spec, model, modules, files } = await readCheckpointModel(dir);
  try {
    const body = modules.slice(0, -1);
    body.forEach((module, i) => {
      const name = moduleFileName(i + 1);
      loadModule(module, files.get(name)!, `${dir}/${name}`);
    });
    return { dir, spec, body, modules: modules.length, model };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
