/**
 * Pieces every subcommand definition shares: flags in help groups, the
 * `--config` flag and its merge, and Commander errors that keep the command
 * that raised them.
 */
import { Command, type CommanderError, Option } from "commander";
import { mergeConfig, readConfigFile } from "./config-file.js";

/** A Commander error together with the command that raised it, so its message can list that command's flags. */
export class CommandLineError extends Error {
  constructor(
    readonly commanderError: CommanderError,
    readonly command: Command,
  ) {
    super(commanderError.message);
  }
}

/** Returns an `exitOverride` handler that throws `CommandLineError` for `command`. */
export function throwFrom(command: Command): (error: CommanderError) => never {
  return (error) => {
    throw new CommandLineError(error, command);
  };
}

/**
 * Creates a flag in a help group. Flags without a default value state theirs
 * in the description, because Commander shows "(default: ...)" only for a
 * defined default.
 */
export function option(flags: string, description: string, group: string, defaultValue?: string): Option {
  const created = new Option(flags, description).helpGroup(group);
  return defaultValue === undefined ? created : created.default(defaultValue, defaultValue);
}

/** Adds `--config <file.json>` to `command`, describing the keys it takes beyond the flags. */
/** Pick a long flag of `command` for the `--config` help: "--batch-size" when it has one, else its first flag with a dash in its name, else its first flag. */
function exampleFlag(command: Command): string {
  const flags = command.options.map((o) => o.long).filter((long): long is string => long !== undefined && long !== "--help");
  return flags.find((long) => long === "--batch-size") ?? flags.find((long) => long.slice(2).includes("-")) ?? flags[0] ?? "--json";
}

/** Return the camelCase key of `exampleFlag`, e.g. "batchSize". */
function exampleKey(command: Command): string {
  return exampleFlag(command)
    .slice(2)
    .replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

export function addConfigOption(command: Command, group: string, extraKeys = ""): void {
  const extra = extraKeys === "" ? "" : `, plus ${extraKeys}`;
  command.addOption(
    option(
      "--config <file.json>",
      `read flag values from a JSON object whose keys are this command's flags in camelCase (e.g. ${exampleKey(command)} for ${exampleFlag(command)})${extra}; flags typed on the command line win`,
      group,
    ),
  );
}

/**
 * Returns the flags of `command` with the values of its `--config` file
 * merged in (see `mergeConfig`), or the parsed flags alone without one.
 */
export async function flagsWithConfig<Flags>(
  command: Command,
  options: { extraKeys?: readonly string[]; repeatableKeys?: readonly string[] } = {},
): Promise<{ flags: Flags; extras: Record<string, unknown>; configPath: string | undefined }> {
  const path = command.opts().config as string | undefined;
  if (path === undefined) return { flags: command.opts() as Flags, extras: {}, configPath: undefined };
  const name = command.parent?.parent == null ? command.name() : `${command.parent.name()} ${command.name()}`;
  const values = await readConfigFile(path, name);
  return { ...mergeConfig<Flags>(command, values, path, options), configPath: path };
}

export { Command };
