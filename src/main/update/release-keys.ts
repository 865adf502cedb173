/**
 * The public halves of the Ed25519 keys that sign Linux releases (docs: DEPLOYMENT.md,
 * "Signing Linux releases"). A Linux update is installed only when its signed release
 * statement verifies with one of these. Several may be listed while a key is rotated: a
 * new key is added in one release and the old one removed once every station has it.
 *
 * `unset` is a placeholder whose private half was never kept: until the organisation's
 * own key is put here (scripts/release-keygen.mjs prints the line), no Linux station
 * accepts any update, which fails closed.
 */
export interface ReleaseKey {
  id: string;
  /** SubjectPublicKeyInfo, DER, base64. */
  spki: string;
}

export const RELEASE_KEYS: readonly ReleaseKey[] = [
  { id: 'unset', spki: 'MCowBQYDK2VwAyEAVYPlVAdrjvZIsWmmSh/NrY6Io9isrYB4T6KK+vT4DJw=' },
];
