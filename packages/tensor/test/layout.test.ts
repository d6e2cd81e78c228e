/**
 * Conformance: indexing (gather, scatterAdd, oneHot) and layout (reshape,
 * transpose, slice, concat, broadcastTo).
 */
import { expect } from "vitest";
import {
  broadcastTo,
  concat,
  DTypeError,
  gather,
  InvalidArgumentError,
  oneHot,
  reshape,
  scatterAdd,
  ShapeError,
  slice,
  tensor,
  transpose,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture } from "./conformance.js";

const indices = (values: number[], shape?: number[]) => tensor(new Int32Array(values), shape ?? [values.length]);

/** A [3, 4] matrix whose element (i, j) is 10 i + j, so every value shows where it came from. */
const GRID = [
  [0, 1, 2, 3],
  [10, 11, 12, 13],
  [20, 21, 22, 23],
];

describeConformance("indexing", (test) => {
  test("gather rows along axis 0", async () => {
    const y = gather(tensor(GRID), indices([2, 0, 2]));

    expect(y.shape).toEqual([3, 4]);
    expect(await y.array()).toBeAllClose([
      [20, 21, 22, 23],
      [0, 1, 2, 3],
      [20, 21, 22, 23],
    ]);
  });

  test("gather columns along axis 1 with rank-2 indices", async () => {
    const y = gather(tensor(GRID), indices([3, 0, 1, 1], [2, 2]), 1);

    expect(y.shape).toEqual([3, 2, 2]);
    expect(await y.array()).toBeAllClose([
      [
        [3, 0],
        [1, 1],
      ],
      [
        [13, 10],
        [11, 11],
      ],
      [
        [23, 20],
        [21, 21],
      ],
    ]);
  });

  test("gather accepts a negative axis", async () => {
    const y = gather(tensor(GRID), indices([1]), -1);

    expect(await y.array()).toBeAllClose([[1], [11], [21]]);
  });

  test("gather keeps int32", async () => {
    const y = gather(tensor(new Int32Array([5, 6, 7])), indices([2, 2]));

    expect(y.dtype).toBe("int32");
    expect(await y.data()).toBeAllClose([7, 7]);
  });

  test("gather rejects an out-of-range index", () => {
    const x = tensor(GRID);

    expect(() => gather(x, indices([0, 3]))).toThrow(InvalidArgumentError);
    expect(() => gather(x, indices([0, 3]))).toThrow(/index 3 at position 1 is outside \[0, 3\)/);
    expect(() => gather(x, indices([-1]))).toThrow(InvalidArgumentError);
  });

  test("gather rejects float32 indices", () => {
    expect(() => gather(tensor(GRID), tensor([0]))).toThrow(DTypeError);
  });

  test("scatterAdd sums repeated indices", async () => {
    const updates = tensor([
      [1, 2],
      [10, 20],
      [100, 200],
      [1000, 2000],
    ]);
    const y = scatterAdd(updates, indices([0, 2, 0, 0]), 0, [3, 2]);

    expect(y.shape).toEqual([3, 2]);
    expect(await y.array()).toBeAllClose([
      [1101, 2202],
      [0, 0],
      [10, 20],
    ]);
  });

  test("scatterAdd along axis 1", async () => {
    const updates = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = scatterAdd(updates, indices([1, 1, 3]), 1, [2, 4]);

    expect(await y.array()).toBeAllClose([
      [0, 3, 0, 3],
      [0, 9, 0, 6],
    ]);
  });

  test("scatterAdd is the adjoint of gather", async () => {
    // <gather(x, i), u> = <x, scatterAdd(u, i)> for every x and u.
    const x = fixture(12, 51);
    const u = fixture(15, 52);
    const at = indices([2, 0, 2, 3, 2]);
    const gathered = await gather(tensor(x, [3, 4]), at, 1).data();
    const scattered = await scatterAdd(tensor(u, [3, 5]), at, 1, [3, 4]).data();
    const left = Array.from(gathered).reduce((acc, g, i) => acc + g * u[i]!, 0);
    const right = Array.from(scattered).reduce((acc, s, i) => acc + s * x[i]!, 0);

    expect(left).toBeAllClose(right, { rtol: 1e-5 });
  });

  test("scatterAdd rejects updates of the wrong shape", () => {
    const updates = tensor(fixture(6, 1), [3, 2]);

    expect(() => scatterAdd(updates, indices([0, 1]), 0, [3, 2])).toThrow(ShapeError);
    expect(() => scatterAdd(updates, indices([0, 1]), 0, [3, 2])).toThrow(/updates have shape \[3, 2\], but \[2, 2\]/);
  });

  test("scatterAdd rejects an out-of-range index", () => {
    const updates = tensor(fixture(4, 1), [2, 2]);

    expect(() => scatterAdd(updates, indices([0, 3]), 0, [3, 2])).toThrow(InvalidArgumentError);
  });

  test("oneHot encodes labels", async () => {
    const y = oneHot(indices([2, 0, 1, 2]), 3);

    expect(y.dtype).toBe("float32");
    expect(y.shape).toEqual([4, 3]);
    expect(await y.array()).toBeAllClose([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  test("oneHot with on and off values", async () => {
    const y = oneHot(indices([1]), 3, 0.9, 0.05);

    expect(await y.array()).toBeAllClose([[0.05, 0.9, 0.05]]);
  });

  test("oneHot of rank-2 labels appends the class axis", async () => {
    const y = oneHot(indices([0, 1, 1, 0], [2, 2]), 2);

    expect(y.shape).toEqual([2, 2, 2]);
    expect(await y.data()).toBeAllClose([1, 0, 0, 1, 0, 1, 1, 0]);
  });

  for (const label of [3, -1]) {
    test(`oneHot rejects label ${label} outside [0, 3)`, () => {
      expect(() => oneHot(indices([0, label]), 3)).toThrow(InvalidArgumentError);
      expect(() => oneHot(indices([0, label]), 3)).toThrow(`index ${label} at position 1 is outside [0, 3)`);
    });
  }

  test("oneHot rejects a non-positive depth", () => {
    expect(() => oneHot(indices([0]), 0)).toThrow(InvalidArgumentError);
  });

  test("oneHot rejects float32 labels", () => {
    expect(() => oneHot(tensor([0, 1]), 2)).toThrow(DTypeError);
  });
});

describeConformance("layout", (test) => {
  test("reshape keeps row-major order", async () => {
    const y = reshape(tensor(GRID), [2, 6]);

    expect(y.shape).toEqual([2, 6]);
    expect(await y.array()).toBeAllClose([
      [0, 1, 2, 3, 10, 11],
      [12, 13, 20, 21, 22, 23],
    ]);
  });

  test("reshape infers one -1 dimension", async () => {
    const x = tensor(GRID);

    expect(reshape(x, [-1]).shape).toEqual([12]);
    expect(reshape(x, [2, -1, 3]).shape).toEqual([2, 2, 3]);
    expect(await reshape(x, [6, -1]).data()).toBeAllClose(GRID.flat());
  });

  test("reshape to a scalar and back", async () => {
    const s = reshape(tensor([5]), []);

    expect(s.shape).toEqual([]);
    expect(await reshape(s, [1, 1]).array()).toBeAllClose([[5]]);
  });

  test("reshape rejects two -1 dimensions", () => {
    expect(() => reshape(tensor(GRID), [-1, -1])).toThrow(ShapeError);
    expect(() => reshape(tensor(GRID), [-1, -1])).toThrow(/more than one -1/);
  });

  test("reshape rejects a different element count", () => {
    expect(() => reshape(tensor(GRID), [5, 2])).toThrow(ShapeError);
    expect(() => reshape(tensor(GRID), [5, 2])).toThrow(/cannot reshape \[3, 4\] \(12 elements\) to \[5, 2\]/);
  });

  test("reshape rejects a -1 that does not divide", () => {
    expect(() => reshape(tensor(GRID), [5, -1])).toThrow(ShapeError);
  });

  test("transpose without perm reverses the axes", async () => {
    const y = transpose(tensor(GRID));

    expect(y.shape).toEqual([4, 3]);
    expect(await y.array()).toBeAllClose([
      [0, 10, 20],
      [1, 11, 21],
      [2, 12, 22],
      [3, 13, 23],
    ]);
  });

  for (const perm of [
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [0, 1, 2],
  ]) {
    test(`transpose with perm [${perm.join(", ")}]`, async () => {
      const shape = [2, 3, 4];
      const values = fixture(24, 61);
      const y = transpose(tensor(values, shape), perm);
      const outShape = perm.map((axis) => shape[axis]!);
      const expected: number[] = [];
      for (let i = 0; i < outShape[0]!; i++) {
        for (let j = 0; j < outShape[1]!; j++) {
          for (let k = 0; k < outShape[2]!; k++) {
            const coord = [0, 0, 0];
            coord[perm[0]!] = i;
            coord[perm[1]!] = j;
            coord[perm[2]!] = k;
            expected.push(values[coord[0]! * 12 + coord[1]! * 4 + coord[2]!]!);
          }
        }
      }

      expect(y.shape).toEqual(outShape);
      expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
    });
  }

  test("transpose rejects an invalid perm", () => {
    const x = tensor(fixture(24, 1), [2, 3, 4]);

    expect(() => transpose(x, [0, 1])).toThrow(InvalidArgumentError);
    expect(() => transpose(x, [0, 1, 1])).toThrow(/perm \[0, 1, 1\] is not a permutation of the 3 axes of \[2, 3, 4\]/);
    expect(() => transpose(x, [0, 1, 3])).toThrow(InvalidArgumentError);
  });

  test("slice takes a box", async () => {
    const y = slice(tensor(GRID), [1, 1], [2, 2]);

    expect(y.shape).toEqual([2, 2]);
    expect(await y.array()).toBeAllClose([
      [11, 12],
      [21, 22],
    ]);
  });

  test("slice size -1 runs to the end of the axis", async () => {
    const y = slice(tensor(GRID), [1, 2], [-1, 1]);

    expect(await y.array()).toBeAllClose([[12], [22]]);
  });

  test("slice without size runs to the end of every axis", async () => {
    const y = slice(tensor(GRID), [2, 1]);

    expect(await y.array()).toBeAllClose([[21, 22, 23]]);
  });

  test("slice of extent zero is empty", async () => {
    const y = slice(tensor(GRID), [0, 4], [3, -1]);

    expect(y.shape).toEqual([3, 0]);
    expect(Array.from(await y.data())).toEqual([]);
  });

  test("slice rejects a box past the end", () => {
    expect(() => slice(tensor(GRID), [2, 0], [2, 4])).toThrow(InvalidArgumentError);
    expect(() => slice(tensor(GRID), [2, 0], [2, 4])).toThrow(
      /axis 0 of \[3, 4\] has size 3, but the slice covers \[2, 4\)/,
    );
  });

  test("slice rejects a negative begin", () => {
    expect(() => slice(tensor(GRID), [-1, 0], [1, 1])).toThrow(InvalidArgumentError);
  });

  test("slice rejects begin of the wrong length", () => {
    expect(() => slice(tensor(GRID), [0], [1])).toThrow(/must each have 2 entries/);
  });

  test("concat along axis 0", async () => {
    const y = concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]);

    expect(y.shape).toEqual([3, 2]);
    expect(await y.array()).toBeAllClose([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  test("concat along the last axis", async () => {
    const y = concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]]), tensor([[7], [8]])], -1);

    expect(y.shape).toEqual([2, 4]);
    expect(await y.array()).toBeAllClose([
      [1, 3, 4, 7],
      [2, 5, 6, 8],
    ]);
  });

  test("concat along a middle axis", async () => {
    const a = fixture(8, 62);
    const b = fixture(4, 63);
    const y = concat([tensor(a, [2, 2, 2]), tensor(b, [2, 1, 2])], 1);
    const expected = [...a.slice(0, 4), ...b.slice(0, 2), ...a.slice(4), ...b.slice(2)];

    expect(y.shape).toEqual([2, 3, 2]);
    expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
  });

  test("concat rejects mismatched other dimensions", () => {
    const a = tensor(fixture(6, 1), [2, 3]);
    const b = tensor(fixture(4, 2), [2, 2]);

    expect(() => concat([a, b], 0)).toThrow(ShapeError);
    expect(() => concat([a, b], 0)).toThrow(/float32 \[2, 2\] does not fit float32 \[2, 3\] along axis 0/);
  });

  test("concat rejects mixed dtypes", () => {
    expect(() => concat([tensor([1]), tensor(new Int32Array([1]))])).toThrow(ShapeError);
  });

  test("concat rejects an empty list", () => {
    expect(() => concat([])).toThrow(InvalidArgumentError);
  });

  test("broadcastTo repeats a row", async () => {
    const y = broadcastTo(tensor([1, 2, 3]), [2, 3]);

    expect(y.shape).toEqual([2, 3]);
    expect(await y.array()).toBeAllClose([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });

  test("broadcastTo repeats a column and adds axes", async () => {
    const y = broadcastTo(tensor([[1], [2]]), [2, 2, 3]);

    expect(y.shape).toEqual([2, 2, 3]);
    expect(await y.data()).toBeAllClose([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
  });

  test("broadcastTo rejects an incompatible shape", () => {
    expect(() => broadcastTo(tensor([1, 2, 3]), [3, 2])).toThrow(ShapeError);
  });

  test("broadcastTo cannot drop axes", () => {
    expect(() => broadcastTo(tensor([[1, 2, 3]]), [3])).toThrow(/\[1, 3\] cannot be broadcast to \[3\]/);
  });
});
