/**
 * The target computations of Target Propagation, kept as separate functions
 * so tests can check each on its own:
 *
 * - `outputTarget`: t_L = h_L − η · B · ∂H/∂h_L, a step of size η down the
 *   per-sample gradient of the loss H (a mean over the batch of B samples).
 * - `propagateTarget`: the target of a module's input from the target of its
 *   output through the learned inverse g_l, either vanilla,
 *   t_{l−1} = g_l(t_l), or with the difference correction of Lee, Zhang,
 *   Fischer and Bengio ("Difference target propagation", ECML/PKDD 2015),
 *   t_{l−1} = h_{l−1} + g_l(t_l) − g_l(h_l).
 * - `regressionLoss`: ½ · mean over the batch of ‖h − t‖², the local loss a
 *   module minimises toward its target.
 *
 * Targets are computed outside every tape, so they are constants to the
 * tapes that regress toward them.
 */
import { Tape } from "@modular/autodiff";
import type { Module } from "@modular/nn";
import { add, mul, square, sub, sum, type Tensor, withoutRecording } from "@modular/tensor";

/** Rule that carries a target across one module: "vanilla" (TP) or "difference" (DTP). */
export type TargetRule = "vanilla" | "difference";

/**
 * Return t_L = h_L − η · B · ∂H/∂h_L, where `loss` maps the output to the
 * scalar mean loss H. The gradient is taken on a tape of its own that
 * watches only `output`, so no parameter gradient is computed or recorded.
 */
export function outputTarget(output: Tensor, loss: (output: Tensor) => Tensor, step: number): Tensor {
  const tape = new Tape().watch(output);
  const value = tape.record(() => loss(output));
  const [grad] = tape.gradient(value, [output], { unconnected: "zero" });
  return withoutRecording(() => sub(output, mul(grad!, step * output.shape[0]!)));
}

/**
 * Return the target of a module's input h_{l−1} from the target `target` of
 * its output h_l, through the inverse `inverse`. With the "difference" rule,
 * a perfect inverse (g_l(h_l) = h_{l−1}) gives t_{l−1} = g_l(t_l) exactly,
 * and t_l = h_l gives t_{l−1} = h_{l−1} for any inverse.
 */
export function propagateTarget(
  rule: TargetRule,
  inverse: Module,
  target: Tensor,
  output: Tensor,
  input: Tensor,
): Tensor {
  return withoutRecording(() => {
    const back = inverse.forward(target);
    if (rule === "vanilla") return back;
    return add(input, sub(back, inverse.forward(output)));
  });
}

/** Return ½ · mean over the batch of the squared distance between `h` and `target`, summed over features. */
export function regressionLoss(h: Tensor, target: Tensor): Tensor {
  return mul(sum(square(sub(h, target))), 0.5 / h.shape[0]!);
}
