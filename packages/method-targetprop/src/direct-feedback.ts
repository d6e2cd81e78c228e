/**
 * Direct feedback maps of `targetprop/ddtp` with a fixed random hidden
 * layer (DDTP-RHL of Meulemans, Carzaniga, Suykens, Sacramento and Grewe,
 * "A theoretical framework for target propagation", NeurIPS 2020).
 *
 * A map G_l(h_L) = Q_l(tanh(h_L · R)) takes the output h_L to the space of
 * the hidden output h_l. R [outputs, hidden] is a fixed random matrix that
 * every map shares, and only Q_l (one dense layer) trains. In that paper
 * the module just below the output keeps a linear map from the output, so
 * `targetprop/ddtp-rhl` builds its maps that way too.
 */
import { initTensor, Module } from "@modular/nn";
import { matmul, reshape, tanh, type Tensor } from "@modular/tensor";
import { type InverseActivation, InverseLayer } from "./inverse.js";

/** The fixed random layer tanh(h_L · R) shared by the feedback maps. Input [B, ...], output [B, hidden]. */
export class RandomFeedbackLayer extends Module {
  private readonly projection;

  constructor(
    readonly outputFeatures: number,
    readonly hidden: number,
    seed: number,
  ) {
    super();
    // A buffer, not a parameter: it is saved in checkpoints but no optimizer steps it.
    const weights = initTensor("xavier-normal", [outputFeatures, hidden], {
      seed,
      stream: 0,
      fanIn: outputFeatures,
      fanOut: hidden,
      gain: 1,
    });
    this.projection = this.addBuffer("projection", weights);
  }

  forward(h: Tensor): Tensor {
    const batch = h.shape[0]!;
    return tanh(matmul(reshape(h, [batch, h.size / batch]), this.projection.value));
  }

  override describe(): string {
    return `RandomFeedbackLayer(${this.outputFeatures} -> ${this.hidden}, fixed, tanh)`;
  }
}

/**
 * A direct feedback map Q_l(tanh(h_L · R)). The shared random layer is not a
 * child, so it is counted, saved and disposed once, as its own auxiliary
 * module. The parameters of this module are those of Q_l alone.
 */
export class RandomHiddenFeedback extends Module {
  private readonly map: InverseLayer;

  constructor(
    readonly random: RandomFeedbackLayer,
    inputShape: readonly number[],
    activation: InverseActivation,
    seed: number,
  ) {
    super();
    this.map = this.addChild("map", new InverseLayer({ outputFeatures: random.hidden, inputShape, activation, seed }));
  }

  /** Map the output h_L [B, ...] to an estimate in the space of h_l [B, ...inputShape]. */
  forward(h: Tensor): Tensor {
    return this.map.forward(this.random.forward(h));
  }

  override describe(): string {
    return `RandomHiddenFeedback(${this.random.describe()} -> ${this.map.describe()})`;
  }
}
