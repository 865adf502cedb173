import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './tmp';

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with
 * openssl; with `keyPassphrase` the client key is encrypted with it.
 */
export function certificates(keyPassphrase?: string) {
  const dir = tempDir();
  const encrypt = keyPassphrase
    ? `openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client.enc -passout pass:${keyPassphrase} && mv client.enc client.key`
    : 'true';
  const script = `
    set -e
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Plainview Test CA" -keyout ca.key -out ca.pem
    echo "subjectAltName=IP:127.0.0.1" > server.ext
    echo "extendedKeyUsage=clientAuth" > client.ext
    for name in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout $name.key -out $name.csr
      openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out $name.pem -extfile $name.ext
    done
    ${encrypt}`;
  execFileSync('sh', ['-c', script], { cwd: dir, stdio: 'pipe' });
  const f = (name: string) => path.join(dir, name);
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

/** mosquitto.conf lines for a TLS listener that requires a client certificate. */
export function tlsBrokerConfig(c: ReturnType<typeof certificates>): string[] {
  return [`cafile ${c.ca}`, `certfile ${c.serverCert}`, `keyfile ${c.serverKey}`, 'require_certificate true'];
}
