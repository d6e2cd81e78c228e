/**
 * `customVjp`: an op whose backward rule is given by the caller instead of
 * derived from its forward computation. Feedback alignment uses it to send
 * the error back through a fixed random matrix instead of Wᵀ.
 */
import { emitOp, reshape, withoutRecording } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import type { VjpContext } from "./registry.js";

/**
 * The backward rule: given the cotangent of the output, return one cotangent
 * per input (`null` for none), each with its input's shape.
 */
export type CustomBackward = (dy: Tensor, context: VjpContext) => readonly (Tensor | null)[];

/**
 * Wrap `forward` into an op that tapes record as a single node with the
 * `backward` rule. Ops inside `forward` are not recorded.
 */
export function customVjp<Inputs extends Tensor[]>(
  forward: (...inputs: Inputs) => Tensor,
  backward: CustomBackward,
  name = "customVjp",
): (...inputs: Inputs) => Tensor {
  return (...inputs: Inputs): Tensor => {
    let output = withoutRecording(() => forward(...inputs));
    // An output that is one of the inputs would make the node its own ancestor.
    if (inputs.includes(output)) output = withoutRecording(() => reshape(output, output.shape));
    emitOp({ name, inputs, output, attrs: { vjp: backward } });
    return output;
  };
}
