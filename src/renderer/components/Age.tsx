import { formatAge } from '../model/format';
import { useNow } from '../stores/clock';

/** The age of a report, ticking with the console clock. */
export function Age({ at }: { at: string | null }) {
  const now = useNow();
  return (
    <time dateTime={at ?? undefined} title={at ?? 'never reported'}>
      {formatAge(at, now)}
    </time>
  );
}
