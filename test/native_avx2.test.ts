// The AVX2 + FMA kernels are what the native backend runs on CPUs without AVX-512. On a machine that has
// AVX-512 they would never run in the suite, so this runs the whole kernel suite again in a child process
// with CHAR_LSTM_NATIVE_ISA=avx2 (every kernel against float64 references, fused = composed bit for bit,
// 1 vs 2 threads bit-identical). Skipped, saying why, only where the native backend cannot be tested at all.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nativeSkipReason } from "./backends.js";

const SUITE = fileURLToPath(new URL("../src/kernels/kernels.test.js", import.meta.url));
const skip = nativeSkipReason();

test("the kernel suite passes on the native AVX2 kernels", { skip: skip ?? false, timeout: 300_000 }, () => {
  // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP
  const env: NodeJS.ProcessEnv = { ...process.env, CHAR_LSTM_NATIVE_ISA: "avx2" };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=tap", SUITE], { encoding: "utf8", timeout: 280_000, env, maxBuffer: 64 << 20 });
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.stdout, /# Subtest: kernels \[native-avx2-1thread\]/, "the native backend ran on AVX2");
  assert.match(r.stdout, /# Subtest: native: fused LSTM steps are bit-identical with 1 and 2 threads/);
  assert.equal(r.status, 0, r.stdout.split("\n").filter((l) => /^\s*not ok/.test(l)).join("\n") || r.stderr);
  assert.match(r.stdout, /# fail 0/);
});
