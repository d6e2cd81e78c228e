/**
 * The TensorFlow.js 4.22.0 targets, the peers of the suite: `tfjs-webgpu`
 * (`@tensorflow/tfjs-backend-webgpu`) and `tfjs-cpu`
 * (`@tensorflow/tfjs-backend-cpu`, plain JavaScript). The MLP step is
 * written with TensorFlow.js's own API (`optimizer.minimize`) on the same
 * layer widths, batch and optimizer as ours.
 */
/// <reference types="@webgpu/types" />
import type * as TfCore from "@tensorflow/tfjs-core";
import { recordRequestedAdapters, summarizeAdapter, type AdapterSummary } from "./adapter.js";
import { BenchUnavailableError } from "./errors.js";
import type { BenchOptimizer } from "./options.js";
import { MLP_LEARNING_RATES, MLP_WIDTHS, mlpLabel, type TargetRunner, type Workload } from "./workload.js";

type Tf = typeof TfCore;

/** Run `launch` `iterations` times, keep only the last result, and wait for it with `data()`. */
async function runAndRead(iterations: number, launch: () => TfCore.Tensor): Promise<void> {
  let last: TfCore.Tensor | undefined;
  for (let i = 0; i < iterations; i++) {
    last?.dispose();
    last = launch();
  }
  await last?.data();
  last?.dispose();
}

function matmulWorkload(tf: Tf, size: number, seed: number): Workload {
  const a = tf.randomUniform([size, size], 0, 1, "float32", seed);
  const b = tf.randomUniform([size, size], 0, 1, "float32", seed + 1);
  return {
    run: (iterations) => runAndRead(iterations, () => tf.matMul(a, b)),
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

function mlpStepWorkload(tf: Tf, batch: number, optimizerName: BenchOptimizer, seed: number): Workload {
  // He-normal weights and zero biases, as `@modular/nn`'s `mlp` initialises ReLU layers.
  const weights: TfCore.Variable[] = [];
  const biases: TfCore.Variable[] = [];
  for (let i = 0; i + 1 < MLP_WIDTHS.length; i++) {
    const [fanIn, fanOut] = [MLP_WIDTHS[i]!, MLP_WIDTHS[i + 1]!];
    weights.push(tf.variable(tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(2 / fanIn), "float32", seed + i)));
    biases.push(tf.variable(tf.zeros([fanOut])));
  }
  const classes = MLP_WIDTHS[MLP_WIDTHS.length - 1]!;
  const x = tf.randomUniform([batch, MLP_WIDTHS[0]], 0, 1, "float32", seed);
  const labels = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => mlpLabel(i)), "int32"), classes),
  );
  const learningRate = MLP_LEARNING_RATES[optimizerName];
  const optimizer = optimizerName === "sgd" ? tf.train.sgd(learningRate) : tf.train.adam(learningRate);

  const loss = (): TfCore.Scalar => {
    let h: TfCore.Tensor = x;
    weights.forEach((weight, i) => {
      h = tf.add(tf.matMul(h, weight), biases[i]!);
      if (i + 1 < weights.length) h = tf.relu(h);
    });
    return tf.losses.softmaxCrossEntropy(labels, h);
  };
  const step = (): TfCore.Tensor => optimizer.minimize(loss, true)!;
  return {
    run: (iterations) => runAndRead(iterations, step),
    dispose() {
      optimizer.dispose();
      for (const variable of [...weights, ...biases]) variable.dispose();
      x.dispose();
      labels.dispose();
    },
  };
}

/** Set TensorFlow.js's backend `name`, or throw naming the package that failed. */
export async function setTfBackend(tf: Tf, name: string, packageName: string): Promise<void> {
  if (!(await tf.setBackend(name))) {
    throw new BenchUnavailableError(`TensorFlow.js could not initialise its "${name}" backend (${packageName}). Its warning above gives the reason.`);
  }
  await tf.ready();
}

/**
 * Initialise `@tensorflow/tfjs-backend-webgpu` on `navigator.gpu` and return
 * the adapter it requested. The package registers its backend at import time
 * and only when `navigator.gpu` exists, so Node.js must install Dawn's first
 * (the `node` entry of this package does).
 */
async function initTfjsWebGpu(tf: Tf): Promise<AdapterSummary> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) {
    throw new BenchUnavailableError(
      "tfjs-webgpu needs navigator.gpu, which is missing. In Node.js, import @modular/bench through its node " +
        "export condition, which installs the navigator.gpu of the webgpu package, or leave tfjs-webgpu out of the targets.",
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  const { adapters } = await recordRequestedAdapters(gpu, () => setTfBackend(tf, "webgpu", "@tensorflow/tfjs-backend-webgpu"));

  const requested = adapters[adapters.length - 1];
  if (requested !== undefined) return summarizeAdapter(requested.info);
  // NOTE: the backend was initialised before this call, so only the vendor and architecture that
  // TensorFlow.js stores are known, and `sameAdapter` then reports false.
  const stored = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return { vendor: stored?.vendor ?? "", architecture: stored?.architecture ?? "", device: "", description: "" };
}

/** Make TensorFlow.js's `webgpu` or `cpu` backend active and return its runner. */
export async function createTfjsRunner(target: "tfjs-webgpu" | "tfjs-cpu"): Promise<TargetRunner> {
  const tf = await import("@tensorflow/tfjs-core");
  // tfjs-core registers no gradients by itself; `optimizer.minimize` needs them.
  await import("@tensorflow/tfjs-core/dist/register_all_gradients");
  let adapter: AdapterSummary | undefined;
  if (target === "tfjs-webgpu") {
    adapter = await initTfjsWebGpu(tf);
  } else {
    await import("@tensorflow/tfjs-backend-cpu");
    await setTfBackend(tf, "cpu", "@tensorflow/tfjs-backend-cpu");
  }

  return {
    target,
    adapter,
    matmul: (size, seed) => matmulWorkload(tf, size, seed),
    mlpStep: (batch, optimizer, seed) => mlpStepWorkload(tf, batch, optimizer, seed),
    async dispose() {},
  };
}
