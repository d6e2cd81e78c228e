/// <reference types="node" />
/** Loader for a CSV file on disk (see `parseCsv`). */
import { readFile } from "node:fs/promises";
import { type CsvOptions, parseCsv } from "../csv.js";
import type { Dataset } from "../dataset.js";
import { DatasetNotFoundError } from "../errors.js";

/**
 * Reads the UTF-8 CSV file `path` and parses it with `parseCsv`; errors name
 * `path`. Throws `DatasetNotFoundError` if the file does not exist.
 */
export async function loadCsv(path: string, options: CsvOptions): Promise<Dataset> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new DatasetNotFoundError(`CSV file not found: ${path}. Check the path.`, [path]);
    }
    throw error;
  }
  return parseCsv(text, path, options);
}
