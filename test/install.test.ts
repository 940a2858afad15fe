// Installing never fails for want of a compiler, and the package then runs on wasm and says so once.
// The tarball's one runtime dependency is the ONNX exporter's protobuf encoder (the corpus travels in it, gzipped), and `prepare` (which npx and
// npm pack run) builds only a missing or stale dist/.
// The packed tarball (what npm publishes) is unpacked as a dependency of a temporary project, as
// `npm install --ignore-scripts` leaves it: no addon built. Training there runs on wasm with one notice.
// Then its install script runs with CC/CXX naming a compiler that does not exist: it exits 0 with one line,
// and training still runs on wasm. Bounded: every child has a kill timer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("a tarball installed without its install script, or without a compiler, trains on wasm and says so once", { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-install-"));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const pack = spawnSync(npm, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(pack.status, 0, pack.stderr);
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    assert.ok(tgz, "npm pack wrote a tarball");
    const app = join(dir, "app"), pkg = join(app, "node_modules", "char-lstm");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module" }));
    const untar = spawnSync("tar", ["xzf", join(dir, tgz), "-C", pkg, "--strip-components=1"], { encoding: "utf8", timeout: 30_000 });
    assert.equal(untar.status, 0, untar.stderr);
    // what a build needs travels in the tarball; no build output does
    for (const f of ["binding.gyp", "native/gemm.c", "native/addon.c", "tools/build-native.mjs", "dist/kernels.wasm"]) {
      assert.ok(existsSync(join(pkg, f)), `${f} is in the tarball`);
    }
    assert.ok(!existsSync(join(pkg, "build")), "no prebuilt addon in the tarball");
    // a handful of packages to install: protobufjs (which brings only `long`), loaded by `export` alone; the
    // corpus rides in the tarball, gzipped, and unpacks to the very text training has always read
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { dependencies?: object };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ["protobufjs"], "one runtime dependency: the ONNX exporter's encoder");
    assert.ok(existsSync(join(pkg, "data", "moby-dick.txt.gz")), "the corpus is in the tarball");
    const corpus = spawnSync(process.execPath, ["--input-type=module", "-e",
      `import { defaultCorpusText, defaultCorpusPath, MOBY_DICK_SHA256 } from "char-lstm/node";
       import { createHash } from "node:crypto"; import { readFileSync } from "node:fs";
       const t = defaultCorpusText();
       console.log(JSON.stringify({ chars: t.length, hash: createHash("sha256").update(t).digest("hex"), want: MOBY_DICK_SHA256,
                                    same: readFileSync(defaultCorpusPath(), "utf8") === t, start: t.slice(0, 20) }));`],
      { cwd: app, encoding: "utf8", timeout: 30_000 });
    assert.equal(corpus.status, 0, corpus.stderr);
    const c = JSON.parse(corpus.stdout) as { chars: number; hash: string; want: string; same: boolean; start: string };
    assert.equal(c.hash, "fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240", "the bundled text, byte for byte");
    assert.equal(c.hash, c.want);
    assert.equal(c.same, true, "defaultCorpusPath() holds the same text");
    assert.equal(c.start, "CHAPTER 1. Loomings.");

    // each call replaces the run of the one before (train refuses an --out holding a run without --overwrite)
    const train = (): { out: string; err: string } => {
      const env = { ...process.env };
      delete env.CHAR_LSTM_NATIVE_ADDON;
      const r = spawnSync(process.execPath, [join(pkg, "bin", "char-lstm.mjs"), "train", "--max-steps", "3", "--layers", "1",
        "--hidden", "16", "--batch", "2", "--seq", "8", "--threads", "1", "--out", join(app, "run"), "--overwrite"],
        { cwd: app, encoding: "utf8", timeout: 60_000, env });
      assert.equal(r.status, 0, r.stderr);
      return { out: r.stdout, err: r.stderr };
    };
    const notice = /^char-lstm: native backend unavailable: the native addon is not built .*; using wasm$/m;

    // 1. as `npm install --ignore-scripts` leaves it
    let r = train();
    assert.match(r.err, notice);
    assert.equal(r.err.match(/native backend unavailable/g)?.length, 1, "said once");
    assert.match(r.out, /backend wasm\b/);

    // 2. its install script with no usable compiler: one line, exit 0, still no addon
    const env: NodeJS.ProcessEnv = { ...process.env, CC: join(dir, "no-such-cc"), CXX: join(dir, "no-such-c++") };
    delete env.npm_config_node_gyp;
    const build = spawnSync(process.execPath, [join(pkg, "tools", "build-native.mjs")], { cwd: pkg, encoding: "utf8", timeout: 180_000, env });
    assert.equal(build.error, undefined, String(build.error));
    assert.equal(build.status, 0, build.stderr);
    assert.match(build.stderr, /char-lstm: native kernels not built \(.*\); char-lstm will use its WebAssembly backend/);
    assert.ok(!existsSync(join(pkg, "build", "Release", "char_lstm_native.node")));
    r = train();
    assert.match(r.err, notice);
    assert.match(r.out, /backend wasm\b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("prepare builds only when dist/ is missing or older than its sources", { timeout: 60_000 }, () => {
  // a copy of the script in a skeleton project without dev dependencies: a build attempt says it needs
  // `npm install` and exits 1, so exit 0 proves that nothing was built
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-prepare-"));
  try {
    cpSync(join(ROOT, "tools", "prepare.mjs"), join(dir, "tools", "prepare.mjs"), { recursive: true });
    const files = ["src/index.ts", "web/index.html", "assembly/index.ts", "tsconfig.json",
                   "dist/kernels.wasm", "dist/src/index.js", "dist/src/cli/main.js", "dist/web/index.html"];
    for (const f of files) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), "");
    }
    const stamp = (f: string, t: number) => utimesSync(join(dir, f), t, t);
    for (const f of files) stamp(f, f.startsWith("dist/") ? 2_000_000 : 1_000_000);
    const prepare = () => spawnSync(process.execPath, [join(dir, "tools", "prepare.mjs")], { cwd: dir, encoding: "utf8", timeout: 30_000,
                                                                                         env: { ...process.env, CHAR_LSTM_FORCE_BUILD: "" } });
    let r = prepare();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "", "fresh: silent, nothing built");
    stamp("web/index.html", 3_000_000);
    r = prepare();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /dist\/ needs a build \(web changed since the last build\)/);
    stamp("web/index.html", 1_000_000);
    rmSync(join(dir, "dist", "kernels.wasm"));
    r = prepare();
    assert.match(r.stderr, /dist\/kernels\.wasm is missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
