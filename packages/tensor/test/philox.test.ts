/**
 * The host-side Philox4x32-10 generator that every backend's random draws
 * must reproduce. The known-answer vector is one of the philox4x32-10 tests
 * shipped with Random123, the reference implementation of Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC 2011): counter
 * (0, 0, 0, 0) and key (0, 0) give 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
 * `philoxBlock` sets only the first counter word, and `key.lo` is key word 0.
 */
import { describe, expect, test } from "vitest";
import { philoxBlock, randomKey, wordToUniform } from "../src/index.js";
import "@modular/testing";

describe("philoxBlock", () => {
  test("matches the Random123 known answer", () => {
    const out = new Uint32Array(4);
    philoxBlock(0, { hi: 0, lo: 0 }, out);

    expect(Array.from(out, (word) => word.toString(16).padStart(8, "0"))).toEqual([
      "6627e8d5",
      "e169c58d",
      "bc57ac4c",
      "9b00dbd8",
    ]);
  });

  test("the counter changes every word", () => {
    const first = new Uint32Array(4);
    const second = new Uint32Array(4);
    philoxBlock(0, { hi: 0, lo: 0 }, first);
    philoxBlock(1, { hi: 0, lo: 0 }, second);

    for (let i = 0; i < 4; i++) expect(second[i]).not.toBe(first[i]);
  });

  test("both key words change the block", () => {
    const base = new Uint32Array(4);
    const lo = new Uint32Array(4);
    const hi = new Uint32Array(4);
    philoxBlock(5, { hi: 0, lo: 0 }, base);
    philoxBlock(5, { hi: 0, lo: 1 }, lo);
    philoxBlock(5, { hi: 1, lo: 0 }, hi);

    expect(Array.from(lo)).not.toEqual(Array.from(base));
    expect(Array.from(hi)).not.toEqual(Array.from(base));
    expect(Array.from(hi)).not.toEqual(Array.from(lo));
  });
});

describe("randomKey", () => {
  test("seed is the high word and stream the low word", () => {
    expect(randomKey(7, 3)).toEqual({ hi: 7, lo: 3 });
    expect(randomKey(7)).toEqual({ hi: 7, lo: 0 });
  });
});

describe("wordToUniform", () => {
  test("maps the extreme words into [0, 1)", () => {
    expect(wordToUniform(0)).toBe(0);
    expect(wordToUniform(0xffffffff)).toBeAllClose(1 - 2 ** -24, { rtol: 0, atol: 0 });
    expect(wordToUniform(0xffffffff)).toBeLessThan(1);
  });

  test("is exact in float32", () => {
    const value = wordToUniform(0x89abcdef);

    expect(Math.fround(value)).toBe(value);
  });
});
