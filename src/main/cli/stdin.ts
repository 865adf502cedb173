import { CliError } from './run';

export async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads one line from the terminal without echo. Raw mode is switched on before the prompt
 * is written, so nothing typed after the prompt can be echoed by the terminal.
 */
export function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(); // Enter, Ctrl-D
        if (ch === '\u0003') return finish(new CliError('cancelled; nothing was changed', 130)); // Ctrl-C
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        // An escape sequence (arrow or function key) arrives as one chunk: drop all of it.
        else if (ch === '\u001b') return;
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * A secret (password, PIN, API secret) from stdin only, never argv or the environment, which
 * other processes can read: hidden at a terminal, or all of a pipe minus its final newline.
 */
export async function readSecretInput(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return readHidden(prompt);
  return (await readAll(process.stdin)).replace(/\r?\n$/, '');
}
