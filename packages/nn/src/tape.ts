/** Tapes scoped to training modules: the default tape of a scheme's update. */
import { Tape } from "@modular/autodiff";
import type { Module, Parameter } from "./module.js";

/** Collect the parameters of `modules`, in order. */
export function parametersOf(modules: readonly Module[]): Parameter[] {
  return modules.flatMap((module) => module.parameters());
}

/** Create a tape that watches the current values of `parameters` and nothing else. */
export function tapeFor(parameters: readonly Parameter[]): Tape {
  return new Tape().watch(...parameters.map((parameter) => parameter.value));
}
