// Control characters (C0, DEL, C1) in names that reach Git or the file system: pure, so the
// browser editor can use the same rule as the API and lib/git.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this module's job.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Names the first control character in `text` ("a newline", "a tab", ...), or null. */
export function controlCharacterIn(text: string): string | null {
  const m = CONTROL.exec(text);
  if (!m) return null;
  const code = m[0].charCodeAt(0);
  const names: Record<number, string> = { 0: "a NUL byte", 9: "a tab", 10: "a newline", 13: "a carriage return" };
  return names[code] ?? `a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}
