/**
 * Shared parts of the CLI's registries: entries with a name and a one-line
 * description, looked up by the name the user typed.
 */
import { UsageError } from "../errors.js";

/** One choice of a registry, as listed by `modular train --help`. */
export interface RegistryEntry {
  /** The name users type. */
  readonly name: string;
  /** One line shown in `--help`. */
  readonly description: string;
}

/** Returns the names of `entries` in alphabetical order. */
export function entryNames(entries: readonly RegistryEntry[]): string[] {
  return entries.map((entry) => entry.name).sort();
}

/**
 * Finds the entry called `name`, or throws `UsageError` naming the value and
 * the valid names. `kind` is the singular noun of the registry ("method").
 */
export function findEntry<E extends RegistryEntry>(entries: readonly E[], name: string, kind: string): E {
  const entry = entries.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    throw new UsageError(`Unknown ${kind} "${name}". Valid ${kind}s: ${entryNames(entries).join(", ")}.`);
  }
  return entry;
}

/** Splits `text` at spaces into lines of at most `width` characters. A longer word gets a line of its own. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * Formats `entries` for help text, sorted by name: an indented name column,
 * then the description, wrapped to fit `width` columns.
 */
export function formatEntries(entries: readonly RegistryEntry[], width: number): string {
  const sorted = [...entries].sort((a, b) => a.name.localeCompare(b.name));
  const nameWidth = Math.max(...sorted.map((entry) => entry.name.length));
  const indent = " ".repeat(2 + nameWidth + 2);
  // Keep at least 30 columns for descriptions on narrow terminals.
  const descriptionWidth = Math.max(30, width - indent.length - 1);

  return sorted
    .map((entry) => {
      const [first, ...rest] = wrapWords(entry.description, descriptionWidth);
      return [`  ${entry.name.padEnd(nameWidth)}  ${first}`, ...rest.map((line) => indent + line)].join("\n");
    })
    .join("\n");
}
