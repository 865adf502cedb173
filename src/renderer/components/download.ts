/**
 * Saves text as a file: a Blob, an object URL and a download link clicked in the page. No
 * network request and no inline script, so the Content-Security-Policy needs nothing more.
 */
export function download(text: string, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Long enough for the browser to start the download, then the memory is given back.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
