// Train a small MLP with proxy/kernel on the embedded MNIST subset, in a
// browser tab, on the webgpu backend (navigator.gpu). The page shows the
// progress in #log, then writes a JSON summary to #result and sets the
// body's data-status to "done", or the error and "failed".
import { registerWebGpu, setBackend } from "@modular/tensor";
import { loadMnist } from "@modular/datasets";
import { mlp, splitBeforeOutput, train } from "@modular/nn";
import { kernelProxy } from "@modular/method-proxy";

const logElement = document.querySelector("#log");
const resultElement = document.querySelector("#result");

function show(line) {
  logElement.textContent += `${line}\n`;
}

async function run() {
  registerWebGpu();
  const backend = await setBackend("webgpu");
  show(`backend: webgpu on the adapter "${backend.adapterDescription}"`);

  const { train: trainSet, test } = await loadMnist();
  show(`data: ${trainSet.size} training and ${test.size} test digits`);

  // One epoch per phase: 2 × 126 steps of 64 digits. On SwiftShader, a step
  // of a quarter of this batch × width took about as long, so a smaller
  // model would not be faster.
  const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [128], classes: 10 }, 1);
  let steps = 0;
  const result = await train({
    modules: splitBeforeOutput(model), // the hidden layer, and the output layer
    method: kernelProxy(),
    train: trainSet,
    test,
    epochs: 1,
    batchSize: 64,
    seed: 1,
    optimizer: { kind: "adam", lr: 1e-3 },
    onEvent: (event) => {
      if (event.event === "phase-start") steps += event.epochs * event.stepsPerEpoch;
      if (event.event === "epoch-end") {
        show(`phase ${event.phase} epoch ${event.epoch} (${event.seconds.toFixed(1)} s): ${JSON.stringify(event.losses)}`);
      }
    },
  });
  show(`test accuracy: ${(100 * result.testAccuracy).toFixed(2)} % after ${steps} steps in ${result.seconds.toFixed(1)} s`);

  return {
    backend: backend.name,
    adapter: backend.adapterDescription,
    steps,
    testAccuracy: result.testAccuracy,
    seconds: result.seconds,
  };
}

run().then(
  (summary) => {
    resultElement.textContent = JSON.stringify(summary);
    document.body.dataset.status = "done";
  },
  (error) => {
    resultElement.textContent = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    document.body.dataset.status = "failed";
  },
);
