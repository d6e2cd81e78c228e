/**
 * The Web Worker that trains one run, so the page stays responsive however
 * long a step takes. It posts the runner's progress events, the test
 * accuracy after every epoch, and at the end the trained checkpoint. The
 * page starts one worker per run and ends it when the run is over.
 */
import { type DatasetSplit, loadIdxSources, loadMnist, shuffledIndices } from "@modular/datasets";
import { setWorkerSpawner, type WorkerHandle } from "@modular/method-proxy";
import {
  evaluate,
  MODEL_SPEC_FILE,
  type Module,
  moduleFileName,
  type Phase,
  serializeModule,
  train,
  type TrainingMethod,
} from "@modular/nn";
import { getBackend, registerWebGpu, setBackend } from "@modular/tensor";
import { findModel } from "./models.js";
import { type CheckpointFile, type FromTrainingWorker, MODULE_WORKER_READY, type RunConfig, type ToTrainingWorker } from "./protocol.js";
import { findScheme } from "./schemes.js";

const scope = globalThis as unknown as {
  postMessage(message: FromTrainingWorker, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToTrainingWorker>) => void): void;
};

/** Milliseconds to wait for a module worker's script to load. */
const MODULE_WORKER_START_MS = 60_000;

/** Module workers started and loaded before training, handed out in order by the spawner. */
const startedModuleWorkers: Worker[] = [];

function newModuleWorker(): Worker {
  return new Worker(new URL("./dgl-module-worker.ts", import.meta.url), { type: "module" });
}

/**
 * Starts `count` module workers and waits until each has loaded its script.
 * Asynchronous DGL blocks this thread with `Atomics.wait` while its buffers
 * are full. In one run of 19 in Chromium 156, a module worker created just
 * before such waits had not started after 120 s, and the run failed. The
 * likely cause, not confirmed, is that a nested worker starts only when its
 * parent's event loop runs. Waiting for the workers here, before training,
 * does not depend on that.
 */
async function startModuleWorkers(count: number): Promise<void> {
  const starts = Array.from({ length: count }, () => {
    const worker = newModuleWorker();
    return new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`A module worker did not load within ${MODULE_WORKER_START_MS / 1000} s.`)),
        MODULE_WORKER_START_MS,
      );
      worker.addEventListener("message", (event) => {
        if (event.data !== MODULE_WORKER_READY) return;
        clearTimeout(timer);
        resolve(worker);
      });
      worker.addEventListener("error", (event) => {
        clearTimeout(timer);
        reject(new Error(`A module worker failed to load: ${event.message}`));
      });
    });
  });
  startedModuleWorkers.push(...(await Promise.all(starts)));
}

/**
 * Hands a module worker to asynchronous DGL: one started by
 * `startModuleWorkers`, or a new one. The package's default spawner loads
 * `dgl-worker-browser.js` next to its own file, which a bundler copies
 * without bundling its imports, so the demo uses its own worker entry,
 * which Vite bundles.
 */
function spawnDglModuleWorker(): WorkerHandle {
  const worker = startedModuleWorkers.shift() ?? newModuleWorker();
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) =>
      worker.addEventListener("message", (event) => {
        if (event.data !== MODULE_WORKER_READY) listener(event.data);
      }),
    onError: (listener) => worker.addEventListener("error", (event) => listener(new Error(event.message || "module worker failed to load"))),
    terminate: () => worker.terminate(),
  };
}

/**
 * Wraps `method` so that every phase evaluates the whole model on `test`
 * after each epoch. The runner awaits `epochEnd`, so training waits for the
 * evaluation. Under greedy schemes the accuracy after a hidden module's
 * phase is that of an untrained output layer, as the page notes.
 */
function withEpochEvaluation(method: TrainingMethod, onEpoch: (label: string) => Promise<void>): TrainingMethod {
  return {
    name: method.name,
    plan(modules, context) {
      return method.plan(modules, context).map(
        (phase): Phase =>
          new Proxy(phase, {
            get(target, key) {
              if (key === "epochEnd") {
                return async () => {
                  const report = await target.epochEnd?.();
                  await onEpoch(target.label);
                  return report;
                };
              }
              const value = Reflect.get(target, key, target) as unknown;
              return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
            },
          }),
      );
    },
  };
}

/** Serialises each training module to its own safetensors file, plus the model spec, as `@modular/nn` checkpoints do. */
async function checkpointFiles(modules: readonly Module[], spec: unknown): Promise<CheckpointFile[]> {
  const files: CheckpointFile[] = [];
  for (const [index, module] of modules.entries()) {
    const bytes = await serializeModule(module, { module: `${index + 1}/${modules.length}` });
    files.push({ name: moduleFileName(index + 1), bytes });
  }
  files.push({ name: MODEL_SPEC_FILE, bytes: new TextEncoder().encode(JSON.stringify(spec, null, 2)) });
  return files;
}

/** Loads the embedded MNIST, or the user's IDX files, which must hold [1, 28, 28] images of 10 classes as the models expect. */
async function loadData(config: RunConfig): Promise<DatasetSplit> {
  if (config.idxFiles === undefined) return loadMnist();

  const split = await loadIdxSources({ ...config.idxFiles, name: "picked IDX files", classes: 10 });
  const shape = split.train.sampleShape.join("×");
  if (shape !== "1×28×28") {
    throw new Error(`The picked IDX files hold images of shape ${shape}, but the demo's models take 1×28×28 images (MNIST, Fashion-MNIST).`);
  }
  return split;
}

async function run(config: RunConfig): Promise<void> {
  const post = (message: FromTrainingWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

  if (config.backend === "webgpu") registerWebGpu();
  await setBackend(config.backend);
  const backend = getBackend() as { name: string; adapterDescription?: string };
  post({ type: "backend", runId: config.runId, name: backend.name, adapter: backend.adapterDescription ?? "" });

  const { train: allTrain, test } = await loadData(config);
  const trainSet =
    config.trainSamples === "all" || config.trainSamples >= allTrain.size
      ? allTrain
      : allTrain.subset(shuffledIndices(allTrain.size, { seed: config.seed, epoch: 0 }).subarray(0, config.trainSamples));
  const dataName = config.idxFiles === undefined ? "embedded MNIST" : "picked IDX files";
  post({ type: "data", runId: config.runId, name: dataName, trainSamples: trainSet.size, testSamples: test.size });

  const scheme = findScheme(config.scheme);
  const model = findModel(config.model).build(config.seed);
  const modules = scheme.split(model);
  let epochsDone = 0;
  const method = withEpochEvaluation(scheme.create(), async (label) => {
    epochsDone++;
    const { accuracy } = await evaluate(modules, test);
    post({ type: "accuracy", runId: config.runId, epochsDone, label, accuracy });
  });

  if (scheme.requirements?.moduleWorkers === true) await startModuleWorkers(modules.length);

  // The untrained network's accuracy, as the start of the accuracy curve.
  const untrained = await evaluate(modules, test);
  post({ type: "accuracy", runId: config.runId, epochsDone: 0, label: "untrained", accuracy: untrained.accuracy });

  const result = await train({
    modules,
    method,
    train: trainSet,
    test,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    optimizer: { kind: "adam", lr: config.lr },
    logEvery: 10,
    onEvent: (event) => post({ type: "event", runId: config.runId, event }),
  });

  const checkpoint = await checkpointFiles(modules, model.spec);
  post(
    {
      type: "done",
      runId: config.runId,
      testAccuracy: result.testAccuracy ?? Number.NaN,
      seconds: result.seconds,
      checkpoint,
    },
    checkpoint.map((file) => file.bytes.buffer as ArrayBuffer),
  );
}

setWorkerSpawner(spawnDglModuleWorker);

scope.addEventListener("message", (event) => {
  const message = event.data;
  if (message.type !== "train") return;
  run(message.config).catch((error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    scope.postMessage({ type: "failed", runId: message.config.runId, message: text });
  });
});
