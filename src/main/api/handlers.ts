import type { z } from 'zod';
import type { ActuateAnswer, ActuateBody, IncidentUpdate, routes, RouteKey } from '../../shared/api/routes';
import type { Result } from '../../shared/refusal';
import type { Incident } from '../../shared/incidents';
import type { CallContext, Handlers } from '../ipc/router';
import { fail } from './errors';
import { httpRefusal } from './refusals';

type Spec<K extends RouteKey> = (typeof routes)[K];
type Part<S, P extends string> = S extends Record<P, z.ZodType> ? z.infer<S[P]> : undefined;

/** A route's validated input. */
export interface RouteInput<K extends RouteKey> {
  params: Part<Spec<K>, 'params'>;
  query: Part<Spec<K>, 'query'>;
  body: Part<Spec<K>, 'body'>;
}

export interface RouteAnswer {
  status?: number;
  body: unknown;
}

export type RouteImpl<K extends RouteKey> = (input: RouteInput<K>, ctx: CallContext) => Promise<RouteAnswer>;
export type RouteImpls = { [K in Exclude<RouteKey, 'GET /events' | 'GET /openapi.json'>]: RouteImpl<K> };

/** The value of a station answer, or its refusal thrown as the API's error answer. */
function value<T>(r: Result<T>): T {
  if (!r.ok) throw httpRefusal(r.refusal);
  return r.value;
}

const ok = (body: unknown, status?: number): RouteAnswer => ({ body, status });

/**
 * What each route does: it calls the same handlers as the console, so the API meets every
 * rule the console meets (roles, throttles, select-before-operate, audit), acting as its key.
 */
export function routeImpls(h: Handlers): RouteImpls {
  return {
    'GET /health': async (_, ctx) => ok(value(await h['health.get'](undefined, ctx))),
    'GET /valves': async ({ query }, ctx) => {
      const valves = value(await h['valves.list'](undefined, ctx));
      // Most calls want every valve: no second pass over thousands of them for no filter.
      if (!query.segment && !query.state && !query.quality) return ok(valves);
      return ok(
        valves.filter(
          (v) =>
            (!query.segment || v.segment === query.segment) &&
            (!query.state || v.state === query.state) &&
            (!query.quality || v.quality === query.quality),
        ),
      );
    },
    'GET /valves/:id': async ({ params }, ctx) => {
      const valve = value(await h['valves.get']({ id: params.id }, ctx));
      if (!valve) throw fail.notFound(`No valve ${params.id}.`);
      return ok(valve);
    },
    'POST /valves/:id/actuate': async ({ params, body }, ctx) => ok(await actuate(h, params.id, body, ctx)),
    'GET /incidents': async ({ query }, ctx) => ok(value(await h['incidents.list']({ status: query.status }, ctx))),
    'POST /incidents': async ({ body }, ctx) => ok(value(await h['incidents.create'](body, ctx)), 201),
    'GET /incidents/:id': async ({ params }, ctx) => {
      const detail = value(await h['incidents.get']({ id: params.id }, ctx));
      if (!detail) throw fail.notFound(`No incident ${params.id}.`);
      return ok(detail);
    },
    'POST /incidents/:id/update': async ({ params, body }, ctx) => ok(await updateIncident(h, params.id, body, ctx)),
    'GET /pipeline/alerts': async ({ query }, ctx) =>
      ok(
        value(await h['alarms.list'](undefined, ctx)).filter(
          (a) => (!query.state || a.state === query.state) && (!query.priority || a.priority === query.priority),
        ),
      ),
    'GET /pipeline/alerts/metrics': async (_, ctx) => ok(value(await h['alarms.metrics'](undefined, ctx))),
    'POST /pipeline/alerts/:id/acknowledge': async ({ params }, ctx) => {
      const [r] = value(await h['alarms.acknowledge']({ ids: [params.id] }, ctx));
      return ok(value(r!));
    },
    'POST /pipeline/alerts/:id/shelve': async ({ params, body }, ctx) =>
      ok(value(await h['alarms.shelve']({ id: params.id, ...body }, ctx))),
    'POST /pipeline/alerts/:id/resolve': async ({ params, body }, ctx) =>
      ok(value(await h['alarms.resolve']({ id: params.id, note: body.note }, ctx))),
    'GET /audit': async ({ query }, ctx) => ok(value(await h['audit.list'](query, ctx))),
  };
}

/**
 * Select-before-operate over HTTP. The first call selects (every check runs, nothing moves);
 * the second, with `confirm`, operates that selection: it must be this key's, for this valve
 * and this action, and not expired, and every check runs again (docs/api.md).
 */
async function actuate(h: Handlers, valveId: string, body: ActuateBody, ctx: CallContext): Promise<ActuateAnswer> {
  if (!body.confirm) {
    const selection = value(
      await h['actuation.select']({ valveId, action: body.action, position: body.position }, ctx),
    );
    const { position, action } = body;
    return { stage: 'selected', selection, confirm: { action, position, confirm: selection.id } };
  }
  const selected = value(await h['commands.history']({ id: body.confirm }, ctx));
  const c = selected?.command;
  const position = body.action === 'set_position' ? (body.position ?? null) : null;
  if (!c || c.state !== 'selected')
    throw fail.conflict('selection_expired', 'No such selection is waiting: select the valve again.');
  if (c.valveId !== valveId || c.action !== body.action || c.targetPosition !== position)
    throw fail.conflict(
      'selection_mismatch',
      `Selection ${body.confirm} is for ${c.action} ${c.valveId}, not this call.`,
    );
  return { stage: 'sent', command: value(await h['actuation.operate']({ selectionId: body.confirm }, ctx)) };
}

async function updateIncident(
  h: Handlers,
  id: string,
  body: z.infer<typeof IncidentUpdate>,
  ctx: CallContext,
): Promise<Incident> {
  const { note, reason, ...fields } = body;
  let incident: Incident | null = null;
  if (Object.keys(fields).length) incident = value(await h['incidents.update']({ id, ...fields, reason }, ctx));
  if (note) incident = value(await h['incidents.note']({ id, text: note }, ctx));
  return incident!;
}
