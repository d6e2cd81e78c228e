/**
 * Gradient checking: compare a tape's gradient with central finite
 * differences, (f(x + εe_i) − f(x − εe_i)) / 2ε, element by element.
 */
import { tensor, tidy, withoutRecording } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { GradientError } from "./errors.js";
import { Tape } from "./tape.js";

export interface GradCheckOptions {
  /** Step ε of the central difference. Default 1e-2, suited to float32 and O(1) inputs. */
  readonly epsilon?: number;
  /** Relative tolerance. Default 1e-2. */
  readonly rtol?: number;
  /** Absolute tolerance. Default 1e-3. */
  readonly atol?: number;
}

export interface GradCheckResult {
  /** True when every element satisfies |analytic − numeric| ≤ atol + rtol·|numeric|. */
  readonly ok: boolean;
  readonly maxAbsError: number;
  /** The tape's gradient per input. */
  readonly analytic: Float32Array[];
  /** The finite-difference gradient per input. */
  readonly numeric: Float64Array[];
  /** Description of the worst element, for test failure messages. */
  readonly worst: string;
}

/**
 * Check the gradient of the scalar function `f` at `inputs` (float32
 * tensors). Every input is watched; `f` must return a tensor with one element.
 */
export async function checkGradients(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const epsilon = options.epsilon ?? 1e-2;
  const rtol = options.rtol ?? 1e-2;
  const atol = options.atol ?? 1e-3;

  const analyticTensors = tidy(() => {
    const tape = new Tape().watch(...inputs);
    const value = tape.record(() => f(...inputs));
    if (value.size !== 1) {
      throw new GradientError(`checkGradients: f must return one element, but returned ${value.size}.`);
    }
    return tape.gradient(value, inputs, { unconnected: "zero" }) as Tensor[];
  });
  const analytic = await Promise.all(analyticTensors.map(async (g) => Float32Array.from(await g.data())));
  analyticTensors.forEach((g) => g.dispose());

  const bases = await Promise.all(inputs.map(async (x) => Float32Array.from(await x.data())));
  const evaluate = async (which: number, values: Float32Array): Promise<number> => {
    const args = inputs.map((x, i) => (i === which ? tensor(values, x.shape) : x));
    // tidy disposes f's intermediates, which would otherwise stay live after every evaluation.
    const result = tidy(() => withoutRecording(() => f(...args)));
    const value = (await result.data())[0]!;
    result.dispose();
    args[which]!.dispose();
    return value;
  };

  const numeric: Float64Array[] = [];
  let ok = true;
  let maxAbsError = 0;
  let worst = "none";
  for (let which = 0; which < inputs.length; which++) {
    const base = bases[which]!;
    const estimate = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const shifted = Float32Array.from(base);
      shifted[i] = base[i]! + epsilon;
      const plus = await evaluate(which, shifted);
      shifted[i] = base[i]! - epsilon;
      const minus = await evaluate(which, shifted);
      estimate[i] = (plus - minus) / (2 * epsilon);

      const error = Math.abs(analytic[which]![i]! - estimate[i]!);
      if (error > maxAbsError) {
        maxAbsError = error;
        worst = `input ${which} element ${i}: analytic ${analytic[which]![i]}, numeric ${estimate[i]}`;
      }
      if (error > atol + rtol * Math.abs(estimate[i]!)) ok = false;
    }
    numeric.push(estimate);
  }
  return { ok, maxAbsError, analytic, numeric, worst };
}
