#!/usr/bin/env node
// The package's `prepare` script: build dist/ only when it is missing or older than its sources.
//
// npm runs `prepare` after `npm install` in a clone, and again whenever the clone is installed as a
// dependency: the first `npx char-lstm …` in a clone installs the project directory itself into npx's cache,
// and `npm pack` / `npm publish` run it too. A full build (asc + tsc + vite) takes ~40 s on two cores; run
// every time, it made the README's first command wait behind a spinner. So this builds once, after a clone or
// a change of sources, and is a few milliseconds otherwise. `npm test` and `npm run build` still build in
// full, unconditionally.
//
// Fresh means: every output below exists and is newer than every file under the source trees and configs
// that feed it (by modification time, as make decides). CHAR_LSTM_FORCE_BUILD=1 builds regardless.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUTS = ["dist/kernels.wasm", "dist/src/index.js", "dist/src/cli/main.js", "dist/web/index.html"];
const SOURCES = ["assembly", "src", "web", "tsconfig.json"];

/** The newest modification time (ms) of a file or of any file below a directory. */
function newest(path) {
  let st;
  try { st = statSync(path); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    t = Math.max(t, newest(join(path, e.name)));
  }
  return t;
}

/** Why a build is needed, or "" when dist/ is fresh. */
export function staleReason() {
  if (process.env.CHAR_LSTM_FORCE_BUILD) return "CHAR_LSTM_FORCE_BUILD is set";
  const missing = OUTPUTS.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((f) => statSync(join(root, f)).mtimeMs));
  const changed = SOURCES.find((s) => newest(join(root, s)) > built);
  return changed ? `${changed} changed since the last build` : "";
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const why = staleReason();
  if (!why) process.exit(0);
  // the build needs the dev dependencies (asc, tsc, vite): a clone after `npm install` has them
  if (!existsSync(join(root, "node_modules", ".bin", "tsc"))) {
    console.error(`char-lstm: dist/ needs a build (${why}) but the dev dependencies are not installed; run npm install`);
    process.exit(1);
  }
  console.error(`char-lstm: building (${why})`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["run", "build"], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  process.exit(r.status ?? 1);
}
