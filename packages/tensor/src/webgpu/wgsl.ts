/**
 * WGSL building blocks shared by every generated shader: the workgroup size,
 * the scalar type of each dtype, helper functions, binding declarations, and
 * the flat invocation index over a 2D dispatch grid. One grid axis takes at
 * most `maxComputeWorkgroupsPerDimension` workgroups, so large tensors use a
 * second axis.
 */
import type { DType } from "../dtype.js";

/**
 * Invocations per workgroup of the 1D kernels. 256 is the WebGPU default
 * `maxComputeInvocationsPerWorkgroup` and a common choice for memory-bound
 * kernels; it was not tuned.
 */
export const WORKGROUP_SIZE = 256;

export function wgslType(dtype: DType): "f32" | "i32" {
  return dtype === "float32" ? "f32" : "i32";
}

/**
 * Helpers available to every shader. NaN and infinity come from `var`
 * bit patterns because a constant expression that evaluates to NaN or
 * infinity is a shader-creation error in WGSL.
 */
export const PRELUDE = /* wgsl */ `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
`;

/** Declaration of the read-only `params` array of u32 at binding 0. */
export const PARAMS_BINDING = "@group(0) @binding(0) var<storage, read> params: array<u32>;";

/** Declaration of a storage binding of `dtype` elements. */
export function bindingDecl(binding: number, name: string, dtype: DType, writable: boolean): string {
  const access = writable ? "read_write" : "read";
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${wgslType(dtype)}>;`;
}

/** Header of a 1D kernel: declares `i`, the flat invocation index. */
export const MAIN_1D = /* wgsl */ `
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP_SIZE}u;`;
