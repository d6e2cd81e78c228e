/**
 * Model architectures that `modular train --model` accepts. An entry builds a
 * seeded model for the dataset's sample shape and classes. A new
 * architecture needs one entry here.
 */
import { cnn, type Model, mlp, resnet, vgg } from "@modular/nn";
import { UsageError } from "../errors.js";
import type { RegistryEntry } from "./entry.js";

/** Inputs of a model builder: the user's flags and the dataset's shapes. */
export interface ModelOptions {
  /** Widths of the hidden layers from `--hidden`, or undefined for the model's default. */
  readonly hidden: readonly number[] | undefined;
  /** Factor on the widths from `--width`, for the models that take one. */
  readonly width: number;
  /** Shape of one input sample, e.g. [1, 28, 28]. */
  readonly sampleShape: readonly number[];
  readonly classes: number;
}

export interface ModelEntry extends RegistryEntry {
  /** Epochs of each phase when `--epochs` is left out. */
  readonly defaultEpochs: number;
  /** Whether `--hidden` applies, and how many widths it takes ("any" or exactly one). */
  readonly hidden: "any" | "one" | "none";
  /** Whether `--width` applies. */
  readonly scalable: boolean;
  /** The hidden widths used when `--hidden` is left out, for models that take `--hidden`. */
  readonly defaultHidden?: readonly number[];
  /** Builds the model with initial weights drawn from `seed`. */
  build(options: ModelOptions, seed: number): Model;
  /** Describes the architecture in a few words for the header line, e.g. "mlp 784-256-128-10". */
  summary(options: ModelOptions): string;
}

function features(sampleShape: readonly number[]): number {
  return sampleShape.reduce((product, dim) => product * dim, 1);
}

/** Return the image shape [C, H, W] of the samples, or throw a `UsageError` naming the model. */
function imageShape(model: string, sampleShape: readonly number[]): readonly number[] {
  if (sampleShape.length !== 3) {
    throw new UsageError(
      `--model ${model} needs images [channels, height, width], but the dataset's samples have shape ` +
        `[${sampleShape.join(", ")}]. Use --model mlp for feature vectors.`,
    );
  }
  return sampleShape;
}

const MLP_HIDDEN = [256, 128];
const CNN_HIDDEN = 128;

export const MODELS: readonly ModelEntry[] = [
  {
    name: "mlp",
    description: "multilayer perceptron: flattened input, ReLU hidden layers of the --hidden widths (default 256,128), linear output",
    defaultEpochs: 15,
    hidden: "any",
    scalable: false,
    defaultHidden: MLP_HIDDEN,
    build: (options, seed) =>
      mlp({ kind: "mlp", inputShape: options.sampleShape, hidden: options.hidden ?? MLP_HIDDEN, classes: options.classes }, seed),
    summary: (options) =>
      `mlp ${[features(options.sampleShape), ...(options.hidden ?? MLP_HIDDEN), options.classes].join("-")}`,
  },
  {
    name: "cnn",
    description:
      "small LeNet-style CNN: two stages of 3x3 conv, ReLU and 2x2 max pool (16, 32 channels), a ReLU layer of --hidden units (default 128), linear output",
    defaultEpochs: 8,
    hidden: "one",
    scalable: false,
    defaultHidden: [CNN_HIDDEN],
    build: (options, seed) =>
      cnn(
        {
          kind: "cnn",
          inputShape: imageShape("cnn", options.sampleShape),
          classes: options.classes,
          hidden: options.hidden?.[0] ?? CNN_HIDDEN,
        },
        seed,
      ),
    summary: (options) => `cnn conv16-conv32-fc${options.hidden?.[0] ?? CNN_HIDDEN}-${options.classes}`,
  },
  {
    name: "vgg",
    description: "VGG-8B of Nøkland and Eidnes 2019 (six 3x3 convs with batch norm, fc1024), widths times --width",
    defaultEpochs: 10,
    hidden: "none",
    scalable: true,
    build: (options, seed) =>
      vgg({ kind: "vgg", inputShape: imageShape("vgg", options.sampleShape), classes: options.classes, widthMultiplier: options.width }, seed),
    summary: (options) => `vgg8b ×${options.width}`,
  },
  {
    name: "resnet",
    description: "ResNet-20 of He et al. 2016 (three stages of 3 basic blocks, 16-32-64 channels), widths times --width",
    defaultEpochs: 10,
    hidden: "none",
    scalable: true,
    build: (options, seed) =>
      resnet(
        { kind: "resnet", inputShape: imageShape("resnet", options.sampleShape), classes: options.classes, widthMultiplier: options.width },
        seed,
      ),
    summary: (options) => `resnet20 ×${options.width}`,
  },
];
