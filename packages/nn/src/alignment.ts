/**
 * Gradient-alignment diagnostics: how far a scheme's update direction is
 * from the true end-to-end backprop gradient on the same batch.
 *
 * The true gradient comes from a separate tape over the whole model that is
 * used only for measurement and never applied. `AlignmentMeter` keeps, per
 * name, the device-side dot products of each measured step and reads them
 * back once, when `report` is called (at the end of an epoch), so a measured
 * step adds no read-back.
 */
import { add, concat, keep, mul, reshape, sum, type Tensor, tidy, withoutRecording } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { classLabels } from "./labels.js";
import { crossEntropy } from "./losses.js";
import type { Batch } from "./method.js";
import { forwardThrough, type Module } from "./module.js";
import { parametersOf, tapeFor } from "./tape.js";

/** The angle, in degrees, that `alignmentAngle` returns when either vector is zero. */
export const ZERO_VECTOR_ANGLE = 90;

/**
 * Return the angle in degrees, in [0, 180], between two vectors given by
 * their dot product and squared norms. The cosine is clamped into [−1, 1]
 * so rounding never yields NaN. When either norm is zero the direction is
 * undefined, and the angle is `ZERO_VECTOR_ANGLE` (90°): a zero update is
 * counted as orthogonal to every direction, neither aligned nor opposed.
 */
export function angleFromDots(dot: number, squaredNormA: number, squaredNormB: number): number {
  if (!(squaredNormA > 0 && squaredNormB > 0)) return ZERO_VECTOR_ANGLE;
  const cosine = Math.min(1, Math.max(-1, dot / Math.sqrt(squaredNormA * squaredNormB)));
  return (Math.acos(cosine) * 180) / Math.PI;
}

/**
 * Return the angle in degrees between `a` and `b`, each seen as one flat
 * vector, computed on the host in float64. Identical directions give 0°,
 * opposite ones 180°, and a zero vector gives `ZERO_VECTOR_ANGLE` (90°).
 */
export async function alignmentAngle(a: Tensor, b: Tensor): Promise<number> {
  if (a.size !== b.size) {
    throw new ConfigError(
      `alignmentAngle: the tensors have ${a.size} and ${b.size} elements; both must have the same number of elements.`,
    );
  }
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let dot = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    dot += xi * yi;
    xx += xi * xi;
    yy += yi * yi;
  }
  return angleFromDots(dot, xx, yy);
}

/**
 * Compute the true end-to-end backprop gradient of the cross-entropy of
 * `modules` (applied in order) on `batch`, with respect to every parameter
 * of every module, in `parametersOf(modules)` order. It runs its own forward
 * pass on a fresh tape, so no scheme's tape records it, and restores the
 * modules' buffers (batch-norm running statistics) afterwards.
 * NOTE: a module with dropout draws a new mask in this forward pass, so its
 * true gradient is that of another mask than the scheme's step used.
 */
export function trueGradients(modules: readonly Module[], batch: Batch): Tensor[] {
  const parameters = parametersOf(modules);
  const buffers = modules.flatMap((module) => module.buffers());
  const saved = buffers.map((buffer) => keep(withoutRecording(() => add(buffer.value, 0))));
  try {
    const tape = tapeFor(parameters);
    const loss = tape.record(() => crossEntropy(forwardThrough(modules, batch.x), classLabels(batch, "trueGradients")));
    return tape.gradient(loss, parameters.map((p) => p.value), { unconnected: "zero" }) as Tensor[];
  } finally {
    buffers.forEach((buffer, i) => buffer.assign(saved[i]!));
  }
}

/** A named subset of a module's parameters, by index into `module.parameters()`. */
export interface ParameterGroup {
  readonly name: string;
  readonly indices: readonly number[];
}

/**
 * Group the parameters of `module` for alignment reports: one group named
 * `name` for the whole module, or with `by: "layer"` one group per layer
 * that owns parameters, named `${name} layer ${path}` where `path` is the
 * layer's dotted path inside the module (e.g. "0.2" for a weight named
 * "0.2.weight").
 */
export function parameterGroups(module: Module, name: string, by: "module" | "layer"): ParameterGroup[] {
  const named = module.namedParameters();
  if (by === "module") return [{ name, indices: named.map((_, i) => i) }];
  const groups = new Map<string, number[]>();
  named.forEach(([parameterName], i) => {
    const cut = parameterName.lastIndexOf(".");
    const path = cut < 0 ? "" : parameterName.slice(0, cut);
    const list = groups.get(path) ?? [];
    list.push(i);
    groups.set(path, list);
  });
  return [...groups].map(([path, indices]) => ({ name: path === "" ? name : `${name} layer ${path}`, indices }));
}

/** Return [dot, |a|², |b|²] of two lists of tensors, each list seen as one flat vector, as a [3] device tensor. */
function dotsOf(pairs: readonly (readonly [Tensor, Tensor])[]): Tensor {
  return withoutRecording(() =>
    tidy(() => {
      let dot: Tensor | number = 0;
      let squaredA: Tensor | number = 0;
      let squaredB: Tensor | number = 0;
      for (const [a, b] of pairs) {
        dot = add(dot, sum(mul(a, b)));
        squaredA = add(squaredA, sum(mul(a, a)));
        squaredB = add(squaredB, sum(mul(b, b)));
      }
      return concat([dot, squaredA, squaredB].map((value) => reshape(value as Tensor, [1])), 0);
    }),
  );
}

/**
 * Collects, per name (e.g. "module 1/2"), the angle between a scheme's
 * update and the true gradient at measured steps, and reports the mean
 * angle in degrees since the previous report.
 */
export class AlignmentMeter {
  /** Per name, one [3] tensor (dot, |update|², |truth|²) per measured step, or null for a step without update. */
  private readonly pending = new Map<string, (Tensor | null)[]>();

  /**
   * Record one measured step of `name`: the scheme's gradients and the true
   * gradients of the same parameters, in the same order. A null update
   * counts as zero. The meter keeps one [3] tensor per call, outside any
   * `tidy` scope, until `report` or `dispose`.
   */
  record(name: string, update: readonly (Tensor | null)[], truth: readonly Tensor[]): void {
    if (update.length !== truth.length) {
      throw new ConfigError(
        `AlignmentMeter.record("${name}"): got ${update.length} update tensors but ${truth.length} true gradients; ` +
          "pass one of each per parameter, in the same order.",
      );
    }
    const pairs = update.flatMap((grad, i) => (grad === null ? [] : [[grad, truth[i]!] as const]));
    const list = this.pending.get(name) ?? [];
    list.push(pairs.length === 0 ? null : keep(dotsOf(pairs)));
    this.pending.set(name, list);
  }

  /** Read back the recorded steps and return the mean angle in degrees per name, keyed `prefix + name`, then forget them. */
  async report(prefix = "alignment "): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [name, list] of this.pending) {
      const angles: number[] = [];
      for (const dots of list) {
        if (dots === null) {
          angles.push(ZERO_VECTOR_ANGLE);
          continue;
        }
        const values = await dots.data();
        dots.dispose();
        angles.push(angleFromDots(values[0]!, values[1]!, values[2]!));
      }
      if (angles.length > 0) out[`${prefix}${name}`] = angles.reduce((a, b) => a + b, 0) / angles.length;
    }
    this.pending.clear();
    return out;
  }

  /** Dispose the steps not yet reported. */
  dispose(): void {
    for (const list of this.pending.values()) list.forEach((dots) => dots?.dispose());
    this.pending.clear();
  }
}

/**
 * Record, for each group of each module, the angle between the scheme's
 * gradients `grads[q]` of module q and the true backprop gradient of the
 * same parameters on `batch`. `groups[q]` are module q's groups from
 * `parameterGroups`. The true gradient is computed on a separate tape by
 * `trueGradients` and never applied.
 */
export function recordModuleAlignment(
  meter: AlignmentMeter,
  modules: readonly Module[],
  groups: readonly (readonly ParameterGroup[])[],
  batch: Batch,
  grads: readonly (readonly (Tensor | null)[])[],
): void {
  const truth = trueGradients(modules, batch);
  let offset = 0;
  modules.forEach((module, q) => {
    for (const group of groups[q]!) {
      meter.record(
        group.name,
        group.indices.map((i) => grads[q]![i] ?? null),
        group.indices.map((i) => truth[offset + i]!),
      );
    }
    offset += module.parameters().length;
  });
}
