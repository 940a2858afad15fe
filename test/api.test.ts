// The README's library example, through the package's own exports ("char-lstm", "char-lstm/node").

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Corpus, Trainer, runTraining, sampleText, encodeCheckpoint, loadCheckpoint, defaultTrain } from "char-lstm";
import { createKernels, defaultCorpusPath } from "char-lstm/node";

test("the README library example runs as written", async () => {
  const text = readFileSync(defaultCorpusPath(), "utf8").slice(0, 100_000);
  const { kernels } = await createKernels({ backend: "auto" });
  try {
    const corpus = Corpus.fromText(text, { valFrac: 0.05, testFrac: 0.05 });
    const trainer = Trainer.create(corpus, { layers: 2, hidden: 32, dropout: 0 }, { ...defaultTrain, batch: 8, seq: 32, maxSteps: 20, evalEvery: 10, sampleEvery: 0 }, kernels);
    const evals: number[] = [];
    const done = await runTraining(trainer, { onEval: (e) => { evals.push(e.bpc); } });
    assert.equal(done.step, 20);
    assert.equal(evals.length, 2);
    const s = sampleText(trainer.model, corpus.vocab, { length: 200, seed: 1, temperature: 0.8 });
    assert.equal([...s].length, 200);
    const bytes = encodeCheckpoint(trainer.model, corpus.vocab, trainer);
    const { model, vocab } = loadCheckpoint(bytes, kernels);
    assert.deepEqual(vocab.chars, corpus.vocab.chars);
    assert.equal(sampleText(model, vocab, { length: 200, seed: 1, temperature: 0.8 }), s);
  } finally {
    kernels.dispose?.();
  }
});
