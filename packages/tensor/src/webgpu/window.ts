/**
 * Sliding-window kernels of the webgpu backend: im2col and col2im for
 * convolution, and max and average pooling with their adjoints. Every
 * kernel is 1D, invocation `i` writing output element `i`. WGSL has no
 * float atomics, so each adjoint (col2im, the unpooling kernels) gathers
 * instead of scattering: an input position loops over the windows that
 * contain it, which costs O(KH * KW) reads per element.
 *
 * `params` of every kernel: [size, then the `Window2d` fields in the order
 * of `windowParams`, then the divide flag of the average-pooling kernels].
 */
import type { Window2d } from "../backend.js";
import type { DType } from "../dtype.js";
import { bindingDecl, MAIN_1D, PARAMS_BINDING } from "./wgsl.js";

/** Pack `size`, the window geometry and `divide` into the params array. */
export function windowParams(size: number, w: Window2d, divide = false): Uint32Array {
  return new Uint32Array([
    size,
    w.batch,
    w.channels,
    w.inHeight,
    w.inWidth,
    w.outHeight,
    w.outWidth,
    w.kernelHeight,
    w.kernelWidth,
    w.strideH,
    w.strideW,
    w.padH,
    w.padW,
    w.dilationH,
    w.dilationW,
    divide ? 1 : 0,
  ]);
}

/** Named i32 copies of the params, so the kernel bodies read like the cpu kernels. */
const GEOMETRY = /* wgsl */ `
  let C = i32(params[2]);
  let H = i32(params[3]);
  let W = i32(params[4]);
  let OH = i32(params[5]);
  let OW = i32(params[6]);
  let KH = i32(params[7]);
  let KW = i32(params[8]);
  let SH = i32(params[9]);
  let SW = i32(params[10]);
  let PH = i32(params[11]);
  let PW = i32(params[12]);
  let DH = i32(params[13]);
  let DW = i32(params[14]);
  let divide = params[15] != 0u;`;

function kernel(decls: readonly string[], body: string): string {
  return [PARAMS_BINDING, ...decls, `${MAIN_1D}\n  if (i >= params[0]) { return; }\n${GEOMETRY}\n${body}\n}`].join(
    "\n",
  );
}

/** Helper: the first and last output index along one axis whose window covers input index `p`. */
const COVERING = /* wgsl */ `
fn first_window(p: i32, pad: i32, kernel: i32, stride: i32) -> i32 {
  let low = p + pad - kernel + 1;
  if (low <= 0) { return 0; }
  return (low + stride - 1) / stride;
}
fn last_window(p: i32, pad: i32, stride: i32, count: i32) -> i32 {
  return min((p + pad) / stride, count - 1);
}`;

export function im2colSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", dtype, true)],
    `  let patchSize = C * KH * KW;
  let e = i32(i);
  let row = e / patchSize;
  let r = e % patchSize;
  let c = r / (KH * KW);
  let ki = (r / KW) % KH;
  let kj = r % KW;
  let n = row / (OH * OW);
  let oh = (row / OW) % OH;
  let ow = row % OW;
  let h = oh * SH - PH + ki * DH;
  let col = ow * SW - PW + kj * DW;
  var value = 0.0;
  if (h >= 0 && h < H && col >= 0 && col < W) { value = x[((n * C + c) * H + h) * W + col]; }
  out[i] = value;`,
  );
}

export function col2imSource(dtype: DType): string {
  return [
    COVERING,
    kernel(
      [bindingDecl(1, "cols", dtype, false), bindingDecl(2, "out", dtype, true)],
      `  let e = i32(i);
  let col = e % W;
  let h = (e / W) % H;
  let c = (e / (H * W)) % C;
  let n = e / (C * H * W);
  let patchSize = C * KH * KW;
  var total = 0.0;
  for (var ki = 0; ki < KH; ki++) {
    let t = h + PH - ki * DH;
    if (t < 0 || t % SH != 0 || t / SH >= OH) { continue; }
    let oh = t / SH;
    for (var kj = 0; kj < KW; kj++) {
      let u = col + PW - kj * DW;
      if (u < 0 || u % SW != 0 || u / SW >= OW) { continue; }
      let ow = u / SW;
      total += cols[((n * OH + oh) * OW + ow) * patchSize + (c * KH + ki) * KW + kj];
    }
  }
  out[i] = total;`,
    ),
  ].join("\n");
}

/** Shared start of the pooling kernels: the window of output element `i` and its in-bounds ranges. */
const POOL_WINDOW = /* wgsl */ `
  let e = i32(i);
  let plane = e / (OH * OW);
  let oh = (e / OW) % OH;
  let ow = e % OW;
  let top = oh * SH - PH;
  let left = ow * SW - PW;
  let h0 = max(top, 0);
  let h1 = min(top + KH, H);
  let w0 = max(left, 0);
  let w1 = min(left + KW, W);
  let base = plane * H * W;`;

export function maxPool2dIndicesSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", "int32", true)],
    `${POOL_WINDOW}
  var best = h0 * W + w0;
  var bestValue = x[base + best];
  for (var h = h0; h < h1; h++) {
    for (var col = w0; col < w1; col++) {
      let index = h * W + col;
      let value = x[base + index];
      if (value > bestValue) {
        bestValue = value;
        best = index;
      }
    }
  }
  out[i] = best;`,
  );
}

export function gatherPool2dSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "indices", "int32", false), bindingDecl(3, "out", dtype, true)],
    `  let plane = i32(i) / (OH * OW);
  out[i] = x[plane * H * W + indices[i]];`,
  );
}

export function maxUnpool2dSource(dtype: DType): string {
  return [
    COVERING,
    kernel(
      [
        bindingDecl(1, "values", dtype, false),
        bindingDecl(2, "indices", "int32", false),
        bindingDecl(3, "out", dtype, true),
      ],
      `  let e = i32(i);
  let plane = e / (H * W);
  let index = e % (H * W);
  let h = index / W;
  let col = index % W;
  var total = 0.0;
  for (var oh = first_window(h, PH, KH, SH); oh <= last_window(h, PH, SH, OH); oh++) {
    for (var ow = first_window(col, PW, KW, SW); ow <= last_window(col, PW, SW, OW); ow++) {
      let at = (plane * OH + oh) * OW + ow;
      if (indices[at] == index) { total += values[at]; }
    }
  }
  out[i] = total;`,
    ),
  ].join("\n");
}

export function avgPool2dSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", dtype, true)],
    `${POOL_WINDOW}
  var total = 0.0;
  for (var h = h0; h < h1; h++) {
    for (var col = w0; col < w1; col++) { total += x[base + h * W + col]; }
  }
  if (divide) { total = total / f32((h1 - h0) * (w1 - w0)); }
  out[i] = total;`,
  );
}

export function avgUnpool2dSource(dtype: DType): string {
  return [
    COVERING,
    kernel(
      [bindingDecl(1, "values", dtype, false), bindingDecl(2, "out", dtype, true)],
      `  let e = i32(i);
  let plane = e / (H * W);
  let h = (e / W) % H;
  let col = e % W;
  var total = 0.0;
  for (var oh = first_window(h, PH, KH, SH); oh <= last_window(h, PH, SH, OH); oh++) {
    let top = oh * SH - PH;
    let rows = min(top + KH, H) - max(top, 0);
    for (var ow = first_window(col, PW, KW, SW); ow <= last_window(col, PW, SW, OW); ow++) {
      let left = ow * SW - PW;
      var value = values[(plane * OH + oh) * OW + ow];
      if (divide) { value = value / f32(rows * (min(left + KW, W) - max(left, 0))); }
      total += value;
    }
  }
  out[i] = total;`,
    ),
  ].join("\n");
}
