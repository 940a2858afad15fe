// The default configuration learns: a few hundred steps on the bundled corpus bring validation bits/char
// well below the unigram entropy of the text (what a model that ignores all context would score).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Corpus } from "../src/data/corpus.js";
import { Trainer } from "../src/train.js";
import { defaultModel, defaultTrain } from "../src/config.js";
import { createKernels } from "../src/kernels/select.js";
import { defaultCorpusPath } from "../src/io/node.js";

function unigramBits(corpus: Corpus): number {
  const { start, end } = corpus.val;
  const tokens = new Int32Array(end - start);
  corpus.source.read(start, end - start, tokens);
  const counts = new Float64Array(corpus.vocab.size);
  for (const t of tokens) counts[t]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / (end - start)) * Math.log2(c / (end - start));
  return h;
}

test("the default model and optimizer learn Moby Dick: 400 steps take val bpc ≥ 0.75 bits below unigram entropy", async () => {
  const text = readFileSync(defaultCorpusPath(), "utf8");
  const corpus = Corpus.fromText(text, { valFrac: defaultTrain.valFrac, testFrac: defaultTrain.testFrac });
  const unigram = unigramBits(corpus);
  const { kernels } = await createKernels({ backend: "auto" });
  try {
    const { vocabSize: _, ...model } = defaultModel;
    const trainer = Trainer.create(corpus, model, { ...defaultTrain, maxSteps: 400 }, kernels);
    const before = trainer.evaluate().bpc;
    for (let i = 0; i < 400; i++) trainer.step();
    const after = trainer.evaluate().bpc;
    console.log(`  backend ${kernels.name}: unigram ${unigram.toFixed(3)} bits/char; val ${before.toFixed(3)} → ${after.toFixed(3)} bits/char after 400 steps`);
    assert.ok(before > unigram - 0.1, "an untrained model is no better than unigram");
    assert.ok(after < unigram - 0.75, `val ${after} bits/char is not well below unigram ${unigram}`);
  } finally {
    kernels.dispose?.();
  }
});
