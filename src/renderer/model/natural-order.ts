const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
/** Natural order for ids and names: v-2 < v-10 < v-101. */
export const compareNatural = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
