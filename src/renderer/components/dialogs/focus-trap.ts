import type { KeyboardEvent } from 'react';

export const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Keyboard handling every modal dialog of the console shares: keys typed in it belong to it
 * (no console shortcut acts on them), Escape closes it, and Tab cycles inside it.
 */
export function dialogKeys(e: KeyboardEvent<HTMLElement>, container: HTMLElement | null, onClose: () => void): void {
  e.stopPropagation();
  if (e.key === 'Escape') {
    e.preventDefault();
    onClose();
    return;
  }
  if (e.key !== 'Tab' || !container) return;
  const items = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (!items.length) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = document.activeElement;
  if (e.shiftKey && (active === first || active === container || !container.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !container.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}
