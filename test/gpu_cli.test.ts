// The CLI on the WebGPU engine (SwiftShader): `train --backend webgpu` names the adapter in its banner and
// first --json event, trains, evaluates, saves a checkpoint that resumes on the CPU, and exits (Dawn's
// device destroyed); `--backend auto` never takes a software adapter.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gpuSuite } from "./gpu_env.js";
import { runBin } from "./harness.js";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

gpuSuite(import.meta.url, () => {
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-gpu-cli-"));
  const text = join(dir, "t.txt");
  writeFileSync(text, "the sea, the whale; the ship and the deep white sea. ".repeat(60));

  test("train --backend webgpu: adapter in the first event, a checkpoint that resumes on js, a clean exit", { timeout: 120_000 }, async () => {
    const out = join(dir, "g");
    const r = await runBin(["train", text, "--backend", "webgpu", "--layers", "2", "--hidden", "16", "--batch", "4", "--seq", "8", "--dropout", "0.1",
                            "--max-steps", "6", "--eval-every", "3", "--json", "--out", out]);
    assert.equal(r.code, 0, r.err);
    const events = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.match(String(events[0].backend), /^webgpu \(.*swiftshader.*, software\), evaluation on /i);
    assert.deepEqual(events.filter((e) => e.event === "step").map((e) => e.step), [1, 2, 3, 4, 5, 6]);
    assert.equal(events.filter((e) => e.event === "eval").length, 2);
    assert.ok(existsSync(join(out, "last.safetensors")));
    const back = await runBin(["train", text, "--resume", join(out, "last.safetensors"), "--backend", "js", "--max-steps", "8", "--json"]);
    assert.equal(back.code, 0, back.err);
    assert.match(back.out, /"event":"done","step":8/);
  });

  test("train --backend auto does not take a software adapter, even for a big model", { timeout: 120_000 }, async () => {
    const r = await runBin(["train", text, "--layers", "2", "--hidden", "256", "--batch", "32", "--seq", "64", "--max-steps", "1", "--json", "--out", join(dir, "a")]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out.split("\n")[0], /webgpu/);
  });

  test("bench:gpu --smoke trains a tiny config on the adapter and reports it (writes nothing)", { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("../bench/gpu.js", import.meta.url)), "--smoke"], { encoding: "utf8", timeout: 110_000 });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as { software: boolean; results: { smoke: { webgpu: { charsPerSec: number; loss: number } } } };
    assert.equal(o.software, true);
    assert.ok(o.results.smoke.webgpu.charsPerSec > 0 && Number.isFinite(o.results.smoke.webgpu.loss));
  });
});
