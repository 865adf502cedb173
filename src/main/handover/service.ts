import { randomUUID } from 'node:crypto';
import { ok, refuse, type Result } from '../../shared/refusal';
import type { StationEventMessage } from '../../shared/protocol';
import type { Actuation } from '../actuation/service';
import type { AlarmService } from '../alarms/service';
import type { Auditor } from '../audit/auditor';
import type { Field } from '../field/field';
import type { StationEvents } from '../sync/station-events';
import type { IncidentService } from '../incidents/service';
import type { Sql } from '../store/sql';
import type { HybridClock } from '../sync/hlc';
import { reportHtml, type HandoverContent, type HandoverReport } from './report';
import { SqlHandoverStore, type HandoverStore } from './store';

export interface HandoverDeps {
  sql: Sql;
  siteId: string;
  stationId: string;
  clock: HybridClock;
  events: Pick<StationEvents, 'publish'>;
  auditor: Auditor;
  alarms: Pick<AlarmService, 'list'>;
  incidents: Pick<IncidentService, 'list'>;
  commands: Pick<Actuation['commands'], 'list'>;
  field: Pick<Field, 'state' | 'link'>;
  now: () => Date;
  /** This station's audit chain head now (printed on the report at sign-off, then published). */
  auditHead?: () => { seq: number; hash: string };
  onSignedOff?: () => void;
  /** A report was prepared, signed off or acknowledged, here or on another console. */
  onChange?: (report: HandoverReport) => void;
}

const HALF_DAY_MS = 12 * 3_600_000;

/**
 * Shift handover: a report generated from the store, signed off by the outgoing operator
 * and acknowledged by the incoming one; both are audited and shared with every console.
 */
export class HandoverService {
  private readonly store: HandoverStore;

  constructor(private readonly d: HandoverDeps) {
    this.store = new SqlHandoverStore(d.sql, d.siteId);
  }

  /** Builds the report for the shift that ends now (it began at the last sign-off, or 12 h ago). */
  prepare(outgoing: string): HandoverReport {
    const now = this.d.now();
    const shiftStart = this.store.lastSignedOffShiftEnd() ?? new Date(now.getTime() - HALF_DAY_MS).toISOString();
    const shiftEnd = now.toISOString();
    const alarms = this.d.alarms.list();
    const shelved = (a: (typeof alarms)[number]) =>
      a.shelvedUntil !== null && Date.parse(a.shelvedUntil) > now.getTime();
    const valves = this.d.field.state.valveList();
    const content: HandoverContent = {
      shiftStart,
      shiftEnd,
      standingAlarms: alarms.filter((a) => a.state !== 'normal' && !shelved(a)),
      shelvedAlarms: alarms.filter(shelved),
      openIncidents: this.d.incidents.list().filter((i) => i.status !== 'resolved'),
      commands: this.d.commands.list(undefined, 1000).filter((c) => c.issuedAt >= shiftStart && c.issuedAt <= shiftEnd),
      dataQuality: {
        link: this.d.field.link.state.status,
        staleValves: valves.filter((v) => v.quality === 'stale').map((v) => v.id),
        badValves: valves.filter((v) => v.quality === 'bad').map((v) => v.id),
      },
    };
    const id = `hov-${randomUUID().slice(0, 8)}`;
    this.store.addPrepared(
      {
        id,
        site: this.d.siteId,
        station: this.d.stationId,
        outgoing,
        incoming: null,
        notes: '',
        signedOffAt: null,
        acknowledgedAt: null,
        shiftStart,
        shiftEnd,
        createdAt: shiftEnd,
        content,
      },
      this.d.clock.now(),
    );
    this.changed(id);
    return this.get(id)!;
  }

  /** The outgoing operator signs the report off, with free notes; shared with every console. */
  signOff(id: string, actor: string, notes: string): Result<HandoverReport> {
    const r = this.get(id);
    if (!r) return refuse('not_found', `No handover report ${id}.`);
    if (r.signedOffAt) return refuse('conflict', 'This report is already signed off.');
    if (r.outgoing !== actor)
      return refuse('conflict', `Only ${r.outgoing}, the outgoing operator, can sign this report off.`);
    const at = this.d.now().toISOString();
    // The audit log as it stood when the shift was handed over: everything before this sign-off.
    const head = this.d.auditHead?.();
    const auditHead = head ? { station: this.d.stationId, ...head } : null;
    const event = this.d.events.publish(
      'handover.signoff',
      { id, actor, notes, at, report: { ...r, notes, signedOffAt: at, content: { ...r.content, auditHead } } },
      () => this.store.signOff(id, notes, at, auditHead),
    );
    this.d.auditor.record({
      actor,
      action: 'handover.sign_off',
      subject: id,
      result: 'ok',
      correlationId: event.id,
      detail: { shift_start: r.shiftStart, shift_end: r.shiftEnd, audit_head: auditHead },
    });
    this.d.onSignedOff?.();
    this.changed(id);
    return ok(this.get(id)!);
  }

  /** The incoming operator acknowledges a signed-off report. */
  acknowledge(id: string, actor: string): Result<HandoverReport> {
    const r = this.get(id);
    if (!r) return refuse('not_found', `No handover report ${id}.`);
    if (!r.signedOffAt) return refuse('conflict', 'The outgoing operator has not signed this report off yet.');
    if (r.acknowledgedAt) return refuse('conflict', `Already acknowledged by ${r.incoming}.`);
    if (actor === r.outgoing) return refuse('conflict', 'The incoming operator acknowledges, not the outgoing one.');
    const at = this.d.now().toISOString();
    // The report travels with the acknowledgement too: a console that missed the sign-off learns both.
    const event = this.d.events.publish('handover.ack', { id, actor, at, report: r }, () =>
      this.store.acknowledge(id, actor, at),
    );
    this.d.auditor.record({
      actor,
      action: 'handover.acknowledge',
      subject: id,
      result: 'ok',
      correlationId: event.id,
    });
    this.changed(id);
    return ok(this.get(id)!);
  }

  /**
   * Another console's sign-off or acknowledgement (ingest checked the body). Both carry the
   * signed report, so whichever arrives first creates it here, and neither undoes the other.
   */
  applyEvent(e: StationEventMessage): void {
    if (e.type !== 'handover.signoff' && e.type !== 'handover.ack') return;
    const b = e.body as { id: string; actor: string; at: string; notes?: string; report?: HandoverReport };
    this.d.sql.transaction(() => {
      if (b.report) this.store.addSigned(b.report);
      if (e.type === 'handover.signoff')
        this.store.mergeSignOff(b.id, b.notes ?? '', b.at, b.report?.content.auditHead ?? null);
      else this.store.mergeAcknowledgement(b.id, b.actor, b.at);
    });
    this.changed(b.id);
  }

  private changed(id: string): void {
    const report = this.get(id);
    if (report) this.d.onChange?.(report);
  }

  get(id: string): HandoverReport | null {
    return this.store.report(id);
  }

  list(): HandoverReport[] {
    return this.store.reports();
  }

  html(id: string): string | null {
    const r = this.get(id);
    return r ? reportHtml(r, r.content) : null;
  }
}
