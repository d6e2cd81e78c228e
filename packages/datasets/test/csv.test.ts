/** CSV files of numeric features and a label column. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { type CsvOptions, DatasetFormatError, DatasetNotFoundError, loadCsv, parseCsv } from "../src/node.js";

const IRIS_LIKE = "sepal,petal,species\n5.1,1.4,0\n7.0,4.7,1\n6.3,6.0,2\n";

function formatError(text: string, options: CsvOptions): DatasetFormatError {
  try {
    parseCsv(text, "data.csv", options);
  } catch (error) {
    if (error instanceof DatasetFormatError) return error;
    throw error;
  }
  throw new Error("parseCsv accepted malformed CSV");
}

describe("parseCsv", () => {
  test("reads features and a label by name", () => {
    const dataset = parseCsv(IRIS_LIKE, "iris.csv", { label: "species" });

    expect(Array.from(dataset.images)).toEqual([5.1, 1.4, 7.0, 4.7, 6.3, 6.0].map(Math.fround));
    expect(Array.from(dataset.labels)).toEqual([0, 1, 2]);
    expect(dataset.sampleShape).toEqual([2]);
    expect(dataset.classes).toBe(3);
    expect(dataset.name).toBe("iris.csv");
  });

  test("reads a label by index without a header", () => {
    const dataset = parseCsv("1,0.5,2\r\n0,-1e-3,4\r\n", "x.csv", { label: 0, header: false, classes: 2 });

    expect(Array.from(dataset.labels)).toEqual([1, 0]);
    expect(Array.from(dataset.images)).toEqual([0.5, 2, -1e-3, 4].map(Math.fround));
    expect(dataset.classes).toBe(2);
  });

  test("maps label names to class indices", () => {
    const text = 'a;b;kind\n1;2;"cat"\n3;4;dog\n';
    const dataset = parseCsv(text, "pets.csv", { label: "kind", delimiter: ";", labelNames: ["dog", "cat"] });

    expect(Array.from(dataset.labels)).toEqual([1, 0]);
    expect(dataset.classes).toBe(2);
  });

  test.each<[string, string, CsvOptions, string, string, string]>([
    ["non-numeric value", "a,b,y\n1,2,0\n3,x,1\n", { label: "y" }, 'line 3, column 2 ("b")', "a finite number", '"x"'],
    ["empty value", "a,b,y\n1,,0\n", { label: "y" }, 'line 2, column 2 ("b")', "a finite number", "an empty field"],
    ["too few columns", "a,b,y\n1,2,0\n3,1\n", { label: "y" }, "line 3", "3 columns, as the header has", "2 columns"],
    ["too many columns", "1,2,0\n3,1,1,1\n", { label: 2, header: false }, "line 2", "3 columns, as line 1 has", "4 columns"],
    ["empty line", "a,y\n1,0\n\n2,1\n", { label: "y" }, "line 3", "2 columns, as the header has", "an empty line"],
    ["fractional label", "a,y\n1,0.5\n", { label: "y" }, 'line 2, column 2 ("y")', "a class index (a non-negative integer)", '"0.5"'],
    ["negative label", "a,y\n1,-1\n", { label: "y" }, 'line 2, column 2 ("y")', "a class index (a non-negative integer)", '"-1"'],
    ["label beyond classes", "a,y\n1,0\n2,3\n", { label: "y", classes: 3 }, 'line 3, column 2 ("y")', "a class index from 0 to 2", "3"],
    ["unknown label name", "a,y\n1,cow\n", { label: "y", labelNames: ["dog", "cat"] }, 'line 2, column 2 ("y")', 'one of the label names "dog", "cat"', '"cow"'],
    ["missing label column", "a,b\n1,2\n", { label: "y" }, "header (line 1)", 'a column named "y"', 'the columns "a", "b"'],
    ["label index too large", "1,2\n", { label: 2, header: false }, "label column", "a column index from 0 to 1", "2"],
    ["label name without header", "1,2\n", { label: "y", header: false }, "label column", "a column index, because the file has no header row", 'the name "y"'],
    ["header only", "a,y\n", { label: "y" }, "line 2", "at least one data row", "the end of the file"],
  ])("rejects %s", (_name, text, options, location, expected, found) => {
    const error = formatError(text, options);

    expect(error.source).toBe("data.csv");
    expect(error.location).toBe(location);
    expect(error.expected).toBe(expected);
    expect(error.found).toBe(found);
  });
});

describe("loadCsv", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  test("reads a file and names it in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "modular-csv-"));
    folders.push(dir);
    await writeFile(join(dir, "good.csv"), IRIS_LIKE);
    await writeFile(join(dir, "bad.csv"), "a,y\n1,0\nz,1\n");

    expect((await loadCsv(join(dir, "good.csv"), { label: "species" })).size).toBe(3);
    await expect(loadCsv(join(dir, "bad.csv"), { label: "y" })).rejects.toThrow(
      `${join(dir, "bad.csv")}: line 3, column 1 ("a"): expected a finite number, found "z".`,
    );
  });

  test("reports a missing file", async () => {
    await expect(loadCsv("/nonexistent/data.csv", { label: 0 })).rejects.toThrow(DatasetNotFoundError);
  });
});
