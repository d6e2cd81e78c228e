import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

// These tests run the built `dist/`, so build first (`npx tsup`). turbo's test task depends on build.
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const execFileAsync = promisify(execFile);

describe("dist/bin.js", () => {
  test("starts with a node shebang and is executable", () => {
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });

  test("prints the help when run directly", async () => {
    const { stdout, stderr } = await execFileAsync(bin, ["--help"]);

    expect(stdout).toContain("Usage: modular");
    expect(stderr).toBe("");
  });

  test("prints the train help when run with node", async () => {
    const { stdout } = await execFileAsync(process.execPath, [bin, "train", "--help"]);

    expect(stdout).toContain("Methods (--method):");
  });

  test("exits with status 2 for an unknown method", async () => {
    const failure = await execFileAsync(bin, ["train", "--method", "proxy/foo"]).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('Unknown method "proxy/foo"');
  });
});
