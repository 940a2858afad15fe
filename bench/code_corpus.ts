// `npm run bench:corpus -- --out FILE [--chars N] [--ext py] DIR…`: a large text of another kind for
// `npm run bench:quality -- … --text FILE`, made from the source files under DIRs (e.g. a Python
// installation's standard library and packages: tens of MB of one language that nobody has to download).
//
// What goes in, so that the text is one kind of source and its validation split is like its training split:
//   - files whose name ends in .EXT, read as UTF-8, at least 200 characters long;
//   - hand-written text only: no line over 400 characters and at most 1 non-ASCII character in 1,000
//     (generated tables, minified bundles and data files would be memorised, not learned);
//   - each distinct content once (vendored copies of one file appear in several packages);
//   - in the order of their contents' SHA-1, a fixed shuffle: the 0.90/0.05/0.05 split then cuts through a
//     random mix of files and packages instead of putting one package in the held-out part;
//   - files joined by a blank line, until N characters (the file that crosses N is the last; default 25M).
// Beside FILE it leaves FILE.about, one line saying how FILE was made, which bench:quality's sections quote.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SourceFile { path: string; text: string }

export const MIN_CHARS = 200, MAX_LINE = 400, MAX_NON_ASCII = 1e-3;

/** Whether a file reads as hand-written source (see the rules above). */
export function isHandWritten(text: string): boolean {
  if (text.length < MIN_CHARS) return false;
  let line = 0, nonAscii = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line = 0;
    else if (++line > MAX_LINE) return false;
    if (c > 127) nonAscii++;
  }
  return nonAscii <= text.length * MAX_NON_ASCII;
}

/** The corpus of `files`: hand-written, distinct, in SHA-1 order, joined by blank lines, up to `maxChars`. */
export function codeCorpus(files: Iterable<SourceFile>, maxChars: number): { text: string; files: number } {
  const byHash = new Map<string, string>();
  for (const f of files) {
    if (!isHandWritten(f.text)) continue;
    byHash.set(createHash("sha1").update(f.text).digest("hex"), f.text);
  }
  const parts: string[] = [];
  let chars = 0;
  for (const h of [...byHash.keys()].sort()) {
    if (chars >= maxChars) break;
    const t = byHash.get(h)!.replace(/\s+$/, "") + "\n";
    parts.push(t);
    chars += t.length + 1;
  }
  return { text: parts.join("\n"), files: parts.length };
}

/** Every file under `dir` whose name ends in `.ext` (symbolic links are not followed). */
export function* sourceFiles(dir: string, ext: string): Generator<SourceFile> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(p, ext);
    else if (e.isFile() && e.name.endsWith(`.${ext}`)) yield { path: p, text: readFileSync(p, "utf8") };
  }
}

function main(argv: string[]): void {
  let out: string | undefined, chars = 25e6, ext = "py";
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out") out = argv[++i];
    else if (a === "--chars") chars = Number(argv[++i]);
    else if (a === "--ext") ext = argv[++i] ?? "";
    else dirs.push(a);
  }
  if (!out || dirs.length === 0 || !(chars > 0) || !/^[a-z0-9]+$/i.test(ext)) {
    console.error("bench:corpus: usage: npm run bench:corpus -- --out FILE [--chars N] [--ext py] DIR…");
    process.exit(2);
  }
  const { text, files } = codeCorpus(dirs.flatMap((d) => [...sourceFiles(d, ext)]), chars);
  writeFileSync(`${out}.partial`, text);
  renameSync(`${out}.partial`, out);
  // FILE.about: how FILE was made, which bench:quality's sections print beside the text's name
  const about = `made by \`npm run bench:corpus -- ${argv.join(" ")}\`: ${files.toLocaleString("en-US")} distinct hand-written .${ext} file${files === 1 ? "" : "s"}`;
  writeFileSync(`${out}.about`, `${about}\n`);
  console.log(`${out}: ${text.length.toLocaleString("en-US")} characters, ${about}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
