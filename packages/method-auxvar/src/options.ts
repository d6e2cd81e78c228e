/** Validation of the numeric options of the auxiliary-variable schemes. */
import { ConfigError } from "@modular/nn";

/** Throw a `ConfigError` unless `value` is a finite number ≥ `min` (> `min` with `strict`), and an integer with `integer`. */
export function checkOption(
  method: string,
  name: string,
  value: number,
  { min, strict = false, integer = false }: { min: number; strict?: boolean; integer?: boolean },
): void {
  const inRange = strict ? value > min : value >= min;
  const valid = Number.isFinite(value) && inRange && (!integer || Number.isInteger(value));
  if (!valid) {
    throw new ConfigError(
      `${method}: ${name} ${value} is invalid; it must be ${integer ? "an integer" : "a finite number"} ` +
        `${strict ? ">" : "≥"} ${min}.`,
    );
  }
}
