/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and
 * Shaw ("Parallel random numbers: as easy as 1, 2, 3", SC 2011). Each output
 * block is a pure function of (counter, key), so element i of a draw can be
 * computed independently on any backend and in any order.
 *
 * Element mapping shared by all backends:
 * - uniform: element i is word (i mod 4) of the block at counter floor(i / 4),
 *   turned into [0, 1) by its top 24 bits;
 * - normal: element i uses words 2(i mod 2) and 2(i mod 2) + 1 of the block at
 *   counter floor(i / 2), through the Box-Muller transform.
 */
import type { RandomKey } from "../backend.js";

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const hiHi = aHi * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  return (hiHi + (hiLo >>> 16) + (loHi >>> 16) + (cross >>> 16)) >>> 0;
}

/**
 * Compute one Philox4x32-10 block for counter (`counter`, 0, 0, 0) and `key`, written
 * into `out` as four unsigned 32-bit words.
 */
export function philoxBlock(counter: number, key: RandomKey, out: Uint32Array): void {
  let c0 = counter >>> 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let k0 = key.lo >>> 0;
  let k1 = key.hi >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

const TWO_POW_MINUS_24 = 1 / 16777216;

/** Map a 32-bit word to [0, 1) with 24 bits of precision (exact in float32). */
export function wordToUniform(word: number): number {
  return (word >>> 8) * TWO_POW_MINUS_24;
}

/** Fill `out` with uniform [0, 1) values for elements 0..out.length-1 of a draw with `key`. */
export function philoxUniform(key: RandomKey, out: Float32Array | Float64Array): void {
  const block = new Uint32Array(4);
  for (let i = 0; i < out.length; i += 4) {
    philoxBlock(i / 4, key, block);
    for (let j = 0; j < 4 && i + j < out.length; j++) out[i + j] = wordToUniform(block[j]!);
  }
}

/** Fill `out` with standard normal values for elements 0..out.length-1 of a draw with `key`. */
export function philoxNormal(key: RandomKey, out: Float32Array | Float64Array): void {
  const block = new Uint32Array(4);
  for (let i = 0; i < out.length; i += 2) {
    philoxBlock(i / 2, key, block);
    for (let j = 0; j < 2 && i + j < out.length; j++) {
      // u1 in (0, 1] so that log(u1) is finite.
      const u1 = ((block[2 * j]! >>> 8) + 1) * TWO_POW_MINUS_24;
      const u2 = wordToUniform(block[2 * j + 1]!);
      out[i + j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
}

/**
 * Return the key for draw number `stream` of a run seeded with `seed`. Distinct
 * (seed, stream) pairs give independent draws; both must be 32-bit unsigned
 * integers.
 */
export function randomKey(seed: number, stream = 0): RandomKey {
  return { hi: seed >>> 0, lo: stream >>> 0 };
}
