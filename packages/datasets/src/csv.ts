/**
 * Reader for CSV files of numeric features and one label column, such as
 * the UCI tabular sets. Every row becomes one sample: the feature columns in
 * file order, and the label as a class index. A value that is not a finite
 * number, a row with the wrong column count, or an unknown label is an error
 * that names the file, line and column. No row is skipped except the header
 * and the empty line after a final newline.
 *
 * NOTE: fields may be wrapped in double quotes, but a quoted field cannot
 * contain the delimiter or a line break.
 *
 * Pure: no `node:` imports, so both entries share it.
 */
import { Dataset } from "./dataset.js";
import { DatasetFormatError } from "./errors.js";

/** Options of `parseCsv`. */
export interface CsvOptions {
  /** The label column: a name from the header row, or an index from 0. */
  readonly label: string | number;
  /** The first line is a header of column names (default true). A label given by name requires it. */
  readonly header?: boolean;
  /** Field separator, one character (default ","). */
  readonly delimiter?: string;
  /**
   * Label values, in class order: the label of a row is the index of its
   * value here. Default: labels are class indices written as integers 0, 1, ….
   */
  readonly labelNames?: readonly string[];
  /** Number of classes. Default: labelNames.length, or the largest label + 1. */
  readonly classes?: number;
  /** Dataset name. Default: the source. */
  readonly name?: string;
}

/**
 * Parses CSV text into a `Dataset` with samples of shape [features]. `source`
 * names the file in errors. Throws `DatasetFormatError` naming the line and
 * column of a non-numeric feature, a wrong column count, an invalid label,
 * or a label column that does not exist.
 */
export function parseCsv(text: string, source: string, options: CsvOptions): Dataset {
  const delimiter = options.delimiter ?? ",";
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();

  const hasHeader = options.header ?? true;
  const firstRow = lines.length > 0 ? splitRow(lines[0]!, delimiter) : [];
  const columns = firstRow.length;
  const names = hasHeader ? firstRow : firstRow.map((_, i) => `column ${i + 1}`);
  const labelColumn = findLabelColumn(options.label, names, hasHeader, source);
  const firstData = hasHeader ? 1 : 0;
  const rowCount = lines.length - firstData;
  if (rowCount <= 0) {
    throw new DatasetFormatError({ source, location: `line ${firstData + 1}`, expected: "at least one data row", found: "the end of the file" });
  }

  const features = columns - 1;
  const images = new Float32Array(rowCount * features);
  const labels = new Int32Array(rowCount);
  const labelIndex = options.labelNames === undefined ? undefined : new Map(options.labelNames.map((name, i) => [name, i]));
  for (let row = 0; row < rowCount; row++) {
    const line = firstData + row + 1;
    const fields = splitRow(lines[firstData + row]!, delimiter);
    if (fields.length !== columns) {
      throw new DatasetFormatError({
        source,
        location: `line ${line}`,
        expected: `${columns} columns, as ${hasHeader ? "the header has" : "line 1 has"}`,
        found: fields.length === 1 && fields[0] === "" ? "an empty line" : `${fields.length} columns`,
      });
    }
    let feature = 0;
    fields.forEach((field, column) => {
      const at = { source, line, column, name: names[column]! };
      if (column === labelColumn) labels[row] = readLabel(field, at, labelIndex);
      else images[row * features + feature++] = readNumber(field, at);
    });
  }

  const classes = options.classes ?? options.labelNames?.length ?? largest(labels) + 1;
  labels.forEach((label, row) => {
    if (label >= classes) {
      const column = labelColumn;
      throw new DatasetFormatError({
        source,
        location: location({ source, line: firstData + row + 1, column, name: names[column]! }),
        expected: `a class index from 0 to ${classes - 1}`,
        found: `${label}`,
        hint: "Pass the right number of classes, or fix the label.",
      });
    }
  });
  return new Dataset({ name: options.name ?? source, images, labels, sampleShape: [features], classes });
}

function largest(values: Int32Array): number {
  let result = 0;
  for (const value of values) result = Math.max(result, value);
  return result;
}

interface FieldPosition {
  readonly source: string;
  /** Line number, from 1. */
  readonly line: number;
  /** Column index, from 0. */
  readonly column: number;
  readonly name: string;
}

function location(at: FieldPosition): string {
  return `line ${at.line}, column ${at.column + 1} ("${at.name}")`;
}

function splitRow(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((field) => {
    const trimmed = field.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
  });
}

function findLabelColumn(label: string | number, names: readonly string[], hasHeader: boolean, source: string): number {
  if (typeof label === "number") {
    if (!Number.isInteger(label) || label < 0 || label >= names.length) {
      throw new DatasetFormatError({
        source,
        location: "label column",
        expected: `a column index from 0 to ${names.length - 1}`,
        found: `${label}`,
      });
    }
    return label;
  }
  if (!hasHeader) {
    throw new DatasetFormatError({
      source,
      location: "label column",
      expected: "a column index, because the file has no header row",
      found: `the name "${label}"`,
      hint: "Pass the label column by index, or set header: true.",
    });
  }
  const index = names.indexOf(label);
  if (index < 0) {
    throw new DatasetFormatError({
      source,
      location: "header (line 1)",
      expected: `a column named "${label}"`,
      found: `the columns ${names.map((name) => `"${name}"`).join(", ")}`,
    });
  }
  return index;
}

function readNumber(field: string, at: FieldPosition): number {
  const value = field === "" ? Number.NaN : Number(field);
  if (!Number.isFinite(value)) {
    throw new DatasetFormatError({
      source: at.source,
      location: location(at),
      expected: "a finite number",
      found: field === "" ? "an empty field" : `"${field}"`,
    });
  }
  return value;
}

function readLabel(field: string, at: FieldPosition, labelIndex: ReadonlyMap<string, number> | undefined): number {
  if (labelIndex !== undefined) {
    const index = labelIndex.get(field);
    if (index === undefined) {
      throw new DatasetFormatError({
        source: at.source,
        location: location(at),
        expected: `one of the label names ${[...labelIndex.keys()].map((name) => `"${name}"`).join(", ")}`,
        found: `"${field}"`,
      });
    }
    return index;
  }
  const value = Number(field);
  if (field === "" || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new DatasetFormatError({
      source: at.source,
      location: location(at),
      expected: "a class index (a non-negative integer)",
      found: field === "" ? "an empty field" : `"${field}"`,
      hint: "For labels that are names, pass them in class order as labelNames.",
    });
  }
  return value;
}
