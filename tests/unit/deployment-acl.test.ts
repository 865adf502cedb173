import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { aclCommand } from '../../src/main/cli/broker-command';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../DEPLOYMENT.md'), 'utf8');

describe('DEPLOYMENT.md, "Broker accounts and ACL (mosquitto)"', () => {
  it('shows exactly what `plainview broker acl --site north --stations cr-east-1 --gateways gw-1` prints', () => {
    const section = DOC.slice(DOC.indexOf('### Broker accounts and ACL (mosquitto)'));
    const block = /with one station and one gateway:\n\n```text\n([\s\S]*?)```\n/.exec(section)?.[1];
    expect(block, 'the generated block in DEPLOYMENT.md').toBeDefined();
    let printed = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      expect(aclCommand({ site: 'north', stations: ['cr-east-1'], gateways: ['gw-1'] })).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(block).toBe(printed);
  });
});
