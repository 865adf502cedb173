import type { ReactNode } from 'react';
import { cx } from '../styles/cx';
import text from '../styles/text.module.css';

/**
 * What went wrong, in words, as an alert: a refused or failed call (the words from
 * `refusalText`), or a form that cannot be sent yet. Every view shows them this way.
 */
export function ErrorNote({
  children,
  id,
  testId,
  className,
}: {
  children: ReactNode;
  /** For `aria-describedby` on the field it is about. */
  id?: string;
  testId?: string;
  /** Where the note sits (a banner, a dialog); its look as an error stays. */
  className?: string;
}) {
  return (
    <p className={cx(text.error, className)} id={id} role="alert" data-testid={testId}>
      {children}
    </p>
  );
}
