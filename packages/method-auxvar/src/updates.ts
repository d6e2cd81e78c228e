/**
 * Closed-form block updates shared by the auxiliary-variable schemes. Every
 * linear system is solved through a Cholesky factor with a diagonal jitter
 * (`cholesky`, `choleskySolve` of `@modular/tensor`), never through an
 * explicit inverse, so the updates run on every backend without a read-back.
 *
 * Tensors are sample-major: an activation is [B, d], and augmented weights
 * W̃ = [W; bᵀ] are [d + 1, d_out], so a layer computes z = [a, 1] W̃.
 */
import {
  add,
  cholesky,
  choleskySolve,
  less,
  matmul,
  maximum,
  minimum,
  mul,
  relu,
  scalar,
  square,
  sub,
  type Tensor,
  transpose,
  where,
} from "@modular/tensor";

/**
 * Solve min over W̃ of ‖target − input W̃‖² + ridge · ‖W̃ − previous‖² for
 * `input` [B, p] and `target` [B, q], with `jitter` also added to the
 * diagonal of the factored matrix. When B < p it factors the B × B kernel
 * matrix, W̃ = previous + inputᵀ (input inputᵀ + ridge·I)⁻¹ (target − input · previous);
 * otherwise the p × p Gram matrix, (inputᵀ input + ridge·I) W̃ = inputᵀ target + ridge · previous.
 * The two forms are equal for ridge > 0. With ridge 0 the first is the
 * smallest change of `previous` that fits the batch, and the second is
 * ordinary least squares.
 */
export function leastSquaresWeights(
  input: Tensor,
  target: Tensor,
  previous: Tensor,
  ridge: number,
  jitter: number,
): Tensor {
  const [samples, features] = input.shape as [number, number];
  if (samples < features) {
    const kernel = matmul(input, input, { transposeB: true });
    const factor = cholesky(kernel, { jitter: ridge + jitter });
    const residual = sub(target, matmul(input, previous));
    return add(previous, matmul(input, choleskySolve(factor, residual), { transposeA: true }));
  }
  const gram = matmul(input, input, { transposeA: true });
  const factor = cholesky(gram, { jitter: ridge + jitter });
  const rhs = add(matmul(input, target, { transposeA: true }), mul(previous, scalar(ridge)));
  return choleskySolve(factor, rhs);
}

/** A quadratic pull of an activation toward `target` with `weight`: the term weight · ‖a − target‖². */
export interface Anchor {
  readonly target: Tensor;
  readonly weight: number;
}

/**
 * Solve min over a [B, d] of β‖next − bias − a W‖² + Σ weightᵢ‖a − targetᵢ‖²,
 * where `next` [B, d_out] is the pre-activation of the layer above with
 * weight W [d, d_out] and `bias` [d_out] (or undefined). The normal
 * equations a (β W Wᵀ + Σ weightᵢ · I) = β (next − bias) Wᵀ + Σ weightᵢ targetᵢ
 * have one d × d matrix for every sample.
 */
export function solveActivations(
  next: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  beta: number,
  anchors: readonly Anchor[],
  jitter: number,
): Tensor {
  const diagonal = anchors.reduce((total, anchor) => total + anchor.weight, 0);
  const system = mul(matmul(weight, weight, { transposeB: true }), scalar(beta));
  const factor = cholesky(system, { jitter: diagonal + jitter });

  const shifted = bias === undefined ? next : sub(next, bias);
  let rhs = mul(matmul(shifted, weight, { transposeB: true }), scalar(beta));
  for (const anchor of anchors) rhs = add(rhs, mul(anchor.target, scalar(anchor.weight)));
  return transpose(choleskySolve(factor, transpose(rhs)));
}

/**
 * Solve min over z of activationWeight · (a − relu(z))² + preActivationWeight · (z − center)²,
 * element-wise. The minimiser on z ≥ 0 is the weighted mean of a and the
 * center clamped at 0, and on z ≤ 0 it is min(center, 0), where the first
 * term is the constant a². The smaller of the two objectives wins.
 */
export function reluProximal(
  activation: Tensor,
  center: Tensor,
  activationWeight: number,
  preActivationWeight: number,
): Tensor {
  const total = activationWeight + preActivationWeight;
  const weightA = scalar(activationWeight);
  const weightZ = scalar(preActivationWeight);
  const positive = maximum(add(mul(activation, scalar(activationWeight / total)), mul(center, scalar(preActivationWeight / total))), scalar(0));
  const negative = minimum(center, scalar(0));
  const costPositive = add(mul(square(sub(activation, positive)), weightA), mul(square(sub(positive, center)), weightZ));
  const costNegative = add(mul(square(activation), weightA), mul(square(sub(negative, center)), weightZ));
  return where(less(costPositive, costNegative), positive, negative);
}
