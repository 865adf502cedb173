import { type ReactNode } from 'react';
import text from '../../styles/text.module.css';
import table from '../../styles/table.module.css';

interface CountRow {
  key: string;
  cells: ReactNode[];
  count: number;
  reason?: string;
}

/** A table of counts (ingest by topic, refusals by reason), "none" when empty. */
export function CountTable({
  testId,
  caption,
  head,
  rows,
}: {
  testId: string;
  caption: string;
  head: string[];
  rows: CountRow[];
}) {
  return (
    <table className={table.data} data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
          <th scope="col" className={table.num}>
            Count
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={head.length + 1} className={text.muted}>
              none
            </td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr key={r.key} data-reason={r.reason}>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
              <td className={table.num}>{r.count}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
