/**
 * Naive float64 reference loops for the convolution and pooling suites,
 * written straight from the definitions (one loop per index, a bounds test
 * per tap) so they share no code with the kernels under test.
 */

export interface Geometry {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
}

export function outSize(size: number, axis: 0 | 1, g: Geometry): number {
  return Math.floor((size + 2 * g.padding[axis] - g.dilation[axis] * (g.kernel[axis] - 1) - 1) / g.stride[axis]) + 1;
}

/** y[n, o, oh, ow] = Σ_c,i,j x[n, c, oh s - p + i d, ow s - p + j d] w[o, c, i, j]. */
export function referenceConv2d(
  x: readonly number[],
  xShape: readonly [number, number, number, number],
  w: readonly number[],
  wShape: readonly [number, number, number, number],
  g: Geometry,
): number[] {
  const [N, C, H, W] = xShape;
  const [O, , KH, KW] = wShape;
  const OH = outSize(H, 0, g);
  const OW = outSize(W, 1, g);
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let total = 0;
          for (let c = 0; c < C; c++) {
            for (let i = 0; i < KH; i++) {
              for (let j = 0; j < KW; j++) {
                const h = oh * g.stride[0] - g.padding[0] + i * g.dilation[0];
                const col = ow * g.stride[1] - g.padding[1] + j * g.dilation[1];
                if (h < 0 || h >= H || col < 0 || col >= W) continue;
                total += x[((n * C + c) * H + h) * W + col]! * w[((o * C + c) * KH + i) * KW + j]!;
              }
            }
          }
          out.push(total);
        }
      }
    }
  }
  return out;
}

/** dw[o, c, i, j] = Σ_n,oh,ow dy[n, o, oh, ow] x[n, c, oh s - p + i d, ow s - p + j d]. */
export function referenceFilterGradient(
  x: readonly number[],
  xShape: readonly [number, number, number, number],
  dy: readonly number[],
  wShape: readonly [number, number, number, number],
  g: Geometry,
): number[] {
  const [N, C, H, W] = xShape;
  const [O, , KH, KW] = wShape;
  const OH = outSize(H, 0, g);
  const OW = outSize(W, 1, g);
  const out: number[] = [];
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < KH; i++) {
        for (let j = 0; j < KW; j++) {
          let total = 0;
          for (let n = 0; n < N; n++) {
            for (let oh = 0; oh < OH; oh++) {
              for (let ow = 0; ow < OW; ow++) {
                const h = oh * g.stride[0] - g.padding[0] + i * g.dilation[0];
                const col = ow * g.stride[1] - g.padding[1] + j * g.dilation[1];
                if (h < 0 || h >= H || col < 0 || col >= W) continue;
                total += dy[((n * O + o) * OH + oh) * OW + ow]! * x[((n * C + c) * H + h) * W + col]!;
              }
            }
          }
          out.push(total);
        }
      }
    }
  }
  return out;
}

/**
 * Transposed convolution by scattering: every input element x[n, c, h, w]
 * adds x · w[c, o, i, j] at output (h s - p + i d, w s - p + j d).
 */
export function referenceConv2dTranspose(
  x: readonly number[],
  xShape: readonly [number, number, number, number],
  w: readonly number[],
  wShape: readonly [number, number, number, number],
  g: Geometry,
  outHW: readonly [number, number],
): number[] {
  const [N, C, H, W] = xShape;
  const [, O, KH, KW] = wShape;
  const [OH, OW] = outHW;
  const out = new Array<number>(N * O * OH * OW).fill(0);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < H; h++) {
        for (let col = 0; col < W; col++) {
          const value = x[((n * C + c) * H + h) * W + col]!;
          for (let o = 0; o < O; o++) {
            for (let i = 0; i < KH; i++) {
              for (let j = 0; j < KW; j++) {
                const y = h * g.stride[0] - g.padding[0] + i * g.dilation[0];
                const z = col * g.stride[1] - g.padding[1] + j * g.dilation[1];
                if (y < 0 || y >= OH || z < 0 || z >= OW) continue;
                out[((n * O + o) * OH + y) * OW + z]! += value * w[((c * O + o) * KH + i) * KW + j]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export interface PoolReference {
  readonly values: number[];
  readonly indices: number[];
}

/** Max (first in row-major order on ties) and average (over in-bounds elements) of each window. */
export function referencePool2d(
  x: readonly number[],
  xShape: readonly [number, number, number, number],
  g: Geometry,
  kind: "max" | "avg",
): PoolReference {
  const [N, C, H, W] = xShape;
  const OH = outSize(H, 0, g);
  const OW = outSize(W, 1, g);
  const values: number[] = [];
  const indices: number[] = [];
  for (let plane = 0; plane < N * C; plane++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let bestIndex = -1;
        let total = 0;
        let count = 0;
        for (let i = 0; i < g.kernel[0]; i++) {
          for (let j = 0; j < g.kernel[1]; j++) {
            const h = oh * g.stride[0] - g.padding[0] + i;
            const col = ow * g.stride[1] - g.padding[1] + j;
            if (h < 0 || h >= H || col < 0 || col >= W) continue;
            const value = x[plane * H * W + h * W + col]!;
            total += value;
            count++;
            if (value > best) {
              best = value;
              bestIndex = h * W + col;
            }
          }
        }
        values.push(kind === "max" ? best : total / count);
        indices.push(bestIndex);
      }
    }
  }
  return { values, indices };
}
