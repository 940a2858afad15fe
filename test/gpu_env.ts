// Where the WebGPU tests get a device: SwiftShader, the CPU Vulkan driver of Debian's chromium package,
// through the npm package `webgpu` (Dawn). Dawn finds SwiftShader only when VK_ICD_FILENAMES and
// LD_LIBRARY_PATH are set when the process starts (the loader reads LD_LIBRARY_PATH once), so a GPU test
// file run without them runs itself again in a child process that has them, and reports as one test.
// Without chromium's SwiftShader (or the webgpu package) the suite skips saying why, except under CI,
// where it fails: CI installs both.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { openDevice, type GpuDevice } from "../src/gpu/device.js";
import { nodeGpu } from "../src/gpu/node_gpu.js";

const CHROMIUM_LIB = "/usr/lib/chromium";
const ICD = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
const CHILD = "CHAR_LSTM_GPU_CHILD";

function missing(): string | null {
  if (!existsSync(ICD)) return `no SwiftShader (${ICD}: apt install chromium)`;
  try {
    createRequire(import.meta.url).resolve("webgpu");
  } catch {
    return "the npm package webgpu is not installed";
  }
  return null;
}

/** Register a file's GPU tests: here when the environment has a device set up, else through a child. */
export function gpuSuite(fileUrl: string, register: () => void): void {
  if (process.env[CHILD] || process.env.VK_ICD_FILENAMES) {
    register();
    return;
  }
  const why = missing();
  if (why) {
    if (process.env.CI) test("webgpu suite", () => assert.fail(`${why}; CI must run the GPU tests`));
    else test("webgpu suite", { skip: why }, () => {});
    return;
  }
  const file = fileURLToPath(fileUrl);
  test(`${file.split("/").pop()} on SwiftShader (a child process with VK_ICD_FILENAMES)`, { timeout: 300_000 }, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, [CHILD]: "1", VK_ICD_FILENAMES: ICD,
                                     LD_LIBRARY_PATH: [CHROMIUM_LIB, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") };
    // the parent runner's marker would make the child report to it in its own protocol (and run nothing here)
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", file], { env, encoding: "utf8", timeout: 290_000, killSignal: "SIGKILL" });
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    const summary = out.split("\n").filter((l) => /^[ℹ✔✖]|^\s*(✔|✖)/.test(l)).join("\n");
    console.log(summary);
    assert.equal(r.status, 0, `GPU tests failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${out.slice(-6000)}`);
    const passed = Number(/ℹ pass (\d+)/.exec(out)?.[1] ?? 0);
    assert.ok(passed > 0 && /ℹ fail 0/.test(out), `the child ran no GPU tests:\n${out.slice(-3000)}`);
  });
}

/** A device for a test file (destroyed by the caller: Dawn keeps the process alive until then). */
export async function testDevice(): Promise<GpuDevice> {
  return openDevice(await nodeGpu());
}
