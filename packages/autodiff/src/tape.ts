/**
 * `Tape`: records the ops applied to the tensors it watches, then runs the
 * reverse pass over them.
 *
 * A tape records an op only if one of the op's inputs is watched by this
 * tape or was computed from a watched tensor while this tape was recording.
 * Any other tensor, including the output of another module's forward pass,
 * is a constant to this tape. So a gradient never crosses a module boundary
 * unless the scheme requests it with `watch`.
 *
 * Tensors saved by a tape are not kept alive by it: compute the gradient
 * inside the same `tidy` scope as the forward pass.
 */
import { add, addOpListener, formatShape, ones, shapesEqual, withoutRecording, zeros } from "@modular/tensor";
import type { OpRecord, Tensor } from "@modular/tensor";
import { GradientError } from "./errors.js";
import { getVjp, type VjpRule } from "./registry.js";
import { ensureBuiltinVjps } from "./vjp/index.js";

export interface GradientOptions {
  /**
   * The upstream signal dL/d(output), of the output's shape. Required when
   * the output is not a scalar; the result is then the vector-Jacobian
   * product cotangentᵀ · ∂output/∂wrt.
   */
  readonly cotangent?: Tensor;
  /**
   * Result for a `wrt` tensor that the output does not depend on through
   * this tape: `null` (default) or a zero tensor of its shape.
   */
  readonly unconnected?: "null" | "zero";
}

export class Tape {
  private readonly tracked = new Set<number>();
  private readonly nodes: OpRecord[] = [];

  /** Make `tensors` differentiable for this tape. */
  watch(...tensors: readonly Tensor[]): this {
    for (const tensor of tensors) this.tracked.add(tensor.id);
    return this;
  }

  /** Return whether this tape tracks `tensor` (watched, or computed from a watched tensor). */
  isTracked(tensor: Tensor): boolean {
    return this.tracked.has(tensor.id);
  }

  /** Number of recorded ops. */
  get size(): number {
    return this.nodes.length;
  }

  /** Run `fn`, recording every op that depends on a tracked tensor. Returns `fn`'s result. */
  record<T>(fn: () => T): T {
    const stop = addOpListener((op) => this.observe(op));
    try {
      return fn();
    } finally {
      stop();
    }
  }

  private observe(op: OpRecord): void {
    if (!op.inputs.some((input) => this.tracked.has(input.id))) return;
    this.nodes.push(op);
    this.tracked.add(op.output.id);
  }

  /**
   * Compute the gradient of `output` with respect to each tensor in `wrt`, in order.
   * Without a cotangent, `output` must have one element (a loss). A `wrt`
   * tensor that this tape does not track is unconnected, even when it is an
   * input of a recorded op.
   */
  gradient(output: Tensor, wrt: readonly Tensor[], options: GradientOptions = {}): (Tensor | null)[] {
    ensureBuiltinVjps();
    const seed = this.seedCotangent(output, options.cotangent);
    const grads = withoutRecording(() => this.reversePass(output, seed, wrt));
    return wrt.map((tensor) => {
      const grad = grads.get(tensor.id);
      if (grad !== undefined) return grad;
      return options.unconnected === "zero" ? withoutRecording(() => zeros(tensor.shape, tensor.dtype)) : null;
    });
  }

  /** Forget the recorded ops (tensors are not disposed). */
  clear(): void {
    this.nodes.length = 0;
  }

  private seedCotangent(output: Tensor, cotangent: Tensor | undefined): Tensor {
    if (cotangent === undefined) {
      if (output.size !== 1) {
        throw new GradientError(
          `gradient(): output has shape ${formatShape(output.shape)}, not a scalar. ` +
            `Reduce it to a loss first, or pass { cotangent } of the same shape.`,
        );
      }
      return withoutRecording(() => ones(output.shape, output.dtype));
    }
    if (!shapesEqual(cotangent.shape, output.shape)) {
      throw new GradientError(
        `gradient(): cotangent has shape ${formatShape(cotangent.shape)}, but the output has shape ` +
          `${formatShape(output.shape)}; they must be equal.`,
      );
    }
    return cotangent;
  }

  private reversePass(output: Tensor, seed: Tensor, wrt: readonly Tensor[]): Map<number, Tensor> {
    // Forward filter: tensors that depend on some wrt tensor. A wrt tensor that this tape
    // does not track is a constant to it, so its gradient stays unconnected.
    const dependsOnWrt = new Set(wrt.filter((t) => this.tracked.has(t.id)).map((t) => t.id));
    for (const node of this.nodes) {
      if (node.inputs.some((input) => dependsOnWrt.has(input.id))) dependsOnWrt.add(node.output.id);
    }

    const grads = new Map<number, Tensor>([[output.id, seed]]);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]!;
      const dy = grads.get(node.output.id);
      if (dy === undefined || !dependsOnWrt.has(node.output.id)) continue;

      const needs = node.inputs.map((input) => dependsOnWrt.has(input.id));
      const inputGrads = ruleFor(node)(dy, { inputs: node.inputs, output: node.output, attrs: node.attrs, needs });
      node.inputs.forEach((input, k) => {
        const grad = inputGrads[k];
        if (!needs[k] || grad === null || grad === undefined) return;
        const previous = grads.get(input.id);
        grads.set(input.id, previous === undefined ? grad : add(previous, grad));
      });
    }
    return grads;
  }
}

function ruleFor(node: OpRecord): VjpRule {
  const custom = node.attrs.vjp as VjpRule | undefined;
  const rule = custom ?? getVjp(node.name);
  if (rule === undefined) {
    throw new GradientError(
      `No VJP rule is registered for op "${node.name}". Register one with registerVjp("${node.name}", rule), ` +
        `or wrap the computation in customVjp().`,
    );
  }
  return rule;
}
