/** Checks of the per-backend exclusion lists themselves. */
import { describe, expect, test } from "vitest";
import { BACKENDS, SUITES } from "./conformance.js";

describe.each(BACKENDS)("exclusions of $name", ({ excluded }) => {
  test("keys name a suite and a test", () => {
    const malformed = Object.keys(excluded).filter(
      (key) => !SUITES.some((suite) => key.startsWith(`${suite} > `) && key.length > suite.length + 3),
    );
    expect(malformed).toEqual([]);
  });

  test("each reason is one non-empty line", () => {
    const bad = Object.entries(excluded).filter(([, reason]) => reason.trim() === "" || reason.includes("\n"));
    expect(bad).toEqual([]);
  });
});
