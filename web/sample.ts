// The Sample tab: the library's Sampler in the engine worker, its text streamed into the page as it comes.

import { $, fmt, randomSeed, setStatus, type App } from "./app.js";

export function setupSample(app: App): void {
  const form = $<HTMLFormElement>("sample-form");
  const go = $<HTMLButtonElement>("sample-go"), stop = $<HTMLButtonElement>("sample-stop"), toCells = $<HTMLButtonElement>("sample-to-cells");
  const output = $("sample-output"), primeEl = output.querySelector<HTMLElement>(".prime")!, generated = output.querySelector<HTMLElement>(".generated")!;
  const status = $("sample-status");
  const field = (id: string) => $<HTMLInputElement | HTMLTextAreaElement>(id);
  let running = 0;

  app.onModel((info) => {
    go.disabled = false;
    field("sample-length").setAttribute("max", "100000");
    setStatus(status, `Ready: ${info.vocab_size} characters in the vocabulary.`);
  });

  app.engine.on("text", (m) => {
    if (m.id !== running) return;
    generated.append(m.text);
    output.dataset.events = String(Number(output.dataset.events ?? 0) + 1);
  });
  app.engine.on("done", (m) => {
    if (m.id !== running) return;
    running = 0;
    go.disabled = false;
    stop.disabled = true;
    toCells.disabled = false;
    app.lastText = (primeEl.textContent ?? "") + (generated.textContent ?? "");
    output.dataset.length = String(m.length);
    output.dataset.state = "done";
    const rate = m.ms > 0 ? ` · ${fmt((m.length / m.ms) * 1000)} chars/s` : "";
    if (m.beam) {
      output.dataset.logProb = String(m.logProb);
      setStatus(status, `Beam search (${m.beam} beams): ${fmt(m.length)} characters, log-probability ${m.logProb?.toFixed(2)} in ${(m.ms / 1000).toFixed(2)} s${rate}.`);
    } else {
      setStatus(status, `Generated ${fmt(m.length)} characters with seed ${m.seed} in ${(m.ms / 1000).toFixed(2)} s${rate}.`);
    }
  });
  app.engine.on("error", (m) => {
    if (m.scope !== "sample" || m.id !== running) return;
    running = 0;
    go.disabled = false;
    stop.disabled = true;
    output.dataset.state = "error";
    setStatus(status, m.message, true);
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!app.model || running || !form.reportValidity()) return;
    const seedText = field("sample-seed").value.trim();
    const opts = {
      prime: field("sample-prime").value,
      length: Number(field("sample-length").value),
      temperature: Number(field("sample-temperature").value),
      topK: Number(field("sample-topk").value || 0),
      topP: Number(field("sample-topp").value || 1),
      seed: seedText === "" ? randomSeed() : Number(seedText),
      beam: Number(field("sample-beam").value || 0),
    };
    running = app.nextId();
    primeEl.textContent = opts.prime;
    generated.textContent = "";
    output.dataset.events = "0";
    output.dataset.state = "running";
    delete output.dataset.length;
    delete output.dataset.logProb;
    go.disabled = true;
    stop.disabled = false;
    setStatus(status, opts.beam > 0 ? `Searching with ${opts.beam} beams…` : "Generating…");
    app.engine.send({ type: "sample", id: running, opts });
  });
  stop.addEventListener("click", () => {
    if (running) app.engine.send({ type: "stop", id: running });
  });
  toCells.addEventListener("click", () => {
    ($("cells-text") as HTMLTextAreaElement).value = app.lastText;
    app.showTab("cells");
    $("cells-trace").click();
  });
}
