import type { Alarm } from '../../shared/alarms';
import type { ActuationCommand } from '../../shared/actuation';
import type { Incident } from '../../shared/incidents';

/** What a shift hands over (49 CFR 192.631 / 195.446 shift handover). */
export interface HandoverContent {
  shiftStart: string;
  shiftEnd: string;
  standingAlarms: Alarm[];
  shelvedAlarms: Alarm[];
  openIncidents: Incident[];
  commands: ActuationCommand[];
  dataQuality: { link: string; staleValves: string[]; badValves: string[] };
  /** The station's audit chain head when the report was signed off (docs/safety.md, "Audit trail"). */
  auditHead?: AuditHeadMark | null;
}

export interface AuditHeadMark {
  station: string;
  seq: number;
  hash: string;
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p>None.</p>';
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export interface ReportMeta {
  id: string;
  site: string;
  station: string;
  outgoing: string;
  incoming: string | null;
  notes: string;
  signedOffAt: string | null;
  acknowledgedAt: string | null;
}

/** A shift's handover report: who hands over to whom, and what. */
export interface HandoverReport extends ReportMeta {
  shiftStart: string;
  shiftEnd: string;
  createdAt: string;
  content: HandoverContent;
}

/** A self-contained HTML file a supervisor can keep: no scripts, no external resources. */
export function reportHtml(meta: ReportMeta, c: HandoverContent): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shift handover ${esc(meta.site)} ${esc(c.shiftEnd)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #999;padding:.25em .5em;text-align:left}h1{font-size:1.4em}</style>
</head><body>
<h1>Shift handover: site ${esc(meta.site)}, station ${esc(meta.station)}</h1>
<p>Shift ${esc(c.shiftStart)} to ${esc(c.shiftEnd)} (UTC). Report ${esc(meta.id)}.</p>
<p>Outgoing: <strong>${esc(meta.outgoing)}</strong>, signed off ${esc(meta.signedOffAt ?? 'not yet')}.
Incoming: <strong>${esc(meta.incoming ?? '—')}</strong>, acknowledged ${esc(meta.acknowledgedAt ?? 'not yet')}.</p>
<h2>Standing alarms</h2>${table(
    ['Alarm', 'Priority', 'State', 'Message', 'Raised'],
    c.standingAlarms.map((a) => [a.id, a.priority, a.state, a.message, a.raisedAt]),
  )}
<h2>Shelved alarms</h2>${table(
    ['Alarm', 'Until', 'By', 'Message'],
    c.shelvedAlarms.map((a) => [a.id, a.shelvedUntil, a.shelvedBy, a.message]),
  )}
<h2>Open incidents</h2>${table(
    ['Incident', 'Severity', 'Status', 'Title', 'Assignee'],
    c.openIncidents.map((i) => [i.id, i.severity, i.status, i.title, i.assignee]),
  )}
<h2>Valve commands this shift</h2>${table(
    ['Issued', 'Valve', 'Action', 'Operator', 'Outcome', 'Reason'],
    c.commands.map((x) => [x.issuedAt, x.valveId, x.action, x.operator, x.state, x.reason]),
  )}
<h2>Link and data quality</h2><p>Link: ${esc(c.dataQuality.link)}. Stale valves: ${esc(c.dataQuality.staleValves.join(', ') || 'none')}. Bad valves: ${esc(c.dataQuality.badValves.join(', ') || 'none')}.</p>
<h2>Notes</h2><p>${esc(meta.notes || '—').replace(/\n/g, '<br>')}</p>
${auditHeadHtml(c.auditHead)}
</body></html>
`;
}

/** The audit log's head at sign-off, as a line anyone can check the log against later. */
function auditHeadHtml(head: AuditHeadMark | null | undefined): string {
  if (!head) return '';
  return `<h2>Audit log at sign-off</h2><p>Station ${esc(head.station)}, row ${esc(head.seq)}, SHA-256 <code>${esc(head.hash)}</code>.
Check it on that station: <code>plainview audit verify --head ${esc(head.seq)}:${esc(head.hash)}</code></p>`;
}
