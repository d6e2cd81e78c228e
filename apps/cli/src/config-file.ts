/**
 * `--config <file.json>`: a JSON object whose keys are the subcommand's flags
 * in camelCase (`batchSize` for `--batch-size`), plus extra keys such as
 * `methodOptions`. Values typed on the command line win over the file's,
 * and the file's win over the defaults. Unknown keys are a `UsageError`
 * listing the valid ones, so a typo does not silently fall back to a default.
 */
import { readFile } from "node:fs/promises";
import type { Command, Option } from "commander";
import { UsageError } from "./errors.js";

/** Flags that never come from a config file: the file itself and the help. */
const NOT_FROM_FILE = new Set(["config", "help"]);

/** Reads `path` as a JSON object, or throws `UsageError` naming the file and what is wrong. */
export async function readConfigFile(path: string, command: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the --config file "${path}": ${(error as Error).message}.`, command);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Invalid --config file "${path}": not JSON (${(error as Error).message}).`, command);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`Invalid --config file "${path}": expected a JSON object of flag names and values, found ${describe(value)}.`, command);
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Returns the camelCase key of `option` as a config file spells it, e.g. "batchSize". */
function keyOf(option: Option): string {
  return option.attributeName();
}

/** Returns the flag of `key`, e.g. "--batch-size", for messages. */
function flagOf(command: Command, key: string): string {
  return command.options.find((option) => keyOf(option) === key)?.long ?? key;
}

/** Returns the keys a config file of `command` may contain: its flags' and `extraKeys`. */
export function configKeys(command: Command, extraKeys: readonly string[] = []): string[] {
  const flags = command.options.map(keyOf).filter((key) => !NOT_FROM_FILE.has(key));
  return [...flags, ...extraKeys];
}

/**
 * Converts a file value to what Commander would have produced for the flag.
 * A flag with a value gets a string (a number as its digits, a list as
 * comma-separated text), a switch a boolean, and a repeatable flag a list
 * of strings. Returns undefined for null, which means "the default".
 */
function flagValue(option: Option, value: unknown, path: string, repeatable: boolean, command: string): unknown {
  const flag = option.long ?? keyOf(option);
  const invalid = (expected: string) =>
    new UsageError(
      `Invalid value ${JSON.stringify(value)} for "${keyOf(option)}" (${flag}) in --config file "${path}". Expected ${expected}.`,
      command,
    );
  if (value === null) return undefined;
  if (option.isBoolean()) {
    if (typeof value !== "boolean") throw invalid("true or false");
    return value;
  }
  const scalar = (item: unknown): string => {
    if (typeof item === "string") return item;
    if (typeof item === "number" && Number.isFinite(item)) return String(item);
    throw invalid(repeatable ? "a list of strings" : "a string, a number or a list of them");
  };
  if (repeatable) return (Array.isArray(value) ? value : [value]).map(scalar);
  if (Array.isArray(value)) return value.map(scalar).join(",");
  return scalar(value);
}

/**
 * Merges the file `values` into the parsed flags of `command`: each file
 * value replaces a flag's default but not a value typed on the command line.
 * Keys in `extraKeys` are returned apart. `repeatableKeys` name flags that
 * collect a list, such as `transfer --body`.
 */
export function mergeConfig<Flags>(
  command: Command,
  values: Readonly<Record<string, unknown>>,
  path: string,
  options: { extraKeys?: readonly string[]; repeatableKeys?: readonly string[] } = {},
): { flags: Flags; extras: Record<string, unknown> } {
  const extraKeys = options.extraKeys ?? [];
  const valid = configKeys(command, extraKeys);
  const unknown = Object.keys(values).filter((key) => !valid.includes(key));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown key${unknown.length === 1 ? "" : "s"} ${unknown.map((key) => `"${key}"`).join(", ")} in --config file "${path}". ` +
        `Valid keys: ${[...valid].sort().join(", ")}.`,
      commandName(command),
    );
  }

  const flags: Record<string, unknown> = { ...command.opts() };
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (extraKeys.includes(key)) {
      extras[key] = value;
      continue;
    }
    if (command.getOptionValueSource(key) === "cli") continue;
    const option = command.options.find((candidate) => keyOf(candidate) === key)!;
    const repeatable = options.repeatableKeys?.includes(key) ?? false;
    const converted = flagValue(option, value, path, repeatable, commandName(command));
    if (converted === undefined) {
      // null in the file: the flag's default, or no value for a flag without one.
      const fallback = option.defaultValue as unknown;
      if (fallback === undefined) delete flags[key];
      else flags[key] = fallback;
    } else {
      flags[key] = converted;
    }
  }
  return { flags: flags as Flags, extras };
}

/** Returns the keys of the flags typed on the command line, e.g. ["json", "resume"]. */
export function typedKeys(command: Command): string[] {
  return command.options.map(keyOf).filter((key) => command.getOptionValueSource(key) === "cli");
}

/** Returns `--flag` for each of `keys`, for messages. */
export function flagsOf(command: Command, keys: readonly string[]): string[] {
  return keys.map((key) => flagOf(command, key));
}

/** Returns the command's name as `--help` hints use it, e.g. "bench kernels". */
export function commandName(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent != null; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}
