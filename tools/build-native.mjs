#!/usr/bin/env node
// Builds the native kernel addon (binding.gyp → build/Release/char_lstm_native.node) with node-gyp. Run by
// `npm install` / `npm ci` (the package's install script) and by `npm test`.
//
// It never fails an install: without a compiler, without Node's headers or on another CPU it prints one line
// and exits 0, and char-lstm then runs on the wasm backend (and says so). `--strict` (the test script) exits
// non-zero instead, so a test run cannot silently lose the native backend where it should exist.
// node-gyp comes with npm: npm names it in npm_config_node_gyp for scripts; otherwise the copy bundled in
// npm's own node_modules. Node's headers are taken from the installation (…/include/node) when present, so
// nothing is downloaded; otherwise node-gyp fetches them as usual.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const strict = process.argv.includes("--strict");
const say = (msg) => console.error(`char-lstm: ${msg}`);
const giveUp = (why) => {
  say(`native kernels not built (${why}); char-lstm will use its WebAssembly backend`);
  process.exit(strict ? 1 : 0);
};

if (process.arch !== "x64") {
  say(`native kernels are x86-64 only (this is ${process.arch}); char-lstm will use its WebAssembly backend`);
  process.exit(0);
}
if (process.env.CHAR_LSTM_SKIP_NATIVE) {
  say("CHAR_LSTM_SKIP_NATIVE is set: native kernels not built");
  process.exit(0);
}

function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  // npm's bundled copy: <prefix>/lib/node_modules/npm/node_modules/node-gyp, next to the node binary's prefix
  const prefix = resolve(dirname(process.execPath), "..");
  candidates.push(join(prefix, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"));
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), "../node_modules/node-gyp/bin/node-gyp.js"));
  return candidates.find((p) => p && existsSync(p));
}

const gyp = findNodeGyp();
if (!gyp) giveUp("node-gyp was not found next to npm");
const headers = resolve(dirname(process.execPath), "..");
const args = [gyp, existsSync(join(root, "build/Makefile")) ? "build" : "rebuild"];
if (existsSync(join(headers, "include/node/node_api.h"))) args.push(`--nodedir=${headers}`);
const res = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 300_000 });
if (res.error || res.status !== 0) {
  const log = `${res.stdout ?? ""}\n${res.stderr ?? ""}`;
  const line = log.split("\n").find((l) => /error|not found|No such file/i.test(l) && !/gyp info/.test(l))?.trim();
  if (strict) process.stderr.write(log);
  giveUp(res.error ? res.error.message : line ? line.slice(0, 200) : `node-gyp exited with ${res.status}`);
}
