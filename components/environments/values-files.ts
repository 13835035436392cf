// Helm values files as typed in a form: one per line or comma-separated, blanks dropped, order kept.
export const parseValuesFiles = (text: string): string[] =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
