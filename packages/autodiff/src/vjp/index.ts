/** Registration of the built-in VJP rules, run once before the first gradient. */
import { registerElementwiseVjps } from "./elementwise.js";
import { registerLayoutVjps } from "./layout.js";
import { registerLinalgReduceVjps } from "./linalg-reduce.js";
import { registerWindowVjps } from "./window.js";
import { listRegisteredVjps } from "../registry.js";

let registered = false;

export function ensureBuiltinVjps(): void {
  if (registered) return;
  registered = true;
  registerElementwiseVjps();
  registerLinalgReduceVjps();
  registerLayoutVjps();
  registerWindowVjps();
}

/** Names of ops that have a VJP rule, built-in rules included. */
export function listVjps(): string[] {
  ensureBuiltinVjps();
  return listRegisteredVjps();
}
