// Flag parsing for the CLI: one declarative table per command drives parsing, validation, --help and
// docs/flags.md. Every refusal is a UsageError with a one-line message that names the flag and the fix.

export type FlagType = "string" | "number" | "int" | "boolean" | "duration";

export interface FlagSpec {
  name: string;
  type: FlagType;
  help: string;
  /** Shown in --help and docs; the value itself comes from config defaults. */
  default?: string;
  /** Value placeholder for --help. */
  arg?: string;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Smallest and largest value a number or int flag accepts (checked while parsing). */
  min?: number;
  max?: number;
  /** The config field this flag sets (the train flags of the option table, options.ts). */
  field?: string;
  /** Heading this flag is listed under in --help and docs (flags without one: "Options"). */
  group?: string;
  /** A config flag a resume may change (the option table's `resumable`). */
  resumable?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Positional arguments: [min, max]. */
  positionals: [number, number];
}

export class UsageError extends Error {
  override name = "UsageError";
}

export type FlagValue = string | number | boolean;

export interface Parsed {
  flags: Map<string, FlagValue>;
  positionals: string[];
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/**
 * The known name the user most likely meant: the only one that starts with `name` (--temp → temperature),
 * else the closest by edit distance, if it is close enough to be a typo.
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  if (name.length >= 2) {
    const starts = known.filter((k) => k.startsWith(name));
    if (starts.length === 1) return starts[0];
  }
  let best: string | undefined, bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(name, k);
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** "90", "90s", "10m", "1.5h", "1h30m" → seconds (a flag refuses a bare number but 0: convert below). */
export function parseDuration(s: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(h|m|s)/g;
  let total = 0, used = 0;
  for (const m of t.matchAll(re)) {
    total += Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
    used += m[0].length;
  }
  if (used === 0 || used !== t.length) return NaN;
  return total;
}

// Numbers are written in decimal: "0x5", "1e3", " 5" or "" are refused rather than read by Number()'s rules.
const DECIMAL_INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What to add when JavaScript would have read `raw` as a number (hex, exponent, padding) but we do not. */
const notDecimal = (raw: string): string => (raw.trim() !== "" && Number.isFinite(Number(raw)) ? " (write it in decimal digits)" : "");

function inBounds(spec: FlagSpec, v: number): number {
  if (spec.min !== undefined && v < spec.min) throw new UsageError(`--${spec.name} must be at least ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`--${spec.name} must be at most ${spec.max}, got ${v}`);
  return v;
}

function convert(spec: FlagSpec, raw: string): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.type) {
    case "string":
      if (spec.choices && !spec.choices.includes(raw)) {
        const near = nearest(raw, spec.choices);
        throw new UsageError(`${flag} must be one of ${spec.choices.join(", ")}, got "${raw}"${near ? ` (did you mean ${near}?)` : ""}`);
      }
      return raw;
    case "number": {
      const v = DECIMAL.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v)) throw new UsageError(`${flag} expects a number, got "${raw}"${notDecimal(raw)}`);
      return inBounds(spec, v);
    }
    case "int": {
      const v = DECIMAL_INT.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(v)) throw new UsageError(`${flag} expects a whole number, got "${raw}"${notDecimal(raw)}`);
      return inBounds(spec, v);
    }
    case "duration": {
      const v = parseDuration(raw);
      if (!Number.isFinite(v)) throw new UsageError(`${flag} expects a duration like 90s, 10m or 1h30m, got "${raw}"`);
      // "--max-time 2" is two seconds or two minutes or two hours depending on who reads it: ask for the unit
      if (v !== 0 && /^\s*[\d.]+\s*$/.test(raw)) throw new UsageError(`${flag} ${raw.trim()} needs a unit: ${raw.trim()}s, ${raw.trim()}m or ${raw.trim()}h (s seconds, m minutes, h hours; e.g. 1h30m)`);
      return inBounds(spec, v);
    }
    case "boolean":
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new UsageError(`${flag} is a switch; write ${flag} or ${flag}=false, not "${raw}"`);
  }
}

export function parseArgs(argv: string[], cmd: CommandSpec): Parsed {
  const byName = new Map(cmd.flags.map((f) => [f.name, f]));
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith("-") || a === "-") { positionals.push(a); continue; }
    const body = a.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = byName.get(name) ?? (name === "h" ? byName.get("help") : undefined);
    if (!spec) {
      const near = nearest(name, [...byName.keys()]);
      throw new UsageError(`unknown flag --${name} for "char-lstm ${cmd.name}"${near ? ` (did you mean --${near}?)` : ""}; see char-lstm ${cmd.name} --help`);
    }
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (spec.type === "boolean") raw = "true";
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${spec.name} needs a value (${spec.arg ?? spec.type})`);
      raw = argv[++i];
    }
    // a repeated flag is a mistake (two --out, two --lr): refuse it rather than silently keep the last one
    if (flags.has(spec.name)) throw new UsageError(`--${spec.name} is given twice; give it once`);
    flags.set(spec.name, convert(spec, raw));
  }
  if (flags.get("help")) return { flags, positionals };
  const [lo, hi] = cmd.positionals;
  if (positionals.length < lo) throw new UsageError(`missing argument: usage: ${cmd.usage}`);
  if (positionals.length > hi) throw new UsageError(`unexpected argument "${positionals[hi]}": usage: ${cmd.usage}`);
  return { flags, positionals };
}

/** Words of `text` in lines of at most `width` columns (a longer word stands alone), each after `indent`. */
export function wrapText(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) { lines.push(indent + line); line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  if (line || !lines.length) lines.push(indent + line);
  return lines;
}

/** How --help and docs write a flag's value: its placeholder, {a|b|c} for fixed choices, or the type. */
export function flagArg(f: FlagSpec): string {
  if (f.type === "boolean") return "";
  if (f.arg) return ` ${f.arg}`;
  if (f.choices) return ` {${f.choices.join("|")}}`;
  return ` ${f.type === "number" ? "X" : f.type.toUpperCase()}`;
}

/** A flag's help with its default, or the value that will be used when `used` says otherwise. */
export function flagHelp(f: FlagSpec, used?: string): string {
  const notes = [used ?? (f.default ? `default ${f.default}` : ""), f.resumable ? "a resume may change it" : ""].filter(Boolean);
  return `${f.help}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}

export interface HelpOptions {
  /** Terminal columns to wrap to (default 80). */
  width?: number;
  /** Flag name → what to say instead of "default X" (a budget run's recipe values: cli/train_config.ts). */
  used?: Map<string, string>;
  /** Lines printed after the usage (what the given flags imply). */
  notes?: string[];
}

/** `char-lstm CMD --help`: summary, usage and every flag under its group, wrapped to the terminal. */
export function helpText(cmd: CommandSpec, opts: HelpOptions = {}): string {
  const width = Math.max(40, Math.min(opts.width ?? 80, 160));
  const col = width >= 72 ? 28 : 0;   // narrow terminals: the help goes under the flag
  const out = [...wrapText(cmd.summary, width), "", ...wrapText(`Usage: ${cmd.usage}`, width, ""), ""];
  for (const n of opts.notes ?? []) out.push(...wrapText(n, width));
  if (opts.notes?.length) out.push("");
  const groups: string[] = [];
  for (const f of cmd.flags) if (!groups.includes(f.group ?? "Options")) groups.push(f.group ?? "Options");
  for (const g of groups) {
    out.push(`${g}:`);
    for (const f of cmd.flags.filter((x) => (x.group ?? "Options") === g)) {
      const left = `  --${f.name}${flagArg(f)}`;
      const help = flagHelp(f, opts.used?.get(f.name));
      if (col && left.length < col) {
        const lines = wrapText(help, width, " ".repeat(col));
        out.push(left.padEnd(col) + lines[0].slice(col), ...lines.slice(1));
      } else {
        out.push(left, ...wrapText(help, width, " ".repeat(col || 6)));
      }
    }
    out.push("");
  }
  return out.join("\n");
}
