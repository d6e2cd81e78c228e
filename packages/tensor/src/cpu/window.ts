/**
 * Sliding-window kernels of the cpu backend: im2col and col2im for
 * convolution, and max and average pooling with their adjoints. Each
 * adjoint loops over the same (window, element) pairs as its forward
 * kernel, so the two are exact adjoints up to float32 rounding.
 */
import type { Window2d } from "../backend.js";
import type { TypedArray } from "../dtype.js";

export function im2colKernel(x: TypedArray, w: Window2d): Float32Array {
  const { channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = w;
  const { kernelHeight: KH, kernelWidth: KW } = w;
  const patch = C * KH * KW;
  const out = new Float32Array(w.batch * OH * OW * patch);
  let row = 0;
  for (let n = 0; n < w.batch; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let dst = row * patch;
        row++;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H * W;
          for (let i = 0; i < KH; i++) {
            const h = oh * w.strideH - w.padH + i * w.dilationH;
            const inRows = h >= 0 && h < H;
            for (let j = 0; j < KW; j++, dst++) {
              const col = ow * w.strideW - w.padW + j * w.dilationW;
              if (inRows && col >= 0 && col < W) out[dst] = x[plane + h * W + col]!;
            }
          }
        }
      }
    }
  }
  return out;
}

export function col2imKernel(cols: TypedArray, w: Window2d): Float32Array {
  const { channels: C, inHeight: H, inWidth: W, outHeight: OH, outWidth: OW } = w;
  const { kernelHeight: KH, kernelWidth: KW } = w;
  const patch = C * KH * KW;
  const out = new Float32Array(w.batch * C * H * W);
  let row = 0;
  for (let n = 0; n < w.batch; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let src = row * patch;
        row++;
        for (let c = 0; c < C; c++) {
          const plane = (n * C + c) * H * W;
          for (let i = 0; i < KH; i++) {
            const h = oh * w.strideH - w.padH + i * w.dilationH;
            const inRows = h >= 0 && h < H;
            for (let j = 0; j < KW; j++, src++) {
              const col = ow * w.strideW - w.padW + j * w.dilationW;
              if (inRows && col >= 0 && col < W) out[plane + h * W + col]! += cols[src]!;
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * Call `visit` for every pooling window with its plane (n * C + c), its flat
 * output index, and its in-bounds rows [h0, h1) and columns [w0, w1).
 */
function forEachWindow(
  w: Window2d,
  visit: (plane: number, outIndex: number, h0: number, h1: number, w0: number, w1: number) => void,
): void {
  const planes = w.batch * w.channels;
  let outIndex = 0;
  for (let plane = 0; plane < planes; plane++) {
    for (let oh = 0; oh < w.outHeight; oh++) {
      const top = oh * w.strideH - w.padH;
      const h0 = Math.max(top, 0);
      const h1 = Math.min(top + w.kernelHeight, w.inHeight);
      for (let ow = 0; ow < w.outWidth; ow++, outIndex++) {
        const left = ow * w.strideW - w.padW;
        visit(plane, outIndex, h0, h1, Math.max(left, 0), Math.min(left + w.kernelWidth, w.inWidth));
      }
    }
  }
}

export function maxPool2dIndicesKernel(x: TypedArray, w: Window2d): Int32Array {
  const out = new Int32Array(w.batch * w.channels * w.outHeight * w.outWidth);
  const planeSize = w.inHeight * w.inWidth;
  forEachWindow(w, (plane, outIndex, h0, h1, w0, w1) => {
    const base = plane * planeSize;
    let best = h0 * w.inWidth + w0;
    let bestValue = x[base + best]!;
    for (let h = h0; h < h1; h++) {
      for (let col = w0; col < w1; col++) {
        const index = h * w.inWidth + col;
        const value = x[base + index]!;
        if (value > bestValue) {
          bestValue = value;
          best = index;
        }
      }
    }
    out[outIndex] = best;
  });
  return out;
}

export function gatherPool2dKernel(x: TypedArray, indices: TypedArray, w: Window2d): Float32Array {
  const out = new Float32Array(indices.length);
  const planeSize = w.inHeight * w.inWidth;
  const outPlane = w.outHeight * w.outWidth;
  for (let i = 0; i < out.length; i++) out[i] = x[Math.floor(i / outPlane) * planeSize + indices[i]!]!;
  return out;
}

export function maxUnpool2dKernel(values: TypedArray, indices: TypedArray, w: Window2d): Float32Array {
  const planeSize = w.inHeight * w.inWidth;
  const out = new Float32Array(w.batch * w.channels * planeSize);
  forEachWindow(w, (plane, outIndex, h0, h1, w0, w1) => {
    const index = indices[outIndex]!;
    const h = Math.floor(index / w.inWidth);
    const col = index - h * w.inWidth;
    if (index < 0 || h < h0 || h >= h1 || col < w0 || col >= w1) return;
    out[plane * planeSize + index]! += values[outIndex]!;
  });
  return out;
}

export function avgPool2dKernel(x: TypedArray, w: Window2d, divide: boolean): Float32Array {
  const out = new Float32Array(w.batch * w.channels * w.outHeight * w.outWidth);
  const planeSize = w.inHeight * w.inWidth;
  forEachWindow(w, (plane, outIndex, h0, h1, w0, w1) => {
    const base = plane * planeSize;
    let total = 0;
    for (let h = h0; h < h1; h++) {
      for (let col = w0; col < w1; col++) total += x[base + h * w.inWidth + col]!;
    }
    out[outIndex] = divide ? total / ((h1 - h0) * (w1 - w0)) : total;
  });
  return out;
}

export function avgUnpool2dKernel(values: TypedArray, w: Window2d, divide: boolean): Float32Array {
  const planeSize = w.inHeight * w.inWidth;
  const out = new Float32Array(w.batch * w.channels * planeSize);
  forEachWindow(w, (plane, outIndex, h0, h1, w0, w1) => {
    const base = plane * planeSize;
    const share = divide ? values[outIndex]! / ((h1 - h0) * (w1 - w0)) : values[outIndex]!;
    for (let h = h0; h < h1; h++) {
      for (let col = w0; col < w1; col++) out[base + h * w.inWidth + col]! += share;
    }
  });
  return out;
}
