// Train proxy/kernel on the embedded MNIST subset through the library API:
// the same run as `pnpm modular train`. Run: pnpm --filter @modular/examples kernel
import { loadMnist } from "@modular/datasets";
import { mlp, splitBeforeOutput, train } from "@modular/nn";
import { kernelProxy } from "@modular/method-proxy";

const { train: trainSet, test } = await loadMnist();
const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [256, 128], classes: 10 }, 1);
const result = await train({
  modules: splitBeforeOutput(model), // the hidden layers, and the output layer
  method: kernelProxy(),
  train: trainSet,
  test,
  epochs: 15,
  batchSize: 128,
  seed: 1,
  optimizer: { kind: "adam", lr: 1e-3 },
  onEvent: (event) => {
    if (event.event === "epoch-end") console.log(`phase ${event.phase} epoch ${event.epoch}`, event.losses);
  },
});
console.log(`test accuracy: ${(100 * result.testAccuracy).toFixed(2)} %`);
