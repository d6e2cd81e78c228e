/**
 * The VJP registry: one rule per op name. A rule gets the upstream
 * cotangent `dy` of the op's output and returns one cotangent per input
 * (`null` where no gradient flows: integer inputs, indices, masks).
 */
import type { Tensor } from "@modular/tensor";

export interface VjpContext {
  /** The op's inputs, in call order. */
  readonly inputs: readonly Tensor[];
  /** The op's output. */
  readonly output: Tensor;
  /** The op's attributes (axes, flags), as the frontend op reported them. */
  readonly attrs: Readonly<Record<string, unknown>>;
  /** Flags of the inputs that need a cotangent. A rule may skip computing the others. */
  readonly needs: readonly boolean[];
}

export type VjpRule = (dy: Tensor, context: VjpContext) => readonly (Tensor | null)[];

const rules = new Map<string, VjpRule>();

/** Register (or replace) the VJP rule of op `name`. */
export function registerVjp(name: string, rule: VjpRule): void {
  rules.set(name, rule);
}

export function getVjp(name: string): VjpRule | undefined {
  return rules.get(name);
}

/** Names of ops registered so far (see `listVjps` for the full list). */
export function listRegisteredVjps(): string[] {
  return [...rules.keys()].sort();
}
