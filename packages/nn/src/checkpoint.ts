/**
 * Checkpoints as bytes. Each training module's parameters go to their own
 * safetensors file, so one trained module can be loaded into another model
 * that shares its shapes. A run checkpoint adds the model spec (JSON), the
 * training state (JSON: phase, epoch, seed, learning rates) and the
 * optimizer state (safetensors). The runner resumes from these files; the
 * Node.js entry reads and writes them as files in a folder.
 */
import { formatShape, tensor } from "@modular/tensor";
import type { ModelSpec } from "./builders.js";
import { CheckpointFormatError } from "./checkpoint-errors.js";
import type { Module } from "./module.js";
import type { NamedParameter, Optimizer } from "./optim.js";
import { parseSafetensors, serializeSafetensors, type TensorData } from "./safetensors.js";

/** Checkpoint files by file name, e.g. "module-1.safetensors". */
export type CheckpointFiles = ReadonlyMap<string, Uint8Array>;

/** File name of training module `index` (from 1). */
export function moduleFileName(index: number): string {
  return `module-${index}.safetensors`;
}

/** File name of auxiliary module `index` (from 1) of the phase a checkpoint was written in. */
export function auxiliaryFileName(index: number): string {
  return `auxiliary-${index}.safetensors`;
}

export const MODEL_SPEC_FILE = "model.json";
export const TRAINING_STATE_FILE = "training-state.json";
export const OPTIMIZER_STATE_FILE = "optimizer-state.safetensors";

/** Position of an interrupted run: the contents of `training-state.json`. */
export interface TrainingState {
  readonly format: "modular-training-state";
  readonly version: 1;
  /** Name of the training method, e.g. "backprop". */
  readonly method: string;
  /** Seed of the run's shuffles. */
  readonly seed: number;
  /** Number of training modules. */
  readonly modules: number;
  /** Phase of the last completed epoch, from 1. */
  readonly phase: number;
  /** Epochs of that phase completed. Every shuffle is keyed by the epoch, so this is also the position of the random stream. */
  readonly epoch: number;
  /** Learning rate of each of the phase's optimizers, in `Phase.optimizers` order. */
  readonly learningRates: readonly number[];
  /**
   * Progress into the next epoch, for a run stopped between two steps (see
   * `TrainOptions.signal`). Absent when the checkpoint was written at the
   * end of an epoch.
   */
  readonly partialEpoch?: PartialEpoch;
  /** Seconds of training and evaluation from the start of the run to this checkpoint, over every earlier resume too. */
  readonly elapsedSeconds?: number;
}

/** Steps completed of an epoch that was stopped, and the sums of their losses. */
export interface PartialEpoch {
  /** Steps of the epoch completed, at least 1. */
  readonly steps: number;
  /** Sum and count of every loss over those steps, by loss name, so the epoch's mean loss comes out as without the stop. */
  readonly losses: Readonly<Record<string, { readonly sum: number; readonly count: number }>>;
}

/** Read the parameters and buffers of `module` into host arrays, keyed by their dotted names. */
export async function moduleTensors(module: Module): Promise<Map<string, TensorData>> {
  const out = new Map<string, TensorData>();
  for (const [name, parameter] of module.namedTensors()) {
    const value = parameter.value;
    const data = await value.data();
    if (value.dtype !== "float32" && value.dtype !== "int32") {
      throw new CheckpointFormatError({
        source: "module",
        location: `tensor "${name}"`,
        expected: "dtype float32 or int32",
        found: value.dtype,
      });
    }
    out.set(name, { dtype: value.dtype, shape: [...value.shape], data: data as Float32Array | Int32Array });
  }
  return out;
}

/** Serialize the parameters and buffers of `module` to the safetensors layout, by name. */
export async function serializeModule(module: Module, metadata: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
  return serializeSafetensors(await moduleTensors(module), metadata);
}

/**
 * Load a safetensors file into `module`'s parameters and buffers by name. The
 * module may belong to another model, as long as its tensor names and shapes
 * match.
 * `source` names the file in errors. Throws `CheckpointFormatError` for a
 * malformed file, a parameter the file lacks, a tensor the module lacks, or
 * a dtype or shape mismatch (naming the tensor and both shapes). The module
 * is left unchanged when any check fails.
 */
export function loadModule(module: Module, bytes: Uint8Array, source: string): void {
  const { tensors } = parseSafetensors(bytes, source);
  const parameters = module.namedTensors();
  const names = new Set(parameters.map(([name]) => name));

  for (const [name, parameter] of parameters) {
    const stored = tensors.get(name);
    if (stored === undefined) {
      throw new CheckpointFormatError({
        source,
        location: `tensor "${name}"`,
        expected: `the module's tensor "${name}" of shape ${formatShape(parameter.shape)}`,
        found: `no such tensor (the file has ${[...tensors.keys()].map((key) => `"${key}"`).join(", ") || "none"})`,
        hint: "Load the file into a module of the same architecture.",
      });
    }
    if (stored.dtype !== parameter.value.dtype || stored.shape.join() !== parameter.shape.join()) {
      throw new CheckpointFormatError({
        source,
        location: `tensor "${name}"`,
        expected: `${parameter.value.dtype} shape ${formatShape(parameter.shape)}, as the module's tensor`,
        found: `${stored.dtype} shape ${formatShape(stored.shape)}`,
        hint: "Load the file into a module whose layers have the same sizes.",
      });
    }
  }
  for (const name of tensors.keys()) {
    if (!names.has(name)) {
      throw new CheckpointFormatError({
        source,
        location: `tensor "${name}"`,
        expected: `only the module's parameters and buffers (${[...names].map((key) => `"${key}"`).join(", ")})`,
        found: "a tensor that matches none of them",
        hint: "Load the file into a module of the same architecture.",
      });
    }
  }

  for (const [name, parameter] of parameters) {
    const stored = tensors.get(name)!;
    parameter.assign(tensor(stored.data, stored.shape, stored.dtype));
  }
}

/** Input of `encodeCheckpoint`. */
export interface CheckpointContents {
  /** Training modules, in forward order; module i goes to `module-<i+1>.safetensors`. */
  readonly modules: readonly Module[];
  /** Spec that rebuilds the model, written to `model.json` when given. */
  readonly spec?: ModelSpec;
  readonly state: TrainingState;
  /** Optimizers of the current phase; their state goes to `optimizer-state.safetensors`. */
  readonly optimizers: readonly Optimizer[];
  /**
   * Auxiliary modules of the current phase (`Phase.auxiliary`), such as
   * local classifier heads. Module i goes to `auxiliary-<i+1>.safetensors`,
   * so a run resumed inside the phase continues with trained heads.
   */
  readonly auxiliary?: readonly Module[];
}

/**
 * Parameter names of the whole run: "<module index from 0>.<name in the
 * module>", then "aux<index from 0>.<name>" for the phase's auxiliary modules.
 */
export function runParameterNames(modules: readonly Module[], auxiliary: readonly Module[] = []): NamedParameter[] {
  return [
    ...modules.flatMap((module, i) => module.namedParameters(`${i}.`)),
    ...auxiliary.flatMap((module, i) => module.namedParameters(`aux${i}.`)),
  ];
}

/** Serialize a run checkpoint to files. */
export async function encodeCheckpoint(contents: CheckpointContents): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const [i, module] of contents.modules.entries()) {
    const metadata = { module: `${i + 1}/${contents.modules.length}` };
    files.set(moduleFileName(i + 1), await serializeModule(module, metadata));
  }

  const auxiliary = contents.auxiliary ?? [];
  for (const [i, module] of auxiliary.entries()) {
    files.set(auxiliaryFileName(i + 1), await serializeModule(module, { auxiliary: `${i + 1}/${auxiliary.length}` }));
  }

  const encoder = new TextEncoder();
  if (contents.spec !== undefined) files.set(MODEL_SPEC_FILE, encoder.encode(JSON.stringify(contents.spec, null, 2)));
  files.set(TRAINING_STATE_FILE, encoder.encode(JSON.stringify(contents.state, null, 2)));

  const named = runParameterNames(contents.modules, auxiliary);
  const optimizerTensors = new Map<string, TensorData>();
  for (const [j, optimizer] of contents.optimizers.entries()) {
    const state = optimizer.saveState?.(named) ?? new Map();
    for (const [key, value] of state) {
      const data = (await value.data()) as Float32Array | Int32Array;
      optimizerTensors.set(`optimizer${j}/${key}`, { dtype: value.dtype as "float32" | "int32", shape: [...value.shape], data });
      value.dispose();
    }
  }
  files.set(OPTIMIZER_STATE_FILE, serializeSafetensors(optimizerTensors, { format: "modular-optimizer-state" }));
  return files;
}

/** A run checkpoint read back from files. */
export interface DecodedCheckpoint {
  readonly state: TrainingState;
  readonly spec: ModelSpec | undefined;
  /** Optimizer state by optimizer index, keyed "<slot>/<parameter name>". */
  readonly optimizerStates: readonly ReadonlyMap<string, TensorData>[];
}

/**
 * Parse the state files of a run checkpoint and load each module file into
 * `modules`. `location` names the checkpoint (a folder path) in errors.
 */
export function decodeCheckpoint(files: CheckpointFiles, modules: readonly Module[], location: string): DecodedCheckpoint {
  const state = readTrainingState(requireFile(files, TRAINING_STATE_FILE, location), `${location}/${TRAINING_STATE_FILE}`);
  if (state.modules !== modules.length) {
    throw new CheckpointFormatError({
      source: `${location}/${TRAINING_STATE_FILE}`,
      location: "field \"modules\"",
      expected: `${modules.length} training modules, as the run has`,
      found: `${state.modules}`,
      hint: "Resume with the same split of the model.",
    });
  }

  const specBytes = files.get(MODEL_SPEC_FILE);
  const spec = specBytes === undefined ? undefined : (parseJson(specBytes, `${location}/${MODEL_SPEC_FILE}`) as ModelSpec);

  const optimizerSource = `${location}/${OPTIMIZER_STATE_FILE}`;
  const { tensors } = parseSafetensors(requireFile(files, OPTIMIZER_STATE_FILE, location), optimizerSource);
  const optimizerStates: Map<string, TensorData>[] = [];
  for (const [key, value] of tensors) {
    const match = /^optimizer(\d+)\/(.+)$/.exec(key);
    if (match === null) {
      throw new CheckpointFormatError({
        source: optimizerSource,
        location: `tensor "${key}"`,
        expected: `a name "optimizer<index>/<slot>/<parameter>"`,
        found: "another name",
      });
    }
    const index = Number(match[1]);
    while (optimizerStates.length <= index) optimizerStates.push(new Map());
    optimizerStates[index]!.set(match[2]!, value);
  }

  modules.forEach((module, i) => {
    const name = moduleFileName(i + 1);
    loadModule(module, requireFile(files, name, location), `${location}/${name}`);
  });
  return { state, spec, optimizerStates };
}

/**
 * Load the auxiliary module files of a checkpoint into `auxiliary`, the
 * auxiliary modules of the phase it was written in. Modules without a file
 * (a checkpoint written before heads were saved) keep their weights.
 */
export function loadAuxiliaryModules(files: CheckpointFiles, auxiliary: readonly Module[], location: string): void {
  auxiliary.forEach((module, i) => {
    const name = auxiliaryFileName(i + 1);
    const bytes = files.get(name);
    if (bytes !== undefined) loadModule(module, bytes, `${location}/${name}`);
  });
}

function requireFile(files: CheckpointFiles, name: string, location: string): Uint8Array {
  const bytes = files.get(name);
  if (bytes === undefined) {
    throw new CheckpointFormatError({
      source: location,
      location: `file "${name}"`,
      expected: "a file of the checkpoint",
      found: `no such file (the checkpoint has ${[...files.keys()].join(", ") || "no files"})`,
      hint: "Pass the folder that a run with the `checkpoint` option wrote.",
    });
  }
  return bytes;
}

function parseJson(bytes: Uint8Array, source: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CheckpointFormatError({
      source,
      location: "contents",
      expected: "JSON",
      found: `text that does not parse (${(error as Error).message})`,
    });
  }
}

function readTrainingState(bytes: Uint8Array, source: string): TrainingState {
  const value = parseJson(bytes, source) as Record<string, unknown>;
  if (value?.format !== "modular-training-state" || value.version !== 1) {
    throw new CheckpointFormatError({
      source,
      location: "fields \"format\" and \"version\"",
      expected: `"modular-training-state" version 1`,
      found: `${JSON.stringify(value?.format)} version ${JSON.stringify(value?.version)}`,
    });
  }
  for (const field of ["seed", "modules", "phase", "epoch"] as const) {
    if (!Number.isInteger(value[field]) || (value[field] as number) < 0) {
      throw new CheckpointFormatError({
        source,
        location: `field "${field}"`,
        expected: "a non-negative integer",
        found: JSON.stringify(value[field]) ?? "no value",
      });
    }
  }
  const rates = value.learningRates;
  if (!Array.isArray(rates) || !rates.every((rate) => typeof rate === "number")) {
    throw new CheckpointFormatError({
      source,
      location: `field "learningRates"`,
      expected: "an array of numbers",
      found: JSON.stringify(rates) ?? "no value",
    });
  }
  if (value.partialEpoch !== undefined) checkPartialEpoch(value.partialEpoch, source);
  const elapsed = value.elapsedSeconds;
  if (elapsed !== undefined && !(typeof elapsed === "number" && Number.isFinite(elapsed) && elapsed >= 0)) {
    throw new CheckpointFormatError({ source, location: 'field "elapsedSeconds"', expected: "a number >= 0", found: JSON.stringify(elapsed) ?? "no value" });
  }
  return value as unknown as TrainingState;
}

function checkPartialEpoch(value: unknown, source: string): void {
  const partial = value as Record<string, unknown> | null;
  const losses = partial?.losses as Record<string, unknown> | undefined;
  const validLoss = (total: unknown): boolean => {
    const { sum, count } = (total ?? {}) as Record<string, unknown>;
    return typeof sum === "number" && Number.isInteger(count) && (count as number) > 0;
  };
  const valid =
    typeof partial === "object" &&
    partial !== null &&
    Number.isInteger(partial.steps) &&
    (partial.steps as number) > 0 &&
    typeof losses === "object" &&
    losses !== null &&
    Object.values(losses).every(validLoss);
  if (!valid) {
    throw new CheckpointFormatError({
      source,
      location: 'field "partialEpoch"',
      expected: '{ "steps": an integer >= 1, "losses": { name: { "sum": number, "count": integer >= 1 } } }',
      found: JSON.stringify(value),
    });
  }
}
