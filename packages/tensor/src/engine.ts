/**
 * Global state of the tensor library: the active backend, memory scopes,
 * live-tensor counters, and listeners that observe every op.
 *
 * Op listeners are how `@modular/autodiff` records tapes without this
 * package knowing about gradients: each frontend op reports its name,
 * inputs, output and attributes, and a tape decides whether to keep it.
 */
import type { Backend } from "./backend.js";
import { CpuBackend } from "./cpu/cpu-backend.js";
import { BackendError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** One executed op, as observed by listeners. */
export interface OpRecord {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: Readonly<Record<string, unknown>>;
}

export type OpListener = (record: OpRecord) => void;

/** Live tensors and their bytes, counted across every backend. */
export interface MemoryInfo {
  readonly tensors: number;
  readonly bytes: number;
}

type BackendFactory = () => Backend | Promise<Backend>;

class Engine {
  backend: Backend | undefined;
  readonly factories = new Map<string, BackendFactory>([["cpu", () => new CpuBackend()]]);
  readonly instances = new Map<string, Backend>();
  readonly listeners = new Set<OpListener>();
  recordingPaused = 0;
  readonly scopes: Set<Tensor>[] = [];
  liveTensors = 0;
  liveBytes = 0;
  peakBytes = 0;
  nextTensorId = 0;
}

const engine = new Engine();

/** Register a backend factory under `name` (for example `webgpu`). */
export function registerBackend(name: string, factory: BackendFactory): void {
  engine.factories.set(name, factory);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...engine.factories.keys()];
}

/**
 * Make `name` the backend that new tensors are created on. Creating a
 * backend can be asynchronous (WebGPU requests an adapter), hence the
 * promise. Returns the active backend.
 */
export async function setBackend(name: string): Promise<Backend> {
  let instance = engine.instances.get(name);
  if (instance === undefined) {
    const factory = engine.factories.get(name);
    if (factory === undefined) {
      throw new BackendError(
        `Unknown backend "${name}". Registered backends: ${listBackends().join(", ")}.`,
      );
    }
    instance = await factory();
    engine.instances.set(name, instance);
  }
  engine.backend = instance;
  return instance;
}

/**
 * Dispose every backend instance created so far and make `cpu` active again.
 * A WebGPU backend destroys its device, which lets Node.js exit.
 */
export function disposeBackends(): void {
  for (const instance of engine.instances.values()) instance.dispose?.();
  engine.instances.clear();
  engine.backend = undefined;
}

/** Return the active backend, which is `cpu` until `setBackend` picks another. */
export function getBackend(): Backend {
  if (engine.backend === undefined) {
    const cpu = new CpuBackend();
    engine.instances.set("cpu", cpu);
    engine.backend = cpu;
  }
  return engine.backend;
}

/** Live tensor count and bytes, pool excluded. */
export function memory(): MemoryInfo {
  return { tensors: engine.liveTensors, bytes: engine.liveBytes };
}

/** Most tensor bytes live at once since the process started or since the last `resetPeakMemory`. */
export function peakMemory(): number {
  return engine.peakBytes;
}

/**
 * Start a new peak: `peakMemory()` becomes the bytes live now and
 * then tracks the most bytes live at once from here on. Returns the peak
 * that ended.
 */
export function resetPeakMemory(): number {
  const previous = engine.peakBytes;
  engine.peakBytes = engine.liveBytes;
  return previous;
}

/** Subscribe to every op executed while recording is not paused. Returns the unsubscribe function. */
export function addOpListener(listener: OpListener): () => void {
  engine.listeners.add(listener);
  return () => engine.listeners.delete(listener);
}

/** Run `fn` with op listeners silenced: nothing inside is recorded by any tape. */
export function withoutRecording<T>(fn: () => T): T {
  engine.recordingPaused++;
  try {
    return fn();
  } finally {
    engine.recordingPaused--;
  }
}

/** Report an executed op to the listeners. Called by every frontend op and by `customVjp`. */
export function emitOp(record: OpRecord): void {
  if (engine.recordingPaused > 0 || engine.listeners.size === 0) return;
  for (const listener of engine.listeners) listener(record);
}

export function nextTensorId(): number {
  return engine.nextTensorId++;
}

/** Bookkeeping for a new tensor: counters and the innermost scope. */
export function trackTensor(tensor: Tensor, bytes: number): void {
  engine.liveTensors++;
  engine.liveBytes += bytes;
  if (engine.liveBytes > engine.peakBytes) engine.peakBytes = engine.liveBytes;
  engine.scopes[engine.scopes.length - 1]?.add(tensor);
}

/** Bookkeeping for a disposed tensor. */
export function untrackTensor(tensor: Tensor, bytes: number): void {
  engine.liveTensors--;
  engine.liveBytes -= bytes;
  for (const scope of engine.scopes) scope.delete(tensor);
}

/**
 * Run `fn` and dispose every tensor created inside it, except the tensors it
 * returns (a tensor, or tensors inside arrays and plain objects) and those
 * passed to `keep`. Returned tensors move to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  engine.scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    engine.scopes.pop();
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const parent = engine.scopes[engine.scopes.length - 1];
  for (const tensor of scope) {
    if (survivors.has(tensor)) parent?.add(tensor);
    else tensor.dispose();
  }
  return result;
}

/** Exempt `tensor` from every enclosing scope: it lives until disposed explicitly. */
export function keep<T extends Tensor>(tensor: T): T {
  for (const scope of engine.scopes) scope.delete(tensor);
  return tensor;
}

function collectTensors(value: unknown, out: Set<Tensor>): void {
  if (value === null || typeof value !== "object") return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, out);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
    const values = value instanceof Map ? value.values() : Object.values(value);
    for (const item of values) collectTensors(item, out);
  }
}

function isTensor(value: object): value is Tensor {
  return (value as { readonly isTensor?: boolean }).isTensor === true;
}
