import { describe, expect, it } from 'vitest';
import { formatRetry, refusalMessage, retrySeconds } from '../../src/renderer/model/refusals';
import { operateGate } from '../../src/renderer/model/operator';
import { progressSteps } from '../../src/renderer/model/commands';
import { selectionCountdown } from '../../src/renderer/model/selection';
import { auditQuery } from '../../src/renderer/model/audit';
import type { OperatorSession } from '../../src/shared/operators';

const session = (over: Partial<OperatorSession>): OperatorSession => ({
  operator: 'alice',
  displayName: 'Alice',
  role: 'operator',
  via: 'os_account',
  signOnRequired: false,
  idleLockAt: null,
  ...over,
});

describe('actuation panel logic (pure)', () => {
  it('the selection countdown runs from select to expiry and then says expired', () => {
    const start = Date.parse('2026-11-25T10:00:00Z');
    const expiresAt = '2026-11-25T10:00:30.000Z';
    expect(selectionCountdown(expiresAt, start, start + 10_000)).toMatchObject({
      seconds: 20,
      expired: false,
      totalSeconds: 30,
    });
    expect(selectionCountdown(expiresAt, start, start + 10_000).fraction).toBeCloseTo(2 / 3, 2);
    expect(selectionCountdown(expiresAt, start, start + 31_000)).toMatchObject({ seconds: 0, expired: true });
  });

  it('a throttled refusal counts down its retry time', () => {
    expect(retrySeconds(6000, 1000, 1000)).toBe(6);
    expect(retrySeconds(6000, 1000, 5500)).toBe(2);
    expect(retrySeconds(6000, 1000, 9000)).toBe(0);
    expect(formatRetry(3)).toBe('Retry in 3 s');
    // The live countdown replaces the station's fixed "Retry in N s".
    expect(refusalMessage({ message: 'Too many commands. Retry in 6 s.', retryAfterMs: 6000 })).toBe(
      'Too many commands.',
    );
  });

  it('who may see the operate controls', () => {
    expect(operateGate(null)).toBe('loading');
    expect(operateGate(session({}))).toBe('ok');
    expect(operateGate(session({ role: 'viewer' }))).toBe('viewer');
    expect(operateGate(session({ operator: null, role: null, signOnRequired: true }))).toBe('sign_on');
  });

  it('progress shows where a command stopped', () => {
    expect(progressSteps('completed').every((s) => s.status === 'done')).toBe(true);
    const failed = progressSteps('failed', 'accepted');
    expect(failed.some((s) => s.status === 'failed')).toBe(true);
  });

  it('the audit view asks for the newest entries', () => {
    expect(auditQuery({ since: '', until: '', actor: ' alice ', action: '' })).toMatchObject({
      newest: true,
      actor: 'alice',
    });
  });
});
