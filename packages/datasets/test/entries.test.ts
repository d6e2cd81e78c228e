import { describe, expect, it } from "vitest";
import * as browser from "../src/index.js";
import * as node from "../src/node.js";

describe("entries", () => {
  it("node entry exports everything the browser entry does", () => {
    const missing = Object.keys(browser).filter((name) => !(name in node));

    expect(missing).toEqual([]);
  });

  it("shares classes between the entries", () => {
    expect(node.Dataset).toBe(browser.Dataset);
    expect(node.DatasetFormatError).toBe(browser.DatasetFormatError);
  });

  it("adds the disk loaders to the node entry only", () => {
    for (const name of ["loadFashionMnist", "loadIdxDataset", "readIdxFile", "loadCifar10", "loadCifar100", "loadCsv"]) {
      expect(node).toHaveProperty(name);
      expect(browser).not.toHaveProperty(name);
    }
  });
});
