// docs/flags.md, generated from the same flag tables that parse the command line (npm run docs), so the
// reference cannot drift from the code; a test compares the committed file with this output.

import { commands } from "./commands.js";

export function flagsMarkdown(): string {
  const parts = [
    "# char-lstm flags",
    "",
    "Generated from `src/cli/commands.ts` by `npm run docs`; every command also prints this with `--help`.",
    "Durations take `90`, `90s`, `10m`, `1h30m`. Flags take `--flag value` or `--flag=value`.",
    "",
  ];
  for (const c of commands) {
    parts.push(`## char-lstm ${c.name}`, "", c.summary, "", "```", c.usage, "```", "", "| flag | default | meaning |", "|---|---|---|");
    for (const f of c.flags) {
      const flag = `\`--${f.name}${f.type === "boolean" ? "" : ` ${f.arg ?? f.type.toUpperCase()}`}\``;
      const choices = f.choices ? ` (${f.choices.join(", ")})` : "";
      parts.push(`| ${flag} | ${f.default ?? ""} | ${f.help}${choices} |`);
    }
    parts.push("");
  }
  return parts.join("\n");
}

export function main(): void {
  process.stdout.write(flagsMarkdown());
}
