/**
 * Options of a training method, from `--method-option key=value` flags and
 * the `methodOptions` object of a `--config` file. The method's factory
 * checks each value; this file checks that every name is one the method
 * takes, and turns the factory's `ConfigError` into a `UsageError`.
 */
import { ConfigError, type TrainingMethod } from "@modular/nn";
import { UsageError } from "./errors.js";
import type { MethodEntry } from "./registry/methods.js";

/** Method options by name, as JSON values. */
export type MethodOptions = Readonly<Record<string, unknown>>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parses one `--method-option` value: a number, `true`/`false`, JSON for a list or object, and text otherwise. */
function parseOptionValue(text: string): unknown {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`Invalid value "${text}" for --method-option: not JSON (${(error as Error).message}).`);
    }
  }
  return trimmed;
}

/** Parses the `--method-option key=value` flags, in order, so that a later one wins. */
export function parseMethodOptionFlags(texts: readonly string[], command = "train"): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const text of texts) {
    const at = text.indexOf("=");
    if (at <= 0) {
      throw new UsageError(`Invalid value "${text}" for --method-option: expected name=value, e.g. beta=0.5.`, command);
    }
    options[text.slice(0, at).trim()] = parseOptionValue(text.slice(at + 1));
  }
  return options;
}

/** Checks that `value` (the `methodOptions` of a config file) is a JSON object, and returns it. */
export function checkMethodOptionsObject(value: unknown, path: string, command = "train"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(
      `Invalid "methodOptions" in --config file "${path}": expected an object of option names and values, e.g. {"beta": 0.5}.`,
      command,
    );
  }
  return value as Record<string, unknown>;
}

/** A method created from the user's options, and its options with the defaults filled in. */
export interface ResolvedMethod {
  readonly method: TrainingMethod;
  /** The defaults overridden by the user's options: what config.json records. */
  readonly options: MethodOptions;
}

/**
 * Creates `entry`'s method with `options`. Throws `UsageError` for a name the
 * method does not take (listing the valid ones) and for a value its factory
 * rejects.
 */
export function createMethod(entry: MethodEntry, options: MethodOptions, command = "train"): ResolvedMethod {
  const unknown = Object.keys(options).filter((name) => !entry.optionNames.includes(name));
  if (unknown.length > 0) {
    const valid = entry.optionNames.length === 0 ? "none" : [...entry.optionNames].sort().join(", ");
    throw new UsageError(
      `Unknown option${unknown.length === 1 ? "" : "s"} ${unknown.map((name) => `"${name}"`).join(", ")} for method ${entry.name}. ` +
        `Valid options: ${valid}.`,
      command,
    );
  }
  const merged = { ...entry.defaults, ...options };
  try {
    return { method: entry.create(merged), options: merged };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new UsageError(`Invalid option for method ${entry.name}: ${error.message}`, command);
  }
}
