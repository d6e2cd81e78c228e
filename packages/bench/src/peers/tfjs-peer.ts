/**
 * TensorFlow.js 4.22.0 targets of the peers suite: `tfjs-cpu`
 * (`@tensorflow/tfjs-backend-cpu`, plain JavaScript) and `tfjs-wasm`
 * (`@tensorflow/tfjs-backend-wasm`, XNNPACK compiled to WebAssembly with
 * SIMD). The MLP is written with TensorFlow.js's own ops and trained with
 * `optimizer.minimize`, from the job's weights and in the job's order.
 */
import { fileURLToPath } from "node:url";
import type * as TfCore from "@tensorflow/tfjs-core";
import { setTfBackend } from "../tfjs-runner.js";
import type { Workload } from "../workload.js";
import { accuracyOf, epochBatches, type PeersJob, timedBatch } from "./job.js";
import type { InProcessPeer, TrainingOutcome } from "./target.js";

type Tf = typeof TfCore;

/** TensorFlow.js version of the bundled packages, pinned in package.json. */
const TFJS_VERSION = "4.22.0";

/**
 * Folder of the `.wasm` files of `@tensorflow/tfjs-backend-wasm`: tsup copies
 * them next to the bundle (see tsup.config.ts), and this module is bundled
 * into `dist/`, so they sit beside it.
 */
function wasmDirectory(): string {
  return fileURLToPath(new URL("./", import.meta.url));
}

let wasmPathsSet = false;

async function loadTf(target: "tfjs-cpu" | "tfjs-wasm"): Promise<Tf> {
  const tf = await import("@tensorflow/tfjs-core");
  // tfjs-core registers no gradients by itself; `optimizer.minimize` needs them.
  await import("@tensorflow/tfjs-core/dist/register_all_gradients");
  if (target === "tfjs-cpu") {
    await import("@tensorflow/tfjs-backend-cpu");
    await setTfBackend(tf, "cpu", "@tensorflow/tfjs-backend-cpu");
    return tf;
  }
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // setWasmPaths throws once the backend has started, so it runs once per process.
  if (!wasmPathsSet) {
    wasm.setWasmPaths(wasmDirectory());
    wasmPathsSet = true;
  }
  await setTfBackend(tf, "wasm", "@tensorflow/tfjs-backend-wasm");
  return tf;
}

/** The MLP's variables, created from the job's initial weights on the active backend. */
class TfMlp {
  readonly weights: TfCore.Variable[];
  readonly biases: TfCore.Variable[];
  readonly optimizer: TfCore.AdamOptimizer;

  constructor(
    private readonly tf: Tf,
    job: PeersJob,
  ) {
    this.weights = job.weights.map((weight, layer) => tf.variable(tf.tensor2d(weight, [job.widths[layer]!, job.widths[layer + 1]!])));
    this.biases = job.biases.map((bias) => tf.variable(tf.tensor1d(bias)));
    this.optimizer = tf.train.adam(job.adam.lr, job.adam.beta1, job.adam.beta2, job.adam.epsilon);
  }

  logits(x: TfCore.Tensor): TfCore.Tensor {
    const tf = this.tf;
    let h = x;
    this.weights.forEach((weight, layer) => {
      h = tf.add(tf.matMul(h, weight), this.biases[layer]!);
      if (layer + 1 < this.weights.length) h = tf.relu(h);
    });
    return h;
  }

  /** One Adam step on (x, one-hot labels); returns the loss. */
  step(x: TfCore.Tensor, labels: TfCore.Tensor): TfCore.Scalar {
    return this.optimizer.minimize(() => this.tf.losses.softmaxCrossEntropy(labels, this.logits(x)), true)!;
  }

  dispose(): void {
    this.optimizer.dispose();
    for (const variable of [...this.weights, ...this.biases]) variable.dispose();
  }
}

function uploadBatch(tf: Tf, x: Float32Array, y: Int32Array, count: number, features: number, classes: number): [TfCore.Tensor2D, TfCore.Tensor] {
  return tf.tidy(() => [tf.tensor2d(x, [count, features]), tf.oneHot(tf.tensor1d(y, "int32"), classes)]);
}

function stepWorkload(tf: Tf, job: PeersJob): Workload {
  const model = new TfMlp(tf, job);
  const rows = timedBatch(job);
  const [x, labels] = uploadBatch(tf, rows.x, rows.y, rows.count, job.train.features, job.train.classes);
  return {
    async run(iterations) {
      let last: TfCore.Tensor | undefined;
      for (let i = 0; i < iterations; i++) {
        last?.dispose();
        last = model.step(x, labels);
      }
      await last?.data();
      last?.dispose();
    },
    dispose() {
      model.dispose();
      x.dispose();
      labels.dispose();
    },
  };
}

async function evaluateTf(tf: Tf, model: TfMlp, job: PeersJob): Promise<number> {
  const { test } = job;
  const predictions = new Int32Array(test.size);
  for (let start = 0; start < test.size; start += 1000) {
    const count = Math.min(1000, test.size - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor2d(test.images.subarray(start * test.features, (start + count) * test.features), [count, test.features]);
      return tf.argMax(model.logits(x), 1);
    });
    predictions.set((await predicted.data()) as Int32Array, start);
    predicted.dispose();
  }
  return accuracyOf(predictions, test.labels);
}

async function train(tf: Tf, job: PeersJob): Promise<TrainingOutcome> {
  const model = new TfMlp(tf, job);
  let trainSeconds = 0;
  try {
    for (let epoch = 0; epoch < job.epochs; epoch++) {
      const started = performance.now();
      let last: TfCore.Tensor | undefined;
      for (const rows of epochBatches(job, epoch)) {
        const [x, labels] = uploadBatch(tf, rows.x, rows.y, rows.count, job.train.features, job.train.classes);
        last?.dispose();
        last = model.step(x, labels);
        x.dispose();
        labels.dispose();
      }
      await last?.data();
      last?.dispose();
      trainSeconds += (performance.now() - started) / 1000;
    }
    return { accuracy: await evaluateTf(tf, model, job), trainSeconds };
  } finally {
    model.dispose();
  }
}

/** Make TensorFlow.js's `cpu` or `wasm` backend active and return its peers target. */
export async function createTfjsPeer(target: "tfjs-cpu" | "tfjs-wasm"): Promise<InProcessPeer> {
  const tf = await loadTf(target);
  // In Node.js the wasm backend runs single-threaded: TensorFlow.js 4.22.0 turns off its threads there.
  let threads = 1;
  if (target === "tfjs-wasm") {
    const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");
    threads = getThreadsCount();
  }
  return {
    library: `TensorFlow.js ${TFJS_VERSION}, ${target === "tfjs-cpu" ? "cpu backend (JavaScript)" : "wasm backend (WebAssembly)"}`,
    threads,
    stepWorkload: (job) => stepWorkload(tf, job),
    train: (job) => train(tf, job),
    async dispose() {},
  };
}
