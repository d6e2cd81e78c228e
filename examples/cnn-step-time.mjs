// Time one end-to-end backprop step of a small CNN on random MNIST-shaped data:
// conv(1->32, 3x3, pad 1) -> relu -> maxpool 2 -> conv(32->64, 3x3, pad 1) -> relu
// -> maxpool 2 -> linear(3136->128) -> relu -> linear(128->10), batch 128, SGD.
//
// Usage: node cnn-step-time.mjs [cpu|webgpu] [steps]
// Build the packages first (pnpm build). The webgpu backend needs a Vulkan
// driver; without a GPU set VK_ICD_FILENAMES to Mesa's lavapipe ICD.
import {
  Conv2d,
  crossEntropy,
  Flatten,
  Linear,
  MaxPool2d,
  parametersOf,
  ReLU,
  Sequential,
  SGD,
  tapeFor,
} from "@modular/nn";
import { disposeBackends, randomNormal, randomUniform, cast, mul, floor, registerWebGpu, setBackend, tidy } from "@modular/tensor";

const backendName = process.argv[2] ?? "cpu";
const steps = Number(process.argv[3] ?? 5);
const batchSize = 128;

registerWebGpu();
await setBackend(backendName);

const model = new Sequential([
  new Conv2d(1, 32, 3, { padding: 1, seed: 1 }),
  new ReLU(),
  new MaxPool2d(2),
  new Conv2d(32, 64, 3, { padding: 1, seed: 2 }),
  new ReLU(),
  new MaxPool2d(2),
  new Flatten(),
  new Linear(64 * 7 * 7, 128, { seed: 3 }),
  new ReLU(),
  new Linear(128, 10, { seed: 4 }),
]);
const parameters = parametersOf([model]);
const optimizer = new SGD({ lr: 0.01 });

const x = randomNormal([batchSize, 1, 28, 28], { seed: 5 });
const y = tidy(() => cast(floor(mul(randomUniform([batchSize], { seed: 6 }), 10)), "int32"));

function step() {
  return tidy(() => {
    const tape = tapeFor(parameters);
    const loss = tape.record(() => crossEntropy(model.forward(x), y));
    optimizer.step(parameters, tape.gradient(loss, parameters.map((p) => p.value)));
    return loss;
  });
}

// The first step compiles pipelines and warms caches; it is reported apart.
let start = performance.now();
let loss = step();
console.log(`first step: ${(performance.now() - start).toFixed(0)} ms, loss ${(await loss.data())[0].toFixed(4)}`);
loss.dispose();

// CPU time of this process is reported next to wall time because it is less
// sensitive to other processes on a shared machine. On webgpu with a
// software Vulkan driver (lavapipe) the driver's threads count too.
const times = [];
const cpuTimes = [];
for (let i = 0; i < steps; i++) {
  start = performance.now();
  const cpuStart = process.cpuUsage();
  loss = step();
  await loss.data(); // wait for the device to finish
  times.push(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
  loss.dispose();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `${backendName}: ${steps} steps at batch ${batchSize}, wall median ${median(times).toFixed(0)} ms ` +
    `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), ` +
    `CPU time median ${median(cpuTimes).toFixed(0)} ms`,
);
disposeBackends();
