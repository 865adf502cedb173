import { z } from 'zod';
import { ApiError, routes, type RouteSpec } from './routes';

type Json = Record<string, unknown>;

const ERRORS: Record<string, string> = {
  '400': 'Invalid parameters or body; `field` names what failed.',
  '401': 'No API key, or an unknown or revoked one.',
  '403': 'A read key on a write route, a foreign Host or Origin, or a key sent in the URL.',
  '404': 'No such route or item.',
  '405': 'The path exists with another method (see Allow).',
  '409': 'Refused by the station’s rules (the message says why).',
  '413': 'The body is larger than 64 KiB.',
  '415': 'The body is not JSON.',
  '429': 'A rate limit or the station’s throttle; retry after Retry-After seconds.',
  '503': 'The station cannot do this now (audit log or broker unavailable).',
};

const schema = (s: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;

/** `/valves/:id` → `/valves/{id}` */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const [where, obj] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!obj) continue;
    for (const [name, field] of Object.entries(obj.shape)) {
      out.push({
        name,
        in: where,
        required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
        schema: schema(field as z.ZodType, 'input'),
      });
    }
  }
  return out;
}

function operation(key: string, spec: RouteSpec): Json {
  const ok = String(spec.status ?? 200);
  const content = spec.stream
    ? {
        'text/event-stream': {
          schema: { type: 'string', description: 'Events whose data is:', ...schema(spec.response, 'output') },
        },
      }
    : { 'application/json': { schema: schema(spec.response, 'output') } };
  const errors = Object.fromEntries(
    Object.keys(ERRORS)
      .filter((code) => spec.access !== 'public' || ['404', '405', '403', '429'].includes(code))
      .map((code) => [code, { $ref: `#/components/responses/E${code}` }]),
  );
  return {
    operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
    summary: spec.summary,
    ...(spec.access === 'public' ? { security: [] } : {}),
    ...(spec.access === 'write' ? { description: 'Needs a write key.' } : {}),
    parameters: parameters(spec),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(spec.body, 'input') } } } }
      : {}),
    responses: {
      [ok]: {
        description: 'Success',
        headers: { 'X-Request-ID': { $ref: '#/components/headers/RequestId' } },
        content,
      },
      ...errors,
    },
  };
}

/** The OpenAPI 3.1 document of the loopback API, generated from the route table. */
export function openApiDocument(version: string, port: number): Json {
  const paths: Record<string, Json> = {};
  for (const [key, spec] of Object.entries(routes) as [string, RouteSpec][]) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation(key, spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Plainview station API',
      version,
      description:
        'The loopback-only HTTP API of a Plainview station, for local integrations (docs/api.md). Keys go in the X-API-Key header.',
    },
    servers: [{ url: `http://127.0.0.1:${port}` }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      headers: {
        RequestId: { description: 'The request id (yours if sane, else a new UUID).', schema: { type: 'string' } },
      },
      schemas: { Error: schema(ApiError, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([code, description]) => [
          `E${code}`,
          {
            description,
            headers: { 'X-Request-ID': { $ref: '#/components/headers/RequestId' } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
