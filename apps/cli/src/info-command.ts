/**
 * `modular info`: the tensor backends this build registers and the WebGPU
 * adapter the `webgpu` backend would use, or why there is none.
 */
import { type Command, Option } from "commander";
import { ADAPTER_INSTALL_HINT, createWebGpuBackend, listBackends } from "@modular/tensor";
import packageJson from "../package.json" with { type: "json" };
import { addConfigOption, flagsWithConfig, option, throwFrom } from "./command-helpers.js";
import { errorMessage } from "./errors.js";
import type { OutputStream } from "./report/reporter.js";

export interface InfoFlags {
  readonly json?: boolean;
  readonly config?: string;
}

/** WebGPU state that `modular info` reports: the adapter, or the reason there is none. */
export type AdapterInfo =
  | { readonly available: true; readonly adapter: string; readonly software: boolean; readonly limits: Readonly<Record<string, number>> }
  | { readonly available: false; readonly reason: string };

export function defineInfoCommand(program: Command, onInfo: (command: Command) => Promise<void>): Command {
  const info = program.command("info").description("show the tensor backends and the WebGPU adapter, or why there is none");
  info.exitOverride(throwFrom(info));
  const output = "Output:";
  info.addOption(option("--json", "print one JSON object, and nothing else on stdout", output));
  addConfigOption(info, output);
  info.addHelpOption(new Option("-h, --help", "print this help").helpGroup(output));
  info.action(async (_flags, command: Command) => onInfo(command));
  return info;
}

/** Requests a WebGPU device, reads its adapter, and releases it. */
export async function probeWebGpu(): Promise<AdapterInfo> {
  try {
    const backend = await createWebGpuBackend();
    const { adapterDescription, isFallbackAdapter, limits } = backend.context;
    backend.dispose();
    return { available: true, adapter: adapterDescription, software: isFallbackAdapter, limits: { ...limits } };
  } catch (error) {
    return { available: false, reason: errorMessage(error) };
  }
}

/** Runs `modular info`. Returns whether the output is JSON. */
export async function runInfo(command: Command, stdout: OutputStream): Promise<boolean> {
  const { flags } = await flagsWithConfig<InfoFlags>(command);
  const backends = listBackends().sort();
  const webgpu = await probeWebGpu();
  if (flags.json === true) {
    stdout.write(`${JSON.stringify({ version: packageJson.version, node: process.version, backends, webgpu })}\n`);
    return true;
  }
  const lines = [`modular ${packageJson.version} on Node.js ${process.version}`, `Backends: ${backends.join(", ")}`];
  if (webgpu.available) {
    const kind = webgpu.software ? "software adapter, for testing only: auto picks cpu" : "hardware adapter: auto picks webgpu";
    lines.push(`WebGPU adapter: ${webgpu.adapter} (${kind})`);
    lines.push(`  maxStorageBufferBindingSize ${webgpu.limits.maxStorageBufferBindingSize} bytes, maxBufferSize ${webgpu.limits.maxBufferSize} bytes`);
  } else {
    lines.push(`WebGPU: not available (${webgpu.reason})`);
    if (!webgpu.reason.includes(ADAPTER_INSTALL_HINT)) lines.push(`  ${ADAPTER_INSTALL_HINT}`);
  }
  stdout.write(`${lines.join("\n")}\n`);
  return false;
}
