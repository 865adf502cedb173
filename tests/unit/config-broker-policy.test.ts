import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/main/config';
import { isPlaintextUrl, redactUrl, urlPassword } from '../../src/main/config/url';
import { tempDir } from '../helpers/tmp';

function load(env: Record<string, string>, policy?: Record<string, unknown>) {
  const dir = tempDir();
  const policyPath = path.join(dir, 'policy.json');
  if (policy) fs.writeFileSync(policyPath, JSON.stringify(policy));
  return loadConfig({ env, cwd: dir, policyPath, settingsPath: path.join(dir, 'settings.json'), hostname: 'ws-1' });
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('the broker URL and the password policy', () => {
  it('a password inside PLAINVIEW_MQTT_URL stops start-up (exit 2), naming the fix and never the password', () => {
    const err = refusal(() => load({ PLAINVIEW_MQTT_URL: 'mqtt://station:hunter2-xyz@broker.site:1883' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/PLAINVIEW_MQTT_URL \(from the environment\) contains a password/);
    expect(err.message).toContain('plainview secrets set mqtt-password');
    expect(err.message).toContain('PLAINVIEW_MQTT_USERNAME');
    expect(err.message).toContain('PLAINVIEW_ALLOW_URL_PASSWORD=true');
    expect(err.message).not.toContain('hunter2-xyz');
  });

  it('the same URL from the policy file names the file; a user name alone is no secret', () => {
    const err = refusal(() => load({}, { mqttUrl: 'mqtts://station:hunter2-xyz@broker.site' }));
    expect(err.message).toMatch(/"mqttUrl" \(from the policy file .*policy\.json\) contains a password/);
    expect(err.message).not.toContain('hunter2-xyz');
    expect(load({ PLAINVIEW_MQTT_URL: 'mqtt://station@broker.site' }).config.mqttUrl).toBe(
      'mqtt://station@broker.site',
    );
  });

  it('allowUrlPassword (env or policy) accepts it', () => {
    const url = 'mqtts://station:hunter2-xyz@broker.site';
    expect(load({ PLAINVIEW_MQTT_URL: url, PLAINVIEW_ALLOW_URL_PASSWORD: 'true' }).config.mqttUrl).toBe(url);
    expect(load({ PLAINVIEW_MQTT_URL: url }, { allowUrlPassword: true }).config).toMatchObject({
      mqttUrl: url,
      allowUrlPassword: true,
      allowPlaintextPassword: false,
    });
    expect(() => load({ PLAINVIEW_ALLOW_URL_PASSWORD: 'maybe' })).toThrow(/PLAINVIEW_ALLOW_URL_PASSWORD/);
  });

  it('a password over plain mqtt:// or ws:// to another machine stops start-up unless the policy allows it', () => {
    const withUser = { PLAINVIEW_MQTT_URL: 'mqtt://broker.site:1883', PLAINVIEW_MQTT_USERNAME: 'station' };
    expect(refusal(() => load(withUser)).message).toMatch(
      /mqtt:\/\/ to broker\.site: the broker password would cross the network unencrypted\. Use mqtts:\/\//,
    );
    expect(() => load({ ...withUser, PLAINVIEW_ALLOW_PLAINTEXT_PASSWORD: 'true' })).toThrow(/unencrypted/);
    expect(load(withUser, { allowPlaintextPassword: true }).config.allowPlaintextPassword).toBe(true);
    // To this machine, or with TLS, or with no password at all: nothing crosses the network in clear.
    expect(load({ ...withUser, PLAINVIEW_MQTT_URL: 'mqtt://127.0.0.1:1883' }).config.mqttUrl).toBe(
      'mqtt://127.0.0.1:1883',
    );
    expect(load({ ...withUser, PLAINVIEW_MQTT_URL: 'mqtts://broker.site:8883' }).config.mqttUsername).toBe('station');
    expect(load({ PLAINVIEW_MQTT_URL: 'ws://broker.site/mqtt' }).config.mqttUsername).toBeNull();
    expect(
      refusal(() => load({ PLAINVIEW_MQTT_URL: 'mqtt://broker.site', PLAINVIEW_SPARKPLUG_USERNAME: 'host' })).message,
    ).toMatch(/unencrypted/);
  });

  it('an invalid broker URL is refused without repeating its password', () => {
    const err = refusal(() => load({ PLAINVIEW_MQTT_URL: 'http://station:hunter2-xyz@broker.site' }));
    expect(err.message).toContain('must be a URL starting with mqtt://');
    expect(err.message).toContain('http://station:***@broker.site');
    expect(err.message).not.toContain('hunter2-xyz');
  });

  it('redacts, finds and classifies broker URLs', () => {
    expect(redactUrl('mqtt://u:p%40ss@h:1883/x')).toBe('mqtt://u:***@h:1883/x');
    expect(redactUrl('mqtt://u@h')).toBe('mqtt://u@h');
    expect(redactUrl('not a url://u:secret@h')).not.toContain('secret');
    expect(urlPassword('mqtt://u:p%40ss@h')).toBe('p@ss');
    expect(urlPassword('mqtt://u@h')).toBeNull();
    expect(isPlaintextUrl('mqtt://h')).toBe(true);
    expect(isPlaintextUrl('WS://h')).toBe(true);
    expect(isPlaintextUrl('mqtts://h')).toBe(false);
    expect(isPlaintextUrl('wss://h')).toBe(false);
  });

  it('the MQTT version is auto by default; 4 or 5 force one; anything else is a clear error', () => {
    expect(load({}).config.mqttProtocolVersion).toBe('auto');
    expect(load({ PLAINVIEW_MQTT_PROTOCOL_VERSION: ' AUTO ' }).config.mqttProtocolVersion).toBe('auto');
    expect(load({ PLAINVIEW_MQTT_PROTOCOL_VERSION: '4' }).config.mqttProtocolVersion).toBe(4);
    expect(load({}, { mqttProtocolVersion: 5 }).config.mqttProtocolVersion).toBe(5);
    const err = refusal(() => load({ PLAINVIEW_MQTT_PROTOCOL_VERSION: '3' }));
    expect(err.message).toMatch(/PLAINVIEW_MQTT_PROTOCOL_VERSION \(from the environment\) is "3"/);
    expect(err.message).toContain('auto');
  });
});
