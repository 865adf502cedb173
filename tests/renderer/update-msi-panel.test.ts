import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { describeUpdate } from '../../src/renderer/model/update-words';
import { UpdatePanel } from '../../src/renderer/views/system/UpdatePanel';
import { MSI_REASON, quietUpdateStatus, type UpdateStatus } from '../../src/shared/update';

const NOW = Date.parse('2026-11-25T10:00:00.000Z');

/** The System view's Updates panel as HTML, and the text of one of its parts. */
function panel(update: UpdateStatus) {
  const html = renderToStaticMarkup(createElement(UpdatePanel, { update, onUpdate: () => undefined }));
  const part = (testId: string) =>
    new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html)?.[1]?.replace(/&#x27;/g, "'") ?? null;
  return { html, part };
}

describe('the Updates panel on an MSI installation', () => {
  it('says "updated by your IT department" and offers neither Check now nor Install', () => {
    const msi = quietUpdateStatus('disabled', 'stable', '1.4.0', MSI_REASON);
    const { part } = panel(msi);
    expect(part('update-state')).toBe('Off: updated by your IT department');
    expect(part('update-detail')).toBe('Plainview was installed with IT’s MSI package; IT installs each new version.');
    expect(part('update-check')).toBeNull();
    expect(part('update-install')).toBeNull();
    expect(describeUpdate(msi, NOW).tone).toBe('muted');
  });

  it('turned off by policy alone still reads as before', () => {
    const { part } = panel(quietUpdateStatus('disabled', 'stable', '1.4.0'));
    expect(part('update-state')).toBe('Off: turned off by IT policy');
    expect(part('update-detail')).toBe('IT installs new versions on this workstation.');
  });
});
