/**
 * `modular methods`: lists every training method the CLI registers, with its
 * family, the paper that proposed it, its default split, its defaults and
 * the options that `--method-option` and `methodOptions` accept, each with
 * what it sets and its default.
 */
import { type Command, Option } from "commander";
import { addConfigOption, flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import type { OutputStream } from "./report/reporter.js";
import { wrapWords } from "./registry/entry.js";
import { UsageError } from "./errors.js";
import { type MethodEntry, METHODS } from "./registry/methods.js";

export interface MethodsFlags {
  readonly family?: string;
  readonly json?: boolean;
  readonly config?: string;
}

export function defineMethodsCommand(program: Command, onMethods: (command: Command) => Promise<void>): Command {
  const methods = program
    .command("methods")
    .description("list every training method with its family, paper, default split, defaults and what each option sets");
  methods.exitOverride(throwFrom(methods));
  const output = "Output:";
  methods.addOption(option("--family <text>", "list only the families whose name contains this text, or whose methods start with it and a slash, e.g. proxy, feedback or fa (case-insensitive)", output));
  methods.addOption(option("--json", "print one JSON object per method, and nothing else on stdout", output));
  addConfigOption(methods, output);
  methods.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  methods.action(async (_flags, command: Command) => onMethods(command));
  return methods;
}

/** Formats an option value as `--method-option name=value` takes it: text as it is, anything else as JSON. */
function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Formats a defaults object as "name=value, ...", or "none". */
function formatDefaults(defaults: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(defaults);
  if (entries.length === 0) return "none";
  return entries.map(([name, value]) => `${name}=${formatValue(value)}`).join(", ");
}

const NO_BREAK_SPACE = "\u00a0";

/**
 * Splits option help into lines of at most `width` characters, like
 * `wrapWords`, but never right after a sign such as ≥, = or ×, nor after
 * "(default", so that "≥ 1" and "(default 0.1)" stay on one line.
 */
function wrapHelp(text: string, width: number): string[] {
  const glued = text.replace(/(?<=[≥≤<>=×−]|\(default) /g, NO_BREAK_SPACE);
  return wrapWords(glued, width).map((line) => line.replaceAll(NO_BREAK_SPACE, " "));
}

/**
 * Formats the options of `entry`, sorted by name, one per line: the name,
 * then what it sets and its default from `entry.defaults`, wrapped to
 * `width` columns under the help column.
 */
function optionLines(entry: MethodEntry, width: number): string[] {
  const names = [...entry.optionNames].sort();
  const nameWidth = Math.max(...names.map((name) => name.length));
  const indent = " ".repeat(4 + nameWidth + 2);
  // Keep at least 30 columns for the help on narrow terminals.
  const helpWidth = Math.max(30, width - indent.length - 1);

  return names.flatMap((name) => {
    const help = entry.optionHelp[name] ?? "";
    const value = entry.defaults[name];
    const text = value === undefined ? help : `${help} (default ${formatValue(value)})`;
    const [first, ...rest] = wrapHelp(text, helpWidth);
    return [`    ${name.padEnd(nameWidth)}  ${first}`, ...rest.map((line) => indent + line)];
  });
}

function methodLines(entry: MethodEntry, width: number): string[] {
  const lines = [
    `${entry.name}  (${entry.family})`,
    `  ${entry.description}`,
    `  paper: ${entry.paper}`,
    `  split: ${entry.splitName}`,
    `  defaults: ${formatDefaults(entry.defaults)}`,
  ];
  if (entry.optionNames.length > 0) lines.push("  options:", ...optionLines(entry, width));
  if (entry.models !== undefined) lines.push(`  models: ${entry.models.join(", ")} only`);
  return lines;
}

/** Runs `modular methods`. Returns whether the output is JSON. */
export async function runMethods(command: Command, stdout: OutputStream): Promise<boolean> {
  const { flags } = await flagsWithConfig<MethodsFlags>(command);
  const family = flags.family?.toLowerCase();
  // "fa" or "auxvar" picks a family by the prefix of its method names, "feedback" by its name.
  const matches = (entry: MethodEntry) => family === undefined || entry.family.toLowerCase().includes(family) || entry.name.startsWith(`${family}/`);
  const entries = METHODS.filter(matches);
  if (entries.length === 0) {
    const families = [...new Set(METHODS.map((entry) => entry.family))].join(", ");
    const prefixes = [...new Set(METHODS.filter((entry) => entry.name.includes("/")).map((entry) => entry.name.split("/")[0]))].join(", ");
    throw new UsageError(`No method family contains "${flags.family}". Families: ${families}. Method prefixes: ${prefixes}.`, "methods");
  }
  if (flags.json === true) {
    for (const entry of entries) {
      const { name, family: group, paper, splitName: split, defaults, optionNames: options, optionHelp, description, models } = entry;
      stdout.write(`${JSON.stringify({ name, family: group, description, paper, split, defaults, options, optionHelp, models })}\n`);
    }
    return true;
  }
  const width = stdout.columns ?? 80;
  stdout.write(`${entries.map((entry) => methodLines(entry, width).join("\n")).join("\n\n")}\n`);
  return false;
}
