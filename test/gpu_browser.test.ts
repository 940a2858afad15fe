// The page's Train tab on WebGPU in real headless Chromium (Debian's /usr/bin/chromium through playwright-core,
// `--enable-unsafe-webgpu`: its WebGPU runs on the SwiftShader it ships). The tab names the adapter; "Train
// on: WebGPU" trains in the worker on the GPU engine (the default "auto" would not take a software adapter);
// the checkpoint downloaded at the end loads in the CLI, and one downloaded mid-run has
// its state and tensors in agreement. Without chromium the test skips with
// the reason, except under CI, where it fails.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const FIXTURE = fileURLToPath(new URL("../../test/fixtures/tiny.safetensors", import.meta.url));
const WEB = fileURLToPath(new URL("../web/", import.meta.url));

const words = ["the", "sea", "whale", "ship", "captain", "white", "deep", "sail"];
let trainText = "";
for (let i = 0; trainText.length < 6_000; i++) trainText += words[(i * 5 + (i >> 2)) % words.length] + (i % 9 === 8 ? ".\n" : " ");

function skipOrFail(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) assert.fail(`${CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium)`);
  t.skip(`${CHROMIUM} is not installed (apt-get install -y chromium); skipping the WebGPU page test`);
  return true;
}

const until = async (cond: () => boolean, what: string, ms = 30_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test("browser: the Train tab trains on WebGPU (SwiftShader) and names the adapter", { timeout: 240_000 }, async (t) => {
  if (skipOrFail(t)) return;
  assert.ok(existsSync(join(WEB, "index.html")), "the page is not built: run npm run build");
  const { chromium } = await import("playwright-core");
  const ac = new AbortController();
  let out = "", err = "";
  const serving = main(["serve", FIXTURE, "--port", "0"], { out: (s) => (out += s), err: (s) => (err += s), tty: false, signal: ac.signal });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const pageErrors: string[] = [];
  try {
    await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out) || err.includes("error"), "the server's URL");
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
    assert.ok(base, err);
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${base}/`);
    await page.click("#tab-train");
    await page.waitForFunction('document.getElementById("train-gpu").textContent.startsWith("WebGPU")', undefined, { timeout: 30_000 });
    assert.match((await page.textContent("#train-gpu")) ?? "", /^WebGPU: .*swiftshader.*a software adapter/i);
    await page.fill("#train-text", trainText);
    await page.selectOption("#train-budget", "0");   // a step budget: the shape is ours, not a recipe's
    for (const [id, v] of [["layers", "2"], ["hidden", "16"], ["seq", "8"], ["batch", "4"], ["steps", "30"], ["eval", "15"], ["sample-every", "30"]]) {
      await page.fill(`#train-${id}`, v);
    }
    await page.selectOption("#train-device", "webgpu");
    await page.click("#train-start");
    await page.waitForSelector("#train-form[data-engine]", { timeout: 60_000 });
    assert.equal(await page.getAttribute("#train-form", "data-engine"), "webgpu", (await page.textContent("#train-status")) ?? "");
    await page.waitForSelector("#train-form[data-state=done]", { timeout: 180_000 });
    const status = (await page.textContent("#train-status")) ?? "";
    assert.match(status, /Done \(max-steps\) at step 30/);
    assert.equal(await page.getAttribute("#train-chart", "data-val-points"), "2");
    assert.equal(await page.$$eval("#train-samples li", (els) => els.length), 1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#train-download")]);
    const path = await download.path();
    const ck = decodeCheckpoint(readFileSync(path), jsKernels("f32"), "download");
    assert.equal(ck.state?.step, 30);
    assert.equal(ck.model.config.layers, 2);
    let sampled = "";
    const code = await main(["sample", path, "--length", "20", "--seed", "1", "--backend", "js"], { out: (s) => (sampled += s), err: () => {}, tty: false, signal: new AbortController().signal });
    assert.equal(code, 0);
    assert.ok([...sampled.trim()].length >= 10);

    // a download in the middle of a GPU run: the worker brings the tensors back between steps first, so the
    // checkpoint's state and tensors agree (every settled step counted, none in flight)
    await page.fill("#train-steps", "1000000");
    await page.click("#train-start");
    await page.waitForFunction('Number(document.getElementById("train-chart").dataset.points) > 1', undefined, { timeout: 60_000 });
    const [mid] = await Promise.all([page.waitForEvent("download"), page.click("#train-download")]);
    const midCk = decodeCheckpoint(readFileSync(await mid.path()), jsKernels("f32"), "download");
    assert.ok(midCk.state && midCk.state.step > 0 && midCk.state.optT === midCk.state.step, `state ${JSON.stringify(midCk.state?.step)} / ${midCk.state?.optT}`);
    await page.click("#train-stop");
    await page.waitForSelector("#train-form[data-state=done]", { timeout: 60_000 });
    assert.match((await page.textContent("#train-status")) ?? "", /Done \(stopped\)/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    ac.abort();
    await serving;
  }
});
