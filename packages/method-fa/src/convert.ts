/**
 * Conversion of `nn` modules into their feedback-alignment counterparts:
 * the same parameters and the same stateful layers, with every `Linear` and
 * `Conv2d` wrapped so that its backward pass sends the gradient down
 * through a feedback path. Training the counterpart therefore trains the
 * original modules, which evaluate and checkpoint as usual.
 */
import { ConfigError, Conv2d, ConvTranspose2d, Linear, Module, Residual, Sequential } from "@modular/nn";
import type { Tensor } from "@modular/tensor";
import { conv2dWithFeedback, type InputGradient, linearWithFeedback, type WeightLayer } from "./feedback-ops.js";

/**
 * Supplies the feedback path of a weight layer, given the layer and its
 * position `index` (from 0) among the weight layers of all converted
 * modules, in forward order.
 */
export type FeedbackRule = (layer: WeightLayer, index: number) => InputGradient;

/**
 * A `Linear` or `Conv2d` layer that runs its ordinary forward pass, but
 * whose backward pass computes the gradient at its input with a feedback
 * path. Its only child is the wrapped layer, so it has the same parameters.
 */
export class FeedbackLayer extends Module {
  /** Per-sample shape of the most recent input, e.g. [16, 14, 14]; undefined before the first forward pass. */
  inputShape: readonly number[] | undefined;

  constructor(
    readonly layer: WeightLayer,
    readonly index: number,
    private readonly inputGradient: InputGradient,
  ) {
    super();
    this.addChild("layer", layer);
  }

  /** Same shapes as the wrapped layer. */
  forward(x: Tensor): Tensor {
    this.inputShape = x.shape.slice(1);
    return this.layer instanceof Linear
      ? linearWithFeedback(this.layer, x, this.inputGradient)
      : conv2dWithFeedback(this.layer, x, this.inputGradient);
  }

  override describe(): string {
    return `Feedback(${this.layer.describe()})`;
  }
}

/** The feedback-alignment counterpart of a list of training modules. */
export interface FeedbackNetwork {
  /** One converted module per input module, with the same parameters in the same order. */
  readonly modules: readonly Module[];
  /** Every wrapped weight layer, in forward order (`FeedbackLayer.index` is the position here). */
  readonly layers: readonly FeedbackLayer[];
}

/**
 * Convert `modules` (applied in order) into modules that share their
 * parameters and stateful layers, with every `Linear` and `Conv2d` wrapped
 * in a `FeedbackLayer` whose path `rule` supplies. `Sequential` (so also
 * `Model` and `ModelPart`) and `Residual` containers are rebuilt around
 * the converted children. Layers without children, such as activations,
 * pooling and batch normalization, are reused as they are, so they keep
 * their true local derivatives. Throws a `ConfigError` for a
 * `ConvTranspose2d` and for any other container.
 */
export function withFeedback(modules: readonly Module[], rule: FeedbackRule): FeedbackNetwork {
  const layers: FeedbackLayer[] = [];
  const wrap = (layer: WeightLayer): FeedbackLayer => {
    const index = layers.length;
    const wrapped = new FeedbackLayer(layer, index, rule(layer, index));
    layers.push(wrapped);
    return wrapped;
  };
  const converted = modules.map((module) => convert(module, wrap));

  // Optimizer state and alignment groups are indexed by parameter position, so the order must not change.
  converted.forEach((module, q) => {
    const original = modules[q]!.parameters();
    const mirrored = module.parameters();
    if (mirrored.length !== original.length || mirrored.some((parameter, i) => parameter !== original[i])) {
      throw new ConfigError(
        `withFeedback: the converted module ${q + 1} lists its parameters in another order than ` +
          `${modules[q]!.describe()}. Build the model from Sequential and Residual containers.`,
      );
    }
  });
  return { modules: converted, layers };
}

function convert(module: Module, wrap: (layer: WeightLayer) => FeedbackLayer): Module {
  if (module instanceof Linear || module instanceof Conv2d) return wrap(module);
  if (module instanceof ConvTranspose2d) {
    // TODO: a transposed convolution needs its own feedback op (its input gradient is a conv2d with B); no builder uses one yet.
    throw new ConfigError(
      `withFeedback: ${module.describe()} has no feedback-alignment counterpart yet; ` +
        "only Linear and Conv2d layers can be converted. Train this model with another method.",
    );
  }
  if (module instanceof Residual) {
    return new Residual(convert(module.body, wrap), {
      ...(module.shortcut === undefined ? {} : { shortcut: convert(module.shortcut, wrap) }),
      ...(module.activation === undefined ? {} : { activation: convert(module.activation, wrap) }),
    });
  }
  if (module instanceof Sequential) return new Sequential(module.layers.map((layer) => convert(layer, wrap)));
  if (module.children().length === 0) return module;
  throw new ConfigError(
    `withFeedback: cannot convert ${module.describe()}, a container of another kind than Sequential or Residual. ` +
      "Build the model from Sequential and Residual containers.",
  );
}
