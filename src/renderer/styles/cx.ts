/** Class names joined with spaces; a missing one (a variant the module does not style) is left out. */
export function cx(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}
