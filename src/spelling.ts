// Messages that name options. The library names an option by its config field (`hidden`, `lrMin`,
// `unknown`); each shell spells the field its own way — the CLI as a flag (`--lr-min`, `--unknown skip`),
// the server as a query parameter (`unknown=skip`), the checkpoint loader as a metadata key
// (`train.lrMin`) — by rendering the same message with its own Spelling. No shell rewrites message text.

/** How a shell writes an option (and, when given, a value of it). */
export type Spelling = (field: string, value?: string) => string;

/** The library's own spelling: the config field, `field=value` with a value. */
export const fieldSpelling: Spelling = (field, value) => (value === undefined ? field : `${field}=${value}`);

/** camelCase → kebab-case: lrMin → lr-min, maxTime → max-time. */
export const kebab = (field: string): string => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The CLI's spelling: --lr-min, --unknown skip. */
export const flagSpelling: Spelling = (field, value) => `--${kebab(field)}${value === undefined ? "" : ` ${value}`}`;

/** A message built from option names; `spell` renders it for one shell. */
export type Render = (spell: Spelling) => string;

/** An error whose message names options; `error.message` is the library spelling. */
export interface SpelledError extends Error {
  spell?: Render;
}

/** Attach a Render to an error (its message becomes the field-spelled text) and return it. */
export function spelled<E extends Error>(make: (message: string) => E, render: Render): E & { spell: Render } {
  const e = make(render(fieldSpelling)) as E & { spell: Render };
  e.spell = render;
  return e;
}

/** The message of `e` in a shell's spelling (any other error: its message unchanged). */
export function messageIn(e: unknown, spell: Spelling): string {
  const err = e as SpelledError | undefined;
  if (err && typeof err.spell === "function") return err.spell(spell);
  return err?.message ?? String(e);
}

/** A configuration value out of range (a RangeError: the CLI's exit code 2), naming the field. */
export const configError = (render: Render): RangeError & { spell: Render } => spelled((m) => new RangeError(m), render);
