/**
 * Placeholders in `dataDir`, so that one policy file gives every user of a workstation a
 * folder of their own (`D:\Plainview\${user}`): a shared folder would put two accounts on one
 * database, and the second would find it locked or unreadable.
 */
/** Each asked for only when the value uses it (os.userInfo() throws for an account without a name). */
export interface PlaceholderValues {
  /** The OS account's name (os.userInfo()). */
  user: () => string;
  home: () => string;
  /** Windows only: the user's Local AppData folder. */
  localAppData: (() => string) | null;
}

type Name = 'user' | 'home' | 'localAppData';

/** Both spellings IT may reach for: the shell's `${…}` and Windows' `%…%` (case does not matter). */
const PLACEHOLDERS: Record<string, Name> = {
  '${user}': 'user',
  '%username%': 'user',
  '${home}': 'home',
  '%userprofile%': 'home',
  '%localappdata%': 'localAppData',
};
export const KNOWN_PLACEHOLDERS = '${user} or %USERNAME%, ${home} or %USERPROFILE%, %LOCALAPPDATA% (Windows)';

const PATTERN = /\$\{[^}]*\}|%[^%\\/\s]+%/g;

/** Expands the placeholders; throws an Error naming the one it does not know. */
export function expandPlaceholders(value: string, values: PlaceholderValues): string {
  return value.replace(PATTERN, (token) => {
    const name = PLACEHOLDERS[token.toLowerCase()];
    if (!name) throw new Error(`unknown placeholder ${token}; known: ${KNOWN_PLACEHOLDERS}`);
    const resolve = values[name];
    if (!resolve) throw new Error(`${token} exists on Windows only`);
    const text = resolve();
    // A user name is one folder's name: never a path that leaves the folder IT chose.
    if (name === 'user' && (!text || /[\\/]/.test(text) || text === '.' || text === '..'))
      throw new Error(`the account name ${JSON.stringify(text)} cannot be a folder name`);
    return text;
  });
}
