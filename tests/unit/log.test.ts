import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, fileSink, memorySink } from '../../src/main/log';
import { tempDir } from '../helpers/tmp';

const fixed = () => new Date('2026-11-25T10:00:00.000Z');

describe('logging', () => {
  it('writes JSON lines in the seed shape, request id after the message', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'info', json: true, sinks: [sink], now: fixed }).child('requests');
    log.info('POST /valves/v-101/actuate - 200', { request_id: 'r-1', status_code: 200, duration_ms: 14.5 });
    expect(sink.lines).toHaveLength(1);
    const line = sink.lines[0]!;
    expect(JSON.parse(line)).toEqual({
      timestamp: '2026-11-25T10:00:00.000Z',
      level: 'INFO',
      logger: 'plainview.requests',
      message: 'POST /valves/v-101/actuate - 200',
      request_id: 'r-1',
      status_code: 200,
      duration_ms: 14.5,
    });
    expect(Object.keys(JSON.parse(line))).toEqual([
      'timestamp',
      'level',
      'logger',
      'message',
      'request_id',
      'status_code',
      'duration_ms',
    ]);
  });

  it('writes readable lines when JSON is off', () => {
    const sink = memorySink();
    createLogger({ level: 'info', json: false, sinks: [sink], now: fixed }).warn('link down', {
      retry_in: '4 s',
      attempt: 3,
    });
    expect(sink.lines).toEqual(['2026-11-25T10:00:00.000Z WARN  [plainview] link down retry_in="4 s" attempt=3']);
  });

  it('drops lines below the configured level', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'warn', json: true, sinks: [sink] });
    log.info('not shown');
    log.debug('not shown');
    log.error('shown');
    expect(sink.lines.map((l) => JSON.parse(l).message)).toEqual(['shown']);
  });

  it('redacts fields named like secrets, at any depth, and credentials in URLs', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'info', json: true, sinks: [sink] });
    log.info('connecting to mqtt://station:hunter2@broker.site:8883', {
      password: 'hunter2',
      mqtt: { url: 'mqtts://u:s3cret@b:8883', clientSecret: 'x', apiKey: 'pk_live', Authorization: 'Bearer abc' },
      list: [{ token: 't' }],
      valve: 'v-101',
    });
    const text = sink.lines[0]!;
    for (const secret of ['hunter2', 's3cret', 'pk_live', 'Bearer abc', '"t"']) expect(text).not.toContain(secret);
    const line = JSON.parse(text);
    expect(line.password).toBe('[REDACTED]');
    expect(line.mqtt).toMatchObject({ clientSecret: '[REDACTED]', apiKey: '[REDACTED]', Authorization: '[REDACTED]' });
    expect(line.mqtt.url).toBe('mqtts://u:[REDACTED]@b:8883');
    expect(line.list[0].token).toBe('[REDACTED]');
    expect(line.valve).toBe('v-101');
    expect(line.message).toBe('connecting to mqtt://station:[REDACTED]@broker.site:8883');
  });

  it('redacts whole secret words only, so ordinary fields stay readable', () => {
    const sink = memorySink();
    createLogger({ level: 'info', json: true, sinks: [sink] }).info('x', {
      api_key: 'a',
      'x-api-key': 'b',
      mqttPassword: 'c',
      privateKey: 'd',
      pin: 'e',
      keyboard: 'kept',
      bypass: 'kept',
      keys: 3,
      monkey: 'kept',
      tokenizer: 'kept',
    });
    const line = JSON.parse(sink.lines[0]!);
    for (const f of ['api_key', 'x-api-key', 'mqttPassword', 'privateKey', 'pin'])
      expect(line[f], f).toBe('[REDACTED]');
    expect(line).toMatchObject({ keyboard: 'kept', bypass: 'kept', keys: 3, monkey: 'kept', tokenizer: 'kept' });
  });

  it('logs errors by name and message, not by silently dropping them', () => {
    const sink = memorySink();
    createLogger({ level: 'info', json: true, sinks: [sink] }).error('failed', { error: new Error('disk full') });
    expect(JSON.parse(sink.lines[0]!).error).toEqual({ name: 'Error', message: 'disk full' });
  });

  it('a failing sink does not stop the others or throw', () => {
    const good = memorySink();
    const log = createLogger({
      level: 'info',
      json: true,
      sinks: [
        {
          write: () => {
            throw new Error('EPIPE');
          },
        },
        good,
      ],
    });
    expect(() => log.info('still logged')).not.toThrow();
    expect(good.lines).toHaveLength(1);
  });

  it('the log file lives in the data folder and rotates at its size cap', () => {
    const dir = tempDir();
    const log = createLogger({ level: 'info', json: true, sinks: [fileSink(dir, 4096)] });
    for (let i = 0; i < 100; i++) log.info(`line ${i}`, { padding: 'x'.repeat(100) });
    const logs = path.join(dir, 'logs');
    const names = fs.readdirSync(logs).sort();
    expect(names).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.4.log', 'main.5.log', 'main.log']);
    expect(fs.statSync(path.join(logs, 'main.log')).size).toBeLessThanOrEqual(4096 + 300);
    const last = fs.readFileSync(path.join(logs, 'main.log'), 'utf8').trim().split('\n').at(-1)!;
    expect(JSON.parse(last).message).toBe('line 99');
  });

  it('rotation keeps the newest files up to their number and their total size, oldest out first', () => {
    const dir = tempDir();
    const log = createLogger({
      level: 'info',
      json: true,
      sinks: [fileSink(dir, 2048, { keep: 3, maxTotalBytes: 64 * 1024 })],
    });
    for (let i = 0; i < 400; i++) log.info(`line ${i}`, { padding: 'x'.repeat(100) });
    const logs = path.join(dir, 'logs');
    expect(fs.readdirSync(logs).sort()).toEqual(['main.1.log', 'main.2.log', 'main.3.log', 'main.log']);
    const first = (f: string) => JSON.parse(fs.readFileSync(path.join(logs, f), 'utf8').split('\n')[0]!).message;
    const n = (f: string) => Number(first(f).split(' ')[1]);
    // Newest in main.log, then main.1, main.2, main.3: each file older than the one before.
    expect(n('main.log')).toBeGreaterThan(n('main.1.log'));
    expect(n('main.1.log')).toBeGreaterThan(n('main.2.log'));
    expect(n('main.2.log')).toBeGreaterThan(n('main.3.log'));

    // A total cap below what the files would take: the oldest go, main.log and main.1.log stay.
    const capped = tempDir();
    const small = createLogger({
      level: 'info',
      json: true,
      sinks: [fileSink(capped, 2048, { keep: 10, maxTotalBytes: 5 * 1024 })],
    });
    for (let i = 0; i < 400; i++) small.info(`line ${i}`, { padding: 'x'.repeat(100) });
    const left = fs.readdirSync(path.join(capped, 'logs')).sort();
    expect(left).toContain('main.log');
    expect(left).toContain('main.1.log');
    const total = left.reduce((sum, f) => sum + fs.statSync(path.join(capped, 'logs', f)).size, 0);
    expect(total).toBeLessThanOrEqual(5 * 1024 + 2048 + 300);
  });
});
