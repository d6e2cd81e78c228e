/** The two entries: the Node.js one adds checkpoint files and keeps everything else. */
import { describe, expect, it } from "vitest";
import * as browser from "../src/index.js";
import * as node from "../src/node.js";

describe("entries", () => {
  it("node entry exports everything the default entry does", () => {
    const missing = Object.keys(browser).filter((name) => !(name in node));

    expect(missing).toEqual([]);
  });

  it("adds the file functions to the node entry only", () => {
    for (const name of ["readCheckpointFiles", "writeCheckpointFiles", "saveModuleFile", "loadModuleFile"]) {
      expect(node).toHaveProperty(name);
      expect(browser).not.toHaveProperty(name);
    }
  });

  it("replaces train with the folder-taking one", () => {
    expect(node.train).not.toBe(browser.train);
  });
});
