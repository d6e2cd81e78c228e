/// <reference types="node" />
/**
 * Helpers for tests of a package's built `dist/` files: the module graph a
 * built entry loads, and the module specifiers each file imports.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Return every module specifier in `source`, static or dynamic. */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((match) => match[1]!);
}

/** Return `path` and the files it imports with a relative specifier, transitively. */
export function localImportGraph(path: string, seen = new Set<string>()): Set<string> {
  if (seen.has(path)) return seen;
  seen.add(path);
  for (const specifier of importSpecifiers(readFileSync(path, "utf8"))) {
    if (specifier.startsWith("./")) localImportGraph(join(dirname(path), specifier), seen);
  }
  return seen;
}

/** Throw, naming the package folder and the build command, unless every entry file exists in `dist`. */
export function requireBuiltEntries(dist: string, entries: readonly string[]): void {
  const missing = entries.filter((entry) => !existsSync(join(dist, entry)));
  if (missing.length > 0) {
    throw new Error(
      `${dist} has no ${missing.join(" or ")}. Run \`npx tsup\` in ${dirname(dist)} first ` +
        "(turbo's test task builds before testing).",
    );
  }
}
