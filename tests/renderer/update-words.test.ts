import { describe, expect, it } from 'vitest';
import {
  canCheck,
  canInstall,
  channelText,
  describeUpdate,
  nextCheckText,
  progressText,
} from '../../src/renderer/model/update-words';
import { quietUpdateStatus, type UpdateStatus } from '../../src/shared/update';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');
const base = quietUpdateStatus('not_configured', 'stable', '0.1.0');
const st = (over: Partial<UpdateStatus>): UpdateStatus => ({ ...base, ...over });

describe('update wording for the System view', () => {
  it('says why updates are off, and whose job it is', () => {
    expect(describeUpdate(st({ state: 'disabled' }), NOW)).toMatchObject({
      headline: 'Off: turned off by IT policy',
      tone: 'muted',
    });
    expect(describeUpdate(st({ state: 'not_configured' }), NOW).detail).toContain('updateUrl');
    expect(describeUpdate(quietUpdateStatus('unsupported', 'stable', '0.1.0'), NOW)).toEqual({
      headline: 'Not available here',
      detail: 'Updates are managed by the desktop app.',
      tone: 'muted',
    });
  });

  it('no network: a plain reason and when it tries again, not an alarm', () => {
    const w = describeUpdate(
      st({
        state: 'offline',
        reason: 'the update server cannot be reached (ENOTFOUND)',
        failures: 3,
        nextCheckAt: '2026-11-25T10:20:00.000Z',
      }),
      NOW,
    );
    expect(w).toEqual({
      headline: 'Update server not reachable',
      detail: 'The update server cannot be reached (ENOTFOUND). Next try in 20 min.',
      tone: 'muted',
    });
    expect(
      describeUpdate(
        st({ state: 'error', reason: 'the update server refused access (HTTP 401): check the update-token secret' }),
        NOW,
      ).tone,
    ).toBe('attention');
  });

  it('up to date, downloading with progress, downloaded', () => {
    expect(
      describeUpdate(
        st({ state: 'idle', lastCheckAt: '2026-11-25T09:00:00.000Z', nextCheckAt: '2026-11-25T13:00:00.000Z' }),
        NOW,
      ).headline,
    ).toBe('Up to date (version 0.1.0)');
    expect(describeUpdate(st({ state: 'idle', nextCheckAt: '2026-11-25T10:00:10.000Z' }), NOW)).toMatchObject({
      headline: 'Waiting for the first check',
      detail: 'First check in 10 s.',
    });
    const progress = {
      percent: 42.7,
      transferredBytes: 43 * 1024 * 1024,
      totalBytes: 100 * 1024 * 1024,
      bytesPerSecond: 2 * 1024 * 1024,
    };
    expect(describeUpdate(st({ state: 'downloading', version: '0.2.0', progress }), NOW)).toEqual({
      headline: 'Downloading version 0.2.0 in the background',
      detail: '42 % · 43 MiB of 100 MiB · 2.0 MiB/s',
      tone: 'busy',
    });
    expect(progressText({ percent: 0, transferredBytes: 0, totalBytes: 0, bytesPerSecond: 0 })).toBe('0 %');
    expect(describeUpdate(st({ state: 'downloaded', version: '0.2.0' }), NOW)).toMatchObject({
      headline: 'Version 0.2.0 is ready to install',
      tone: 'attention',
    });
  });

  it('offers Install and restart only for a downloaded update and never to a viewer', () => {
    const downloaded = st({ state: 'downloaded', version: '0.2.0' });
    expect(canInstall(downloaded, 'operator')).toBe(true);
    expect(canInstall(downloaded, 'supervisor')).toBe(true);
    expect(canInstall(downloaded, 'viewer')).toBe(false);
    expect(canInstall(downloaded, null)).toBe(false);
    expect(canInstall(st({ state: 'downloading', version: '0.2.0' }), 'operator')).toBe(false);
  });

  it('offers Check now only where a check can run', () => {
    expect(canCheck(st({ state: 'idle' }))).toBe(true);
    expect(canCheck(st({ state: 'offline' }))).toBe(true);
    for (const state of ['disabled', 'not_configured', 'unsupported', 'checking', 'downloading', 'downloaded'] as const)
      expect(canCheck(st({ state }))).toBe(false);
    expect(channelText('beta')).toBe('Beta (pilot stations)');
    expect(nextCheckText(null, NOW)).toBeNull();
    expect(nextCheckText('2026-11-25T09:00:00.000Z', NOW)).toBe('now');
  });
});
