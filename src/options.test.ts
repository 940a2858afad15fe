// The option table is the one source: defaults, the train flags, the resumable set, and python/'s copy.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defaultModel, defaultTrain, validateTrain } from "./config.js";
import { MODEL_OPTIONS, optionsJson, RESUMABLE, TRAIN_OPTIONS, withinRow } from "./options.js";
import { trainCmd } from "./cli/commands.js";
import { kebab } from "./spelling.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("every config field is one row; defaults are valid and within their rows", () => {
  assert.deepEqual(Object.keys(defaultTrain).sort(), Object.keys(TRAIN_OPTIONS).sort());
  for (const [f, r] of Object.entries({ ...MODEL_OPTIONS, ...TRAIN_OPTIONS })) {
    assert.ok(withinRow(r, r.default), `${f}'s default ${r.default} is outside its own bounds`);
    assert.equal((r.default as unknown), ({ ...defaultModel, ...defaultTrain } as Record<string, unknown>)[f]);
  }
  validateTrain({ ...defaultTrain, maxTime: 180 });
  assert.deepEqual([...RESUMABLE].sort(), ["checkpointEvery", "epochs", "evalEvery", "lr", "lrMin", "maxBadSteps", "maxSteps", "maxTime", "patience", "sampleEvery", "sampleLength"]);
});

test("train's flags are the table's rows: one flag per field, kebab-cased, with its choices and resumability", () => {
  for (const [field, r] of Object.entries({ ...MODEL_OPTIONS, ...TRAIN_OPTIONS })) {
    const f = trainCmd.flags.find((x) => x.field === field);
    assert.ok(f, `no flag for ${field}`);
    assert.equal(f.name, kebab(field));
    assert.deepEqual(f.choices, r.choices);
    assert.equal(Boolean(f.resumable), r.resumable);
    assert.equal(f.help, r.help);
  }
});

test("python/'s options.json is the table (npm run docs), and python/ reads its defaults, resumable set and flags from it", () => {
  const committed = readFileSync(`${ROOT}python/char_lstm_torch/options.json`, "utf8");
  assert.equal(committed, optionsJson(), "python/char_lstm_torch/options.json is stale: run npm run docs");
  const py = ["/usr/bin/python3", "python3"].find((p) => p.includes("/") ? existsSync(p) : true)!;
  // config.py needs no torch: load it by path and print what it derived
  const script = `import importlib.util, json
spec = importlib.util.spec_from_file_location("cfg", "python/char_lstm_torch/config.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
bad = None
try:
    m.validate_train({**m.DEFAULT_TRAIN, "batch": 0})
except ValueError as e:
    bad = str(e)
print(json.dumps({"model": m.DEFAULT_MODEL, "train": m.DEFAULT_TRAIN, "resumable": sorted(m.RESUMABLE),
                  "flags": [[f[0], f[1], f[3]] for f in m.train_flags()], "bad": bad}))`;
  const r = spawnSync(py, ["-c", script], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
  if (r.error) return;   // no python here: the JSON comparison above still holds
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  const { vocabSize: _v, ...shape } = defaultModel;
  assert.deepEqual(got.model, shape);
  assert.deepEqual(got.train, defaultTrain);
  assert.deepEqual(got.resumable, [...RESUMABLE].sort());
  const offered = Object.entries(TRAIN_OPTIONS).filter(([, r]) => r.python !== false);
  assert.deepEqual(got.flags, offered.map(([f, r]) => [f, `--${kebab(f)}`, r.choices ?? null]));
  assert.equal(got.bad, "--batch must be an integer in 1..4096, got 0");
});
