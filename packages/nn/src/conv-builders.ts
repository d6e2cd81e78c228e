/**
 * Convolutional model builders: `cnn` (a small LeNet-style network), `vgg`
 * (VGG-8B with a width multiplier) and `resnet` (ResNet-20). Each returns a
 * `Model` with named blocks, so that a scheme can split it after any block.
 * Inputs are images [N, C, H, W].
 */
import { formatShape } from "@modular/tensor";
import { Conv2d } from "./conv.js";
import { ConfigError } from "./errors.js";
import { Flatten, Linear, ReLU } from "./layers.js";
import { Model } from "./model.js";
import { type Module, Sequential } from "./module.js";
import { BatchNorm2d } from "./normalization.js";
import { GlobalAvgPool2d, MaxPool2d } from "./pool.js";
import { Residual } from "./residual.js";

/**
 * A small LeNet-style network (after LeCun et al. 1998): two stages of 3×3
 * convolution (padding 1), ReLU and 2×2 max pooling, a fully connected
 * hidden layer with ReLU, and the output layer. Blocks: conv1, conv2, fc1,
 * output.
 */
export interface CnnSpec {
  readonly kind: "cnn";
  /** Shape of one input sample, [channels, height, width]. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Output channels of the two convolution stages. Default [16, 32]. */
  readonly channels?: readonly number[];
  /** Width of the fully connected hidden layer. Default 128. */
  readonly hidden?: number;
}

/**
 * VGG-8B of Nøkland and Eidnes ("Training neural networks with local error
 * signals", ICML 2019): conv128, conv256, pool, conv256, conv512, pool,
 * conv512, pool, conv512, pool, fc1024, output. Each conv is 3×3 with
 * padding 1, batch normalisation and ReLU; each pool is 2×2 max pooling.
 * Blocks: conv1 … conv6 (each with the pool that follows it), fc1, output.
 */
export interface VggSpec {
  readonly kind: "vgg";
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Factor on every conv and fc width (each rounded, at least 1), e.g. 0.25 for a CPU. Default 1. */
  readonly widthMultiplier?: number;
}

/**
 * ResNet-20 of He et al. ("Deep residual learning for image recognition",
 * CVPR 2016), the CIFAR variant: a 3×3 conv of 16 channels, three stages of
 * basic blocks with 16, 32 and 64 channels (the second and third stages
 * start with stride 2), global average pooling and the output layer. A
 * shortcut that changes the shape is a 1×1 conv with batch normalisation.
 * Blocks: stem, stage1.block1 … stage3.blockN, output.
 */
export interface ResNetSpec {
  readonly kind: "resnet";
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Basic blocks per stage: 3 gives ResNet-20, 5 ResNet-32. Default 3. */
  readonly blocksPerStage?: number;
  /** Factor on every width (each rounded, at least 1). Default 1. */
  readonly widthMultiplier?: number;
}

/** The VGG-8B layer list: a number is a 3×3 conv of that many channels, "M" a 2×2 max pool. */
const VGG8B = [128, 256, "M", 256, 512, "M", 512, "M", 512, "M"] as const;

/** Width of VGG-8B's fully connected hidden layer. */
const VGG8B_FC = 1024;

/** Return [channels, height, width] of `spec.inputShape`, or throw naming the builder and the fix. */
function imageShape(builder: string, inputShape: readonly number[], classes: number): [number, number, number] {
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ConfigError(
      `${builder}: inputShape ${formatShape(inputShape)} is invalid; it must be [channels, height, width] of images, ` +
        `such as [1, 28, 28]. Use the mlp builder for feature vectors.`,
    );
  }
  if (!Number.isInteger(classes) || classes < 2) {
    throw new ConfigError(`${builder}: classes ${classes} is invalid; it must be an integer of at least 2.`);
  }
  return [inputShape[0]!, inputShape[1]!, inputShape[2]!];
}

function checkMultiplier(builder: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigError(`${builder}: widthMultiplier ${value} is invalid; it must be a finite number > 0.`);
  }
}

function scaled(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Hands out distinct random streams to the layers of one model, so that layers sharing a seed differ. */
class Streams {
  private next = 0;

  take(): number {
    return this.next++;
  }
}

/** Build the small LeNet-style `cnn`. Input [N, C, H, W] with H and W at least 4; output [N, classes]. */
export function cnn(spec: CnnSpec, seed = 0): Model {
  const [channels, height, width] = imageShape("cnn", spec.inputShape, spec.classes);
  const widths = spec.channels ?? [16, 32];
  const hidden = spec.hidden ?? 128;
  if (widths.length !== 2 || widths.some((c) => !Number.isInteger(c) || c <= 0)) {
    throw new ConfigError(`cnn: channels [${widths.join(", ")}] is invalid; it must be two positive integers, e.g. [16, 32].`);
  }
  if (!Number.isInteger(hidden) || hidden <= 0) {
    throw new ConfigError(`cnn: hidden ${hidden} is invalid; it must be a positive integer.`);
  }
  if (height < 4 || width < 4) {
    throw new ConfigError(`cnn: the input ${height}×${width} is too small for two 2×2 poolings; it must be at least 4×4.`);
  }
  const streams = new Streams();
  const stage = (inChannels: number, outChannels: number): Module =>
    new Sequential([
      new Conv2d(inChannels, outChannels, 3, { padding: 1, seed, stream: streams.take() }),
      new ReLU(),
      new MaxPool2d(2),
    ]);
  const features = widths[1]! * Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2);
  const blocks = [
    stage(channels, widths[0]!),
    stage(widths[0]!, widths[1]!),
    new Sequential([new Flatten(), new Linear(features, hidden, { seed, stream: streams.take() }), new ReLU()]),
    new Linear(hidden, spec.classes, { init: "xavier-uniform", gain: 1, seed, stream: streams.take() }),
  ];
  return new Model(spec, blocks, ["conv1", "conv2", "fc1", "output"]);
}

/** Build a 3×3 conv (padding 1, no bias), batch normalisation and ReLU. */
function convBnRelu(inChannels: number, outChannels: number, seed: number, streams: Streams, stride = 1): Module[] {
  return [
    new Conv2d(inChannels, outChannels, 3, { padding: 1, stride, bias: false, seed, stream: streams.take() }),
    new BatchNorm2d(outChannels),
    new ReLU(),
  ];
}

/** Build VGG-8B. Input [N, C, H, W] with H and W at least 16 (four 2×2 poolings); output [N, classes]. */
export function vgg(spec: VggSpec, seed = 0): Model {
  const [channels, height, width] = imageShape("vgg", spec.inputShape, spec.classes);
  const multiplier = spec.widthMultiplier ?? 1;
  checkMultiplier("vgg", multiplier);
  if (height < 16 || width < 16) {
    throw new ConfigError(`vgg: the input ${height}×${width} is too small for four 2×2 poolings; it must be at least 16×16.`);
  }
  const streams = new Streams();
  const blocks: Module[] = [];
  const names: string[] = [];
  let inChannels = channels;
  let h = height;
  let w = width;
  for (const entry of VGG8B) {
    if (entry === "M") {
      const last = blocks.pop() as Sequential;
      blocks.push(new Sequential([...last.layers, new MaxPool2d(2)]));
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      continue;
    }
    const outChannels = scaled(entry, multiplier);
    blocks.push(new Sequential(convBnRelu(inChannels, outChannels, seed, streams)));
    names.push(`conv${names.length + 1}`);
    inChannels = outChannels;
  }
  const fc = scaled(VGG8B_FC, multiplier);
  blocks.push(new Sequential([new Flatten(), new Linear(inChannels * h * w, fc, { seed, stream: streams.take() }), new ReLU()]));
  blocks.push(new Linear(fc, spec.classes, { init: "xavier-uniform", gain: 1, seed, stream: streams.take() }));
  return new Model(spec, blocks, [...names, "fc1", "output"]);
}

/** Build one basic block: two 3×3 convs with batch normalisation, a shortcut, and ReLU after the sum. */
function basicBlock(inChannels: number, outChannels: number, stride: number, seed: number, streams: Streams): Residual {
  const body = new Sequential([
    ...convBnRelu(inChannels, outChannels, seed, streams, stride),
    new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false, seed, stream: streams.take() }),
    new BatchNorm2d(outChannels),
  ]);
  const projection =
    stride !== 1 || inChannels !== outChannels
      ? new Sequential([
          new Conv2d(inChannels, outChannels, 1, { stride, bias: false, seed, stream: streams.take() }),
          new BatchNorm2d(outChannels),
        ])
      : undefined;
  return new Residual(body, { ...(projection === undefined ? {} : { shortcut: projection }), activation: new ReLU() });
}

/** Build ResNet-20 (or deeper with `blocksPerStage`). Input [N, C, H, W]; output [N, classes]. */
export function resnet(spec: ResNetSpec, seed = 0): Model {
  const [channels] = imageShape("resnet", spec.inputShape, spec.classes);
  const multiplier = spec.widthMultiplier ?? 1;
  checkMultiplier("resnet", multiplier);
  const perStage = spec.blocksPerStage ?? 3;
  if (!Number.isInteger(perStage) || perStage < 1) {
    throw new ConfigError(`resnet: blocksPerStage ${perStage} is invalid; it must be a positive integer (3 gives ResNet-20).`);
  }
  const streams = new Streams();
  const widths = [16, 32, 64].map((width) => scaled(width, multiplier));
  const blocks: Module[] = [new Sequential(convBnRelu(channels, widths[0]!, seed, streams))];
  const names = ["stem"];
  let inChannels = widths[0]!;
  widths.forEach((outChannels, stage) => {
    for (let block = 0; block < perStage; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      blocks.push(basicBlock(inChannels, outChannels, stride, seed, streams));
      names.push(`stage${stage + 1}.block${block + 1}`);
      inChannels = outChannels;
    }
  });
  blocks.push(
    new Sequential([
      new GlobalAvgPool2d(),
      new Linear(inChannels, spec.classes, { init: "xavier-uniform", gain: 1, seed, stream: streams.take() }),
    ]),
  );
  names.push("output");
  return new Model(spec, blocks, names);
}
