/**
 * The pieces of one Decoupled Neural Interfaces step (Jaderberg et al.,
 * "Decoupled neural interfaces using synthetic gradients", ICML 2017), kept
 * as separate functions so tests can check each contract on its own:
 *
 * - `forwardModules`: one end-to-end forward pass, each module on its own tape.
 * - `moduleGradients`: a module's update, the VJP of its forward pass against
 *   an upstream signal (a synthetic gradient, or the loss for the last module),
 *   and, when requested, the true gradient at its input boundary.
 * - `regressSyntheticGradient`: one optimizer step of a synthetic-gradient
 *   model toward a constant target, which touches no other parameters.
 *
 * Scale: the loss is a mean over the batch, so ∂L/∂h of one sample is 1/B of
 * that sample's own gradient. Synthetic-gradient models predict the
 * per-sample gradient B·∂L/∂h, which does not depend on the batch size, and
 * the module's cotangent is that prediction divided by B.
 */
import type { Tape } from "@modular/autodiff";
import { type Module, mse, type Optimizer, type Parameter, tapeFor } from "@modular/nn";
import { div, mul, type Tensor } from "@modular/tensor";
import type { SyntheticGradientModel } from "./synthetic-gradient-model.js";

/** The outputs of every module from one forward pass, and the tape that recorded each. */
export interface ModuleForward {
  readonly tapes: Tape[];
  /** outputs[q] is h_q, the output of module q; outputs[0]'s input is the batch. */
  readonly outputs: Tensor[];
}

/**
 * Run `modules` in order on `x`, module q recorded on a tape that watches
 * only its own parameters. With `watchInputs`, the tape of every module but
 * the first also watches its input, so its true input gradient can be taken.
 * The input of module q is a constant to the tapes of modules q−1 and before.
 */
export function forwardModules(modules: readonly Module[], x: Tensor, watchInputs: boolean): ModuleForward {
  const tapes: Tape[] = [];
  const outputs: Tensor[] = [];
  let input = x;
  modules.forEach((module, q) => {
    const tape = tapeFor(module.parameters());
    if (watchInputs && q > 0) tape.watch(input);
    const h = tape.record(() => module.forward(input));
    tapes.push(tape);
    outputs.push(h);
    input = h;
  });
  return { tapes, outputs };
}

/** A module's parameter gradients, and the true gradient at its input when requested. */
export interface ModuleGradients {
  readonly grads: (Tensor | null)[];
  /** B · ∂L/∂(input), the per-sample target of the upstream synthetic-gradient model; a constant to every tape. */
  readonly inputTarget?: Tensor;
}

/**
 * Compute the update of one module: the VJP of its recorded forward pass
 * against `signal`. `signal` is either `{ loss }`, a scalar recorded on the
 * same tape (the last module), or `{ cotangent }`, the upstream signal for
 * its output (a synthetic gradient already divided by the batch size).
 * With `input`, also return B · ∂L/∂input as the target of the
 * synthetic-gradient model below. The gradient pass runs without recording,
 * so that target is a constant to every tape: no gradient can flow back into
 * the upstream module through the regression toward it.
 */
export function moduleGradients(
  tape: Tape,
  output: Tensor,
  parameters: readonly Parameter[],
  signal: { readonly loss: Tensor } | { readonly cotangent: Tensor },
  input?: Tensor,
): ModuleGradients {
  const wrt = parameters.map((parameter) => parameter.value);
  if (input !== undefined) wrt.push(input);
  const all =
    "loss" in signal
      ? tape.gradient(signal.loss, wrt, { unconnected: "zero" })
      : tape.gradient(output, wrt, { cotangent: signal.cotangent, unconnected: "zero" });
  if (input === undefined) return { grads: all };
  const inputGrad = all.pop()!;
  return { grads: all, inputTarget: mul(inputGrad, input.shape[0]!) };
}

/** Turn a per-sample synthetic gradient into the cotangent of a mean-over-batch loss. */
export function cotangentOf(prediction: Tensor): Tensor {
  return div(prediction, prediction.shape[0]!);
}

/**
 * Predict the per-sample gradient at `h` with `model`, recorded on a tape
 * that watches only the model's parameters, so `h` is a constant to it.
 */
export function predictSyntheticGradient(
  model: SyntheticGradientModel,
  h: Tensor,
  condition: Tensor | undefined,
): { readonly tape: Tape; readonly prediction: Tensor } {
  const tape = tapeFor(model.parameters());
  const prediction = tape.record(() => model.synthesize(h, condition));
  return { tape, prediction };
}

/**
 * Compute the gradients of the mean squared error between `prediction`
 * (recorded on `tape` by `predictSyntheticGradient`) and the constant
 * `target`, for the synthetic-gradient model's parameters only. Returns the
 * loss and the gradients; the caller steps the model's optimizer.
 */
export function syntheticGradientLoss(
  tape: Tape,
  model: SyntheticGradientModel,
  prediction: Tensor,
  target: Tensor,
): { readonly loss: Tensor; readonly grads: (Tensor | null)[] } {
  const loss = tape.record(() => mse(prediction, target));
  const grads = tape.gradient(loss, model.parameters().map((parameter) => parameter.value), { unconnected: "zero" });
  return { loss, grads };
}

/**
 * Train `model` by one optimizer step toward `target` (B · ∂L/∂h) at
 * activation `h`, and return the regression loss. It changes only the
 * model's parameters, whatever tape recorded `h`.
 */
export function regressSyntheticGradient(
  model: SyntheticGradientModel,
  optimizer: Optimizer,
  h: Tensor,
  condition: Tensor | undefined,
  target: Tensor,
): Tensor {
  const { tape, prediction } = predictSyntheticGradient(model, h, condition);
  const { loss, grads } = syntheticGradientLoss(tape, model, prediction, target);
  optimizer.step(model.parameters(), grads);
  return loss;
}
