/// <reference types="node" />
/**
 * Launch settings of Chromium for the browser tests: Debian's `chromium`
 * package (or the binary named by `MODULAR_CHROMIUM`), headless, with WebGPU
 * on Chromium's SwiftShader adapter so that the `webgpu` backend runs without
 * a GPU. The tests never download a browser. Playwright drives this binary.
 */
import { existsSync } from "node:fs";

/** Debian's Chromium, which `./scripts/setup.sh` installs. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Command-line switches of every browser test. WebGPU is still behind
 * `--enable-unsafe-webgpu` on Linux (Chromium 156), and SwiftShader is the
 * adapter that works without a GPU. The rest keep Chromium off the network,
 * which the test machines do not reach, and `--no-sandbox` lets it run as root.
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  "--headless=new",
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-webgpu-adapter=swiftshader",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
]);

/** Launch options for Playwright's `chromium.launch`. */
export interface ChromiumLaunchOptions {
  readonly executablePath: string;
  readonly args: string[];
  readonly headless: true;
}

/**
 * Returns the launch options of the browser tests. Throws, with the install
 * command, when the Chromium binary is missing.
 */
export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  const executablePath = process.env.MODULAR_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium was not found at ${executablePath}. The browser tests use Debian's Chromium: ` +
        "run ./scripts/setup.sh or `apt-get install chromium`, or set MODULAR_CHROMIUM to another Chromium binary.",
    );
  }
  return { executablePath, args: [...CHROMIUM_ARGS], headless: true };
}
