/**
 * `InverseLayer`: the learned approximate inverse g_l of one training module
 * f_l in Target Propagation (Lee, Zhang, Fischer and Bengio, "Difference
 * target propagation", ECML/PKDD 2015). It maps the module's output h_l back
 * to the space of its input h_{l−1} with one linear layer and a nonlinearity.
 */
import { ConfigError, Linear, Module, ReLU, Sequential, Sigmoid, Tanh } from "@modular/nn";
import { reshape, type Tensor } from "@modular/tensor";

/** Nonlinearities an inverse layer can end with. */
export const INVERSE_ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"] as const;
export type InverseActivation = (typeof INVERSE_ACTIVATIONS)[number];

/** Return the layer of `activation`, or undefined for "linear". */
export function activationLayer(activation: InverseActivation): Module | undefined {
  if (activation === "relu") return new ReLU();
  if (activation === "tanh") return new Tanh();
  if (activation === "sigmoid") return new Sigmoid();
  return undefined;
}

export interface InverseLayerOptions {
  /** Features of one sample of the module's output h_l. */
  readonly outputFeatures: number;
  /** Shape of one sample of the module's input h_{l−1}, which the inverse reconstructs. */
  readonly inputShape: readonly number[];
  /** The nonlinearity after the linear map; use the one that produced h_{l−1}. */
  readonly activation: InverseActivation;
  /** Seed of the linear layer's initial weights. */
  readonly seed: number;
}

export class InverseLayer extends Module {
  readonly inputFeatures: number;
  private readonly network: Sequential;

  constructor(readonly options: InverseLayerOptions) {
    super();
    const { outputFeatures, inputShape, activation, seed } = options;
    this.inputFeatures = inputShape.reduce((a, b) => a * b, 1);
    if (!INVERSE_ACTIVATIONS.includes(activation)) {
      throw new ConfigError(
        `InverseLayer: activation "${String(activation)}" is invalid; use one of ${INVERSE_ACTIVATIONS.join(", ")}.`,
      );
    }
    const layers: Module[] = [
      new Linear(outputFeatures, this.inputFeatures, {
        init: activation === "relu" ? "kaiming-normal" : "xavier-uniform",
        gain: activation === "relu" ? Math.SQRT2 : 1,
        seed,
      }),
    ];
    const end = activationLayer(activation);
    if (end !== undefined) layers.push(end);
    this.network = this.addChild("network", new Sequential(layers));
  }

  /** Map h_l [B, ...] to an estimate of h_{l−1} [B, ...inputShape]. */
  forward(h: Tensor): Tensor {
    const batch = h.shape[0]!;
    const flat = reshape(h, [batch, h.size / batch]);
    return reshape(this.network.forward(flat), [batch, ...this.options.inputShape]);
  }

  override describe(): string {
    return `InverseLayer(${this.network.describe()})`;
  }
}
