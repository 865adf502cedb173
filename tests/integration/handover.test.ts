import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('shift handover', () => {
  it('the report matches the store; sign-off and acknowledgement are audited and reach the other console', async () => {
    const broker = await startMosquitto();
    const a = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-a' });
    const b = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-b' }, undefined, {
      osAccount: 'bob',
    });
    for (const s of [a, b] as TestStation[]) {
      await s.station.start();
      cleanups.push(() => s.station.stop());
      await waitFor(() => s.station.running().field.link.online, 'online');
    }
    const ra = a.station.running();
    // What B's console is pushed about handovers (no polling: it learns when it happens).
    const pushedToB: string[] = [];
    b.station
      .running()
      .push.subscribe((batch) =>
        batch.handovers?.forEach((r) =>
          pushedToB.push(`${r.id}:${r.acknowledgedAt ? 'acked' : r.signedOffAt ? 'signed' : 'draft'}`),
        ),
      );
    const now = new Date().toISOString();
    ra.alarms.onFieldAlert({
      v: 1,
      id: 'leak-seg-01',
      status: 'raised',
      severity: 'critical',
      segment: 'seg-01',
      message: 'Leak <b>&',
      ts: now,
    });
    ra.alarms.onFieldAlert({
      v: 1,
      id: 'leak-seg-02',
      status: 'raised',
      severity: 'high',
      segment: 'seg-02',
      message: 'Leak 2',
      ts: now,
    });
    ra.alarms.shelve('leak-seg-02', 'alice', new Date(Date.now() + 600_000), 'crew on site');
    const inc = ra.incidents.create('alice', {
      title: 'Pressure drop',
      severity: 'high',
      description: '',
      segment: null,
      valves: [],
      alarms: [],
    });
    expect(inc.ok).toBe(true);

    const report = ra.handover.prepare('alice');
    expect(report.content.standingAlarms.map((x) => x.id)).toEqual(['leak-seg-01']);
    expect(report.content.shelvedAlarms.map((x) => x.id)).toEqual(['leak-seg-02']);
    expect(report.content.openIncidents.map((i) => i.title)).toEqual(['Pressure drop']);
    expect(report.content.dataQuality.link).toBe('online');

    expect(ra.handover.acknowledge(report.id, 'bob')).toMatchObject({
      ok: false,
      refusal: { message: expect.stringMatching(/not signed this report off/) },
    });
    expect(ra.handover.signOff(report.id, 'bob', 'x')).toMatchObject({
      ok: false,
      refusal: { message: expect.stringMatching(/Only alice/) },
    });
    expect(ra.handover.signOff(report.id, 'alice', 'Pump 3 noisy; watch seg-02')).toMatchObject({
      ok: true,
      value: { signedOffAt: expect.any(String) },
    });

    // The incoming operator, at the other console, sees it and acknowledges it.
    const rb = b.station.running();
    await waitFor(() => rb.handover.get(report.id)?.signedOffAt, 'the report on B');
    await waitFor(() => pushedToB.includes(`${report.id}:signed`), 'B’s console told of the sign-off');
    expect(rb.handover.acknowledge(report.id, 'bob')).toMatchObject({ ok: true, value: { incoming: 'bob' } });
    await waitFor(() => ra.handover.get(report.id)?.acknowledgedAt, 'the acknowledgement back on A');

    expect(ra.audit.list().some((e) => e.action === 'handover.sign_off' && e.actor === 'alice')).toBe(true);
    expect(rb.audit.list().some((e) => e.action === 'handover.acknowledge' && e.actor === 'bob')).toBe(true);

    // The report carries A's audit chain head as it stood at the sign-off, on both consoles,
    // and A publishes it at once: B (and the broker) hold it off A's workstation.
    const head = ra.handover.get(report.id)!.content.auditHead!;
    expect(head).toMatchObject({ station: report.station, seq: expect.any(Number) });
    expect(ra.audit.headAt(head.seq)!.hash).toBe(head.hash);
    expect(rb.handover.get(report.id)!.content.auditHead).toEqual(head);
    await waitFor(() => (rb.fleet.auditHead(report.station)?.seq ?? -1) >= head.seq, "A's audit head heard on B");

    const html = ra.handover.html(report.id)!;
    expect(html).toContain(`plainview audit verify --head ${head.seq}:${head.hash}`);
    expect(html).toContain('Pump 3 noisy; watch seg-02');
    expect(html).toContain('Leak &lt;b&gt;&amp;');
    expect(html).not.toMatch(/<script/i);
    expect(ra.handover.list().map((r) => r.id)).toEqual([report.id]);
  }, 60_000);

  it('a console that hears the acknowledgement before the sign-off ends with both', async () => {
    const t = testStation({});
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const handover = t.station.running().handover;
    const report = handover.prepare('alice');
    // The same report as another station signed it off, under an id this station has never seen.
    const signed = { ...report, id: 'hov-remote1', station: 'ws-a', notes: 'all quiet', signedOffAt: report.shiftEnd };
    const event = (type: string, body: Record<string, unknown>) => ({
      v: 1 as const,
      id: crypto.randomUUID(),
      type,
      station: 'ws-b',
      ts: new Date().toISOString(),
      body,
    });
    const at = new Date().toISOString();
    handover.applyEvent(event('handover.ack', { id: signed.id, actor: 'bob', at, report: signed }));
    handover.applyEvent(
      event('handover.signoff', {
        id: signed.id,
        actor: 'alice',
        at: signed.signedOffAt,
        notes: 'all quiet',
        report: signed,
      }),
    );
    expect(handover.get(signed.id)).toMatchObject({
      outgoing: 'alice',
      incoming: 'bob',
      notes: 'all quiet',
      signedOffAt: signed.signedOffAt,
      acknowledgedAt: at,
    });
  }, 90_000);
});
