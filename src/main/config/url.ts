/**
 * Broker URLs may carry credentials (`mqtt://user:password@host`). These helpers find the
 * password and take it out of anything that is shown or logged.
 */

/** The password inside a URL, or null (none, or not a URL). */
export function urlPassword(url: string): string | null {
  try {
    const password = new URL(url).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}

/** The URL with its password replaced by `***` (the user name stays: it is not a secret). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: cut whatever stands between "scheme://user:" and "@".
    return url.replace(/(:\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@');
  }
}

/** Whether what travels over this URL is unencrypted (mqtt://, ws://). */
export function isPlaintextUrl(url: string): boolean {
  return /^(mqtt|ws):\/\//i.test(url.trim());
}

/** https:// anywhere; http:// only to this machine (a test's update server). */
export function isSecureUpdateUrl(u: string): boolean {
  if (!URL.canParse(u) || !/^https?:\/\/[^/]/.test(u)) return false;
  return new URL(u).protocol === 'https:' || isLoopbackUrl(u);
}

/** Whether the URL's host is this machine (what goes there does not cross the network). */
export function isLoopbackUrl(u: string): boolean {
  if (!URL.canParse(u)) return false;
  const host = new URL(u).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
