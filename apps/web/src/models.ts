/** The models the demo trains on the embedded MNIST ([1, 28, 28] digits, 10 classes). */
import { cnn, type Model, mlp } from "@modular/nn";

export interface ModelEntry {
  readonly name: string;
  /** Layer sizes in one line, shown on the page. */
  readonly summary: string;
  build(seed: number): Model;
}

const INPUT_SHAPE = [1, 28, 28];
const CLASSES = 10;

export const MODELS: readonly ModelEntry[] = [
  {
    name: "mlp",
    summary: "MLP 784-256-128-10, ReLU",
    build: (seed) => mlp({ kind: "mlp", inputShape: INPUT_SHAPE, hidden: [256, 128], classes: CLASSES }, seed),
  },
  {
    name: "cnn",
    summary: "CNN: 3×3 conv 16 and 32 channels, each with ReLU and 2×2 max pool, then fc 128 and the output",
    build: (seed) => cnn({ kind: "cnn", inputShape: INPUT_SHAPE, classes: CLASSES, hidden: 128 }, seed),
  },
];

/** Returns the model named `name`. Throws, listing the valid names, for an unknown one. */
export function findModel(name: string): ModelEntry {
  const model = MODELS.find((entry) => entry.name === name);
  if (model === undefined) throw new Error(`Unknown model "${name}". Valid models: ${MODELS.map((entry) => entry.name).join(", ")}.`);
  return model;
}
