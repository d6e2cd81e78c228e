/**
 * `SyntheticGradientModel`: the small network M_q of a module boundary that
 * maps the activation h_q (and, for cDNI, the one-hot labels) to a predicted
 * per-sample gradient of the loss with respect to h_q (Jaderberg et al.,
 * "Decoupled neural interfaces using synthetic gradients", ICML 2017).
 *
 * Its last layer starts at zero, so the first synthetic gradients are 0 and
 * the modules upstream of it do not move until M_q has learned something.
 */
import { ConfigError, Linear, Module, ReLU, Sequential } from "@modular/nn";
import { concat, reshape, type Tensor } from "@modular/tensor";

export interface SyntheticGradientModelOptions {
  /** Shape of one sample of the activation h_q, e.g. [128] or [32, 14, 14]. */
  readonly activationShape: readonly number[];
  /** Number of classes of the one-hot labels it is conditioned on (cDNI), or 0 for none (DNI). */
  readonly conditionClasses: number;
  /** Hidden ReLU layers before the zero-initialised output layer; 0 makes the model linear. */
  readonly hiddenLayers: number;
  /** Width of each hidden layer. */
  readonly width: number;
  /** Seed of the hidden layers' initial weights. */
  readonly seed: number;
}

export class SyntheticGradientModel extends Module {
  readonly features: number;
  readonly conditionClasses: number;
  private readonly network: Sequential;

  constructor(readonly options: SyntheticGradientModelOptions) {
    super();
    const { activationShape, conditionClasses, hiddenLayers, width, seed } = options;
    this.features = activationShape.reduce((a, b) => a * b, 1);
    if (!(this.features > 0 && Number.isInteger(this.features))) {
      throw new ConfigError(`SyntheticGradientModel: activation shape [${activationShape.join(", ")}] is invalid; it needs at least one element.`);
    }
    this.conditionClasses = conditionClasses;
    const layers: Module[] = [];
    let inputs = this.features + conditionClasses;
    for (let i = 0; i < hiddenLayers; i++) {
      layers.push(new Linear(inputs, width, { seed, stream: i }), new ReLU());
      inputs = width;
    }
    layers.push(new Linear(inputs, this.features, { init: "zeros" }));
    this.network = this.addChild("network", new Sequential(layers));
  }

  /** Map [B, features + conditionClasses] to [B, features]. */
  forward(x: Tensor): Tensor {
    return this.network.forward(x);
  }

  /**
   * Predict the per-sample gradient of the loss with respect to `h`
   * [B, ...activationShape], returned in the shape of `h`. `condition` is the
   * [B, conditionClasses] one-hot labels, required exactly when the model is
   * conditioned.
   */
  synthesize(h: Tensor, condition?: Tensor): Tensor {
    const batch = h.shape[0]!;
    const flat = reshape(h, [batch, this.features]);
    if ((condition === undefined) !== (this.conditionClasses === 0)) {
      throw new ConfigError(
        `SyntheticGradientModel: conditioned on ${this.conditionClasses} classes, but the condition is ` +
          `${condition === undefined ? "missing" : "given"}. Pass one-hot labels exactly when conditionClasses > 0.`,
      );
    }
    const input = condition === undefined ? flat : concat([flat, condition], 1);
    return reshape(this.forward(input), h.shape);
  }

  override describe(): string {
    return `SyntheticGradientModel(${this.network.describe()})`;
  }
}
