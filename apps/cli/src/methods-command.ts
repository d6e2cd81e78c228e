/**
 * `modular methods`: lists every training method the CLI registers, with its
 * family, the paper that proposed it, its default split, its defaults and
 * the option names that `--method-option` and `methodOptions` accept.
 */
import { type Command, Option } from "commander";
import { addConfigOption, flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import type { OutputStream } from "./report/reporter.js";
import { type MethodEntry, METHODS } from "./registry/methods.js";

export interface MethodsFlags {
  readonly family?: string;
  readonly json?: boolean;
  readonly config?: string;
}

export function defineMethodsCommand(program: Command, onMethods: (command: Command) => Promise<void>): Command {
  const methods = program
    .command("methods")
    .description("list every training method with its family, paper, default split, defaults and option names");
  methods.exitOverride(throwFrom(methods));
  const output = "Output:";
  methods.addOption(option("--family <text>", "list only the families whose name contains this text, e.g. proxy (case-insensitive)", output));
  methods.addOption(option("--json", "print one JSON object per method, and nothing else on stdout", output));
  addConfigOption(methods, output);
  methods.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  methods.action(async (_flags, command: Command) => onMethods(command));
  return methods;
}

/** Formats a defaults object as "name=value, ...", or "none". */
function formatDefaults(defaults: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(defaults);
  if (entries.length === 0) return "none";
  return entries.map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`).join(", ");
}

function methodLines(entry: MethodEntry): string[] {
  const lines = [
    `${entry.name}  (${entry.family})`,
    `  ${entry.description}`,
    `  paper: ${entry.paper}`,
    `  split: ${entry.splitName}`,
    `  defaults: ${formatDefaults(entry.defaults)}`,
  ];
  if (entry.optionNames.length > 0) lines.push(`  options: ${[...entry.optionNames].sort().join(", ")}`);
  if (entry.models !== undefined) lines.push(`  models: ${entry.models.join(", ")} only`);
  return lines;
}

/** Runs `modular methods`. Returns whether the output is JSON. */
export async function runMethods(command: Command, stdout: OutputStream): Promise<boolean> {
  const { flags } = await flagsWithConfig<MethodsFlags>(command);
  const family = flags.family?.toLowerCase();
  const entries = METHODS.filter((entry) => family === undefined || entry.family.toLowerCase().includes(family));
  if (flags.json === true) {
    for (const entry of entries) {
      const { name, family: group, paper, splitName: split, defaults, optionNames: options, description, models } = entry;
      stdout.write(`${JSON.stringify({ name, family: group, description, paper, split, defaults, options, models })}\n`);
    }
    return true;
  }
  if (entries.length === 0) {
    const families = [...new Set(METHODS.map((entry) => entry.family))].join(", ");
    stdout.write(`No method family contains "${flags.family}". Families: ${families}.\n`);
    return false;
  }
  stdout.write(`${entries.map((entry) => methodLines(entry).join("\n")).join("\n\n")}\n`);
  return false;
}
