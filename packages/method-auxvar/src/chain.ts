/**
 * The layer chain the auxiliary-variable schemes train: the `Linear` and
 * `ReLU` layers of the training modules in forward order, with the weights
 * and bias of each `Linear` joined into one augmented matrix. The closed-form
 * updates exist for this form only: z_l = a_{l−1} W_l + b_l, a_l = relu(z_l),
 * and a linear output layer.
 */
import { ConfigError, Flatten, Linear, type Module, ReLU, Sequential } from "@modular/nn";
import { concat, ones, reshape, slice, type Tensor } from "@modular/tensor";

/** The dense layers of a ReLU MLP, the one model form the schemes support. */
export interface DenseChain {
  /** The `Linear` layers in forward order; every one but the last is followed by a ReLU. */
  readonly layers: readonly Linear[];
  /** Index of the training module that owns each layer. */
  readonly moduleOf: readonly number[];
}

function leafLayers(module: Module): Module[] {
  return module instanceof Sequential ? module.layers.flatMap(leafLayers) : [module];
}

/**
 * Collect the dense chain of `modules`, or throw a `ConfigError` that names
 * the first layer that does not fit the form Flatten? (Linear ReLU)* Linear.
 */
export function denseChain(modules: readonly Module[], method: string): DenseChain {
  const layers: Linear[] = [];
  const moduleOf: number[] = [];
  let expectLinear = true;
  let position = 0;
  modules.forEach((module, q) => {
    for (const layer of leafLayers(module)) {
      position++;
      if (layer instanceof Flatten && position === 1) continue;
      const fits = expectLinear ? layer instanceof Linear : layer instanceof ReLU;
      if (!fits) {
        throw new ConfigError(
          `${method}: layer ${position} is ${layer.describe()} but the closed-form updates need ` +
            `${expectLinear ? "a Linear layer" : "a ReLU"} there; they support only a ReLU MLP ` +
            "(Flatten, then Linear and ReLU pairs, then a Linear output). Use --model mlp with the relu activation.",
        );
      }
      if (layer instanceof Linear) {
        layers.push(layer);
        moduleOf.push(q);
      }
      expectLinear = !expectLinear;
    }
  });
  if (layers.length < 2 || expectLinear) {
    throw new ConfigError(
      `${method}: the model must end in a Linear output layer after at least one hidden Linear and ReLU pair, ` +
        `but it has ${layers.length} Linear layer(s)${expectLinear ? " and ends in a ReLU" : ""}.`,
    );
  }
  return { layers, moduleOf };
}

/** [W; bᵀ] of `layer`: [inFeatures + 1, outFeatures], or W alone for a layer without bias. */
export function augmentedWeights(layer: Linear): Tensor {
  const weight = layer.weight.value;
  if (layer.bias === undefined) return weight;
  return concat([weight, reshape(layer.bias.value, [1, layer.outFeatures])], 0);
}

/** [a, 1] for a layer with bias: a [B, d] with a column of ones appended; `a` itself otherwise. */
export function augmentedInput(a: Tensor, layer: Linear): Tensor {
  if (layer.bias === undefined) return a;
  return concat([a, ones([a.shape[0]!, 1])], 1);
}

/** Take the weight rows [in, out] of augmented weights, without the bias row. */
export function weightPart(weights: Tensor, layer: Linear): Tensor {
  return layer.bias === undefined ? weights : slice(weights, [0, 0], [layer.inFeatures, layer.outFeatures]);
}

/** Take the bias row of augmented weights as [out], or undefined for a layer without bias. */
export function biasPart(weights: Tensor, layer: Linear): Tensor | undefined {
  if (layer.bias === undefined) return undefined;
  return reshape(slice(weights, [layer.inFeatures, 0], [1, layer.outFeatures]), [layer.outFeatures]);
}
