/**
 * Dense and convolutional ops whose backward pass sends the output gradient
 * to the layer's input through a feedback path instead of the transposed
 * weights. This is the change that Feedback Alignment makes to backprop
 * (Lillicrap, Cownden, Tweed and Akerman, "Random synaptic feedback weights
 * support error backpropagation for deep learning", Nature Communications
 * 2016).
 *
 * The forward pass is the layer's own `forward`, and the gradients of the
 * weight and the bias are the true ones. Only the cotangent that reaches
 * the layers below changes.
 */
import { customVjp, type VjpContext } from "@modular/autodiff";
import { ConfigError, type Conv2d, Linear } from "@modular/nn";
import { conv2dFilterGradient, conv2dTranspose, formatShape, matmul, shapesEqual, sum, type Tensor } from "@modular/tensor";

/** A layer whose weight transport feedback alignment replaces. */
export type WeightLayer = Linear | Conv2d;

/**
 * Computes the cotangent at a layer's input `x` from the cotangent `dy` at
 * its output, in place of the backprop rule dy·Wᵀ. `weight` is the weight
 * the forward pass used. The result must have the shape of `x`.
 */
export type InputGradient = (dy: Tensor, x: Tensor, weight: Tensor) => Tensor;

/**
 * Returns the backprop input rule of `layer` with the tensor
 * `feedbackOf(W)` in place of its weight W: dy·Bᵀ for a `Linear`, and the
 * transposed convolution of dy with filter B, for the layer's stride,
 * padding and dilation, for a `Conv2d`. B must have the weight's shape.
 * `feedbackOf` runs at every backward pass, so B may follow W (sign
 * symmetry) or ignore it (a fixed random matrix).
 */
export function feedbackInputGradient(layer: WeightLayer, feedbackOf: (weight: Tensor) => Tensor): InputGradient {
  const checked = (weight: Tensor): Tensor => {
    const feedback = feedbackOf(weight);
    if (!shapesEqual(feedback.shape, weight.shape)) {
      throw new ConfigError(
        `${layer.describe()}: the feedback matrix has shape ${formatShape(feedback.shape)}, but the weight has shape ` +
          `${formatShape(weight.shape)}; they must be equal.`,
      );
    }
    return feedback;
  };
  if (layer instanceof Linear) return (dy, _x, weight) => matmul(dy, checked(weight), { transposeB: true });
  return (dy, x, weight) =>
    conv2dTranspose(dy, checked(weight), { ...layer.convOptions, outputSize: [x.shape[2]!, x.shape[3]!] });
}

/** Throw unless the feedback path returned a cotangent of the input's shape. */
function checkInputGradient(layer: WeightLayer, dx: Tensor, x: Tensor): Tensor {
  if (!shapesEqual(dx.shape, x.shape)) {
    throw new ConfigError(
      `${layer.describe()}: the feedback path returned an input gradient of shape ${formatShape(dx.shape)} for an ` +
        `input of shape ${formatShape(x.shape)}; it must return the input's shape. Check the shape of the feedback matrix.`,
    );
  }
  return dx;
}

/** Return the op's inputs: the layer input, then the weight and, when the layer has one, the bias. */
function opInputs(layer: WeightLayer, x: Tensor): Tensor[] {
  return layer.bias === undefined ? [x, layer.weight.value] : [x, layer.weight.value, layer.bias.value];
}

/**
 * Apply `layer` (y = x W + b) to `x` [N, inFeatures] as one taped op whose
 * backward pass returns `inputGradient(dy, x, W)` for `x`, and the true
 * gradients xᵀ·dy and Σₙ dy for the weight and the bias.
 */
export function linearWithFeedback(layer: Linear, x: Tensor, inputGradient: InputGradient): Tensor {
  const backward = (dy: Tensor, { inputs, needs }: VjpContext): (Tensor | null)[] => {
    const [input, weight] = inputs as [Tensor, Tensor];
    const grads = [
      needs[0] ? checkInputGradient(layer, inputGradient(dy, input, weight), input) : null,
      needs[1] ? matmul(input, dy, { transposeA: true }) : null,
    ];
    if (inputs.length > 2) grads.push(needs[2] ? sum(dy, { axis: 0 }) : null);
    return grads;
  };
  const op = customVjp((...inputs: Tensor[]) => layer.forward(inputs[0]!), backward, "linearWithFeedback");
  return op(...opInputs(layer, x));
}

/**
 * Apply `layer` to `x` [N, inChannels, H, W] as one taped op whose backward
 * pass returns `inputGradient(dy, x, W)` for `x`, and the true filter and
 * bias gradients for the layer's stride, padding and dilation.
 */
export function conv2dWithFeedback(layer: Conv2d, x: Tensor, inputGradient: InputGradient): Tensor {
  const backward = (dy: Tensor, { inputs, needs }: VjpContext): (Tensor | null)[] => {
    const [input, weight] = inputs as [Tensor, Tensor];
    const grads = [
      needs[0] ? checkInputGradient(layer, inputGradient(dy, input, weight), input) : null,
      needs[1] ? conv2dFilterGradient(input, dy, layer.kernelSize, layer.convOptions) : null,
    ];
    if (inputs.length > 2) grads.push(needs[2] ? sum(dy, { axis: [0, 2, 3] }) : null);
    return grads;
  };
  const op = customVjp((...inputs: Tensor[]) => layer.forward(inputs[0]!), backward, "conv2dWithFeedback");
  return op(...opInputs(layer, x));
}
