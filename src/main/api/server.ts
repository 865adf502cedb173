import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { openApiDocument } from '../../shared/api/openapi';
import { routes, type RouteKey, type RouteSpec } from '../../shared/api/routes';
import type { Auditor } from '../audit/auditor';
import type { PushSink } from '../console/push';
import type { CallContext, Handlers } from '../ipc/router';
import type { Logger } from '../log';
import { authenticate, AuthFailures, keyIdentity } from './access';
import type { ApiLimits } from './limits';
import { EarlyRefusals, clip } from './early-refusals';
import { ApiFailure, fail, fromFramework } from './errors';
import { EventStreams } from './events';
import { allowedHosts, checkRequest, corsHeaders, preflightHeaders, requestIdFrom } from './guards';
import { routeImpls, type RouteAnswer, type RouteImpls } from './handlers';
import type { ApiKeyRecord, ApiKeys } from './keys';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
    /** The code of the refusal this request was answered with, if any. */
    refusalCode: string | null;
    input: { params: unknown; query: unknown; body: unknown } | null;
  }
  interface FastifyContextConfig {
    routeKey?: RouteKey;
  }
}

export interface ApiOptions {
  port: number;
  bind: readonly string[];
  corsOrigins: readonly string[];
  handlers: Handlers;
  keys: Pick<ApiKeys, 'verify'>;
  auditor: Pick<Auditor, 'record'>;
  log: Logger;
  subscribe: (sink: PushSink) => () => void;
  version: string;
  now?: () => number;
  /** Requests per minute per key (src/main/api/limits.ts, from the configuration). */
  limits: ApiLimits;
  /** How often refusals that no key vouches for are summed up in one log line (default a minute). */
  summaryEveryMs?: number;
}

export interface ApiStats {
  enabled: true;
  listening: string[];
  error: string | null;
  requests: number;
  refused: Record<string, number>;
  streams: number;
}

const BODY_LIMIT = 64 * 1024;
const MAX_STREAMS = 8;
const MAX_STREAMS_PER_KEY = 2;
/** Longer URLs are refused (414) before routing: no route of this API needs more. */
const MAX_URL = 2048;
/** A key that passed within this time still gets in while its client is refused for others' guessing. */
const TRUSTED_KEY_MS = 10 * 60_000;
const pathOf = (url: string) => clip(url.split('?')[0] ?? url);
const keyDigest = (key: string) => createHash('sha256').update(key, 'utf8').digest('base64');

/**
 * The optional loopback HTTP API (docs/api.md): Fastify, with every request checked in this
 * order before any route runs: Host and Origin, the API key and its scope, the rate limits;
 * then the parameters and body against the shared route table. Routes call the same handlers
 * as the console, acting as their key.
 */
export class ApiServer {
  private readonly app: FastifyInstance;
  private handler: http.RequestListener | null = null;
  private readonly servers: http.Server[] = [];
  private readonly refused = new Map<string, number>();
  private readonly failures: AuthFailures;
  private readonly early: EarlyRefusals;
  /** Keys (by digest) that passed recently, and when: see `gate`. */
  private readonly trustedKeys = new Map<string, number>();
  private summaryTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly streams: EventStreams;
  private readonly impls: RouteImpls;
  private requests = 0;
  private listening: string[] = [];
  private error: string | null = null;

  constructor(private readonly o: ApiOptions) {
    const now = o.now ?? Date.now;
    this.now = now;
    this.failures = new AuthFailures(o.auditor, now);
    this.early = new EarlyRefusals(now);
    this.streams = new EventStreams(o.subscribe, MAX_STREAMS, MAX_STREAMS_PER_KEY);
    this.impls = routeImpls(o.handlers);
    this.app = Fastify({
      logger: false,
      bodyLimit: BODY_LIMIT,
      requestIdHeader: false,
      genReqId: (raw) => requestIdFrom(raw.headers['x-request-id'], randomUUID),
      // A URL the router cannot decode (bad percent-encoding) is refused and counted like the rest.
      frameworkErrors: (err, req, reply) => void this.failed(err, req, reply),
      // The real servers are made in start(), one per loopback address, all with this handler.
      serverFactory: (handler) => {
        this.handler = handler;
        return http.createServer();
      },
    });
    this.app.removeContentTypeParser('text/plain');
    this.app.decorateRequest('apiKey', null);
    this.app.decorateRequest('refusalCode', null);
    this.app.decorateRequest('input', null);
  }

  async start(): Promise<void> {
    await this.app.register(rateLimit, { global: false, max: this.o.limits.overall, timeWindow: 60_000 });
    const limiters = this.limiters();
    this.app.addHook('onRequest', (req, reply) => this.checks(req, reply, limiters));
    this.app.addHook('onResponse', async (req, reply) => this.logged(req, reply.statusCode, reply.elapsedTime));
    this.app.setErrorHandler((err, req, reply) => this.failed(err, req, reply));
    this.app.setNotFoundHandler((req, reply) => this.notFound(req, reply));
    for (const [key, spec] of Object.entries(routes) as [RouteKey, RouteSpec][]) this.route(key, spec);
    await this.app.ready();
    const errors: string[] = [];
    for (const address of this.o.bind) {
      try {
        this.servers.push(await this.listen(address));
        this.listening.push(address.includes(':') ? `[${address}]:${this.o.port}` : `${address}:${this.o.port}`);
      } catch (err) {
        errors.push(`${address}:${this.o.port}: ${(err as Error).message}`);
      }
    }
    this.error = errors.length ? errors.join('; ') : null;
    if (!this.listening.length) throw new Error(`the API could not listen: ${this.error}`);
    if (this.error) this.o.log.warn('the API listens on some addresses only', { error: this.error });
    this.o.log.info('API listening', { addresses: this.listening });
    this.summaryTimer = setInterval(() => this.summarise(), this.o.summaryEveryMs ?? 60_000);
    this.summaryTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.streams.closeAll();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    await this.app.close();
    this.summarise();
  }

  stats(): ApiStats {
    return {
      enabled: true,
      listening: [...this.listening],
      error: this.error,
      requests: this.requests,
      refused: Object.fromEntries(this.refused),
      streams: this.streams.count,
    };
  }

  private listen(address: string): Promise<http.Server> {
    const server = http.createServer(
      // Slow or oversized requests are cut short: this is a local integration API, not a file server.
      { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
      this.handler!,
    );
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, address, () => {
        server.off('error', reject);
        server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
          const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
          const code = tooLarge ? 'headers_too_large' : 'bad_http';
          this.count(code);
          this.early.record((socket as net.Socket).remoteAddress ?? 'unknown', code);
          if (socket.writable) socket.end(tooLarge ? HEADERS_TOO_LARGE : BAD_HTTP);
        });
        resolve(server);
      });
    });
  }

  private limiters() {
    const keyGenerator = (req: FastifyRequest) => (req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip}`);
    const make = (max: number) => this.app.createRateLimit({ max, timeWindow: 60_000, keyGenerator });
    const l = this.o.limits;
    return { overall: make(l.overall), mutation: make(l.mutation), actuation: make(l.actuation) };
  }

  /** Host and Origin, then the key, then the limits: all before the body is even read. */
  private async checks(
    req: FastifyRequest,
    reply: FastifyReply,
    limiters: ReturnType<ApiServer['limiters']>,
  ): Promise<void> {
    reply.header('X-Request-ID', req.id);
    this.gate(req);
    if (req.url.length > MAX_URL) throw fail.uriTooLong(`The URL is longer than ${MAX_URL} characters.`);
    const verdict = checkRequest(req.headers, allowedHosts(this.o.port), this.o.corsOrigins);
    if (!verdict.ok) throw fail.forbidden(verdict.code, verdict.message);
    if (verdict.corsOrigin) {
      if (req.method === 'OPTIONS') {
        await reply.code(204).headers(preflightHeaders(verdict.corsOrigin)).send();
        return;
      }
      reply.headers(corsHeaders(verdict.corsOrigin));
    }
    const key = req.routeOptions.config.routeKey;
    if (!key) return;
    const spec: RouteSpec = routes[key];
    try {
      req.apiKey = authenticate(this.o.keys, spec.access, req.headers, req.url);
      if (req.apiKey) this.trust(req.headers['x-api-key'] as string);
    } catch (err) {
      if (err instanceof ApiFailure && err.code !== 'key_in_url') this.failures.record(req.ip, err.code, req.id);
      throw err;
    }
    for (const limiter of [limiters.overall, spec.limit && limiters[spec.limit]]) {
      if (!limiter) continue;
      const r = await limiter(req);
      if (!r.isAllowed && r.isExceeded)
        throw fail.tooMany(`Too many requests: at most ${r.max} a minute here. Retry later.`, r.ttlInSeconds);
    }
  }

  /**
   * A client whose refusals passed the limit this minute is answered 429 before anything is
   * checked, so guessing keys gets nowhere; only a key that passed within the last ten
   * minutes still gets in, so one process flooding from 127.0.0.1 cannot lock out the
   * integrations that share the address. Public routes (/health) are never gated.
   */
  private gate(req: FastifyRequest): void {
    const key = req.routeOptions.config.routeKey;
    if (key && routes[key].access === 'public') return;
    const retryAfter = this.early.retryAfterSec(req.ip);
    if (retryAfter === null) return;
    const presented = req.headers['x-api-key'];
    const passedAt = typeof presented === 'string' ? this.trustedKeys.get(keyDigest(presented)) : undefined;
    if (passedAt !== undefined && this.now() - passedAt < TRUSTED_KEY_MS) return;
    throw fail.tooMany(
      `Too many refused requests from this client: retry in ${retryAfter} s (or use a valid key).`,
      retryAfter,
    );
  }

  private trust(presented: string): void {
    if (this.trustedKeys.size >= 1000) this.trustedKeys.clear(); // a handful of integrations in practice
    this.trustedKeys.set(keyDigest(presented), this.now());
  }

  private route(key: RouteKey, spec: RouteSpec): void {
    this.app.route({
      method: spec.method,
      url: spec.path,
      config: { routeKey: key },
      preValidation: async (req) => {
        req.input = {
          params: parse(spec.params, req.params, 'path'),
          query: parse(spec.query, req.query, 'query'),
          body: parse(spec.body, req.body, 'body'),
        };
      },
      handler: async (req, reply) => {
        if (key === 'GET /openapi.json') return openApiDocument(this.o.version, this.o.port);
        if (key === 'GET /events') return this.stream(req, reply);
        const ctx: CallContext = {
          requestId: req.id,
          senderUrl: 'http-api',
          identity: req.apiKey ? keyIdentity(req.apiKey) : undefined,
        };
        // The input was validated against this route's schemas in preValidation.
        const impl = this.impls[key as keyof RouteImpls] as (i: unknown, c: CallContext) => Promise<RouteAnswer>;
        const answer = await impl(req.input, ctx);
        return reply.code(answer.status ?? spec.status ?? 200).send(answer.body);
      },
    });
  }

  private stream(req: FastifyRequest, reply: FastifyReply): void {
    if (this.streams.count >= this.streams.max)
      throw fail.unavailable(`At most ${this.streams.max} event streams at once; close one first.`);
    const owner = req.apiKey?.id ?? `ip:${req.ip}`;
    if (this.streams.countOf(owner) >= this.streams.maxPerOwner)
      throw fail.tooManyStreams(
        `This key has ${this.streams.maxPerOwner} event streams open already, the most one key may hold; close one first.`,
      );
    reply.hijack();
    const cors = reply.getHeader('access-control-allow-origin');
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Request-ID': req.id,
      ...(typeof cors === 'string' ? corsHeaders(cors) : {}),
    });
    const started = performance.now();
    this.streams.attach(reply.raw, owner, () => this.logged(req, 200, performance.now() - started));
  }

  private failed(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const known =
      err instanceof ApiFailure ? err : fromFramework(err as { code?: string; statusCode?: number; message: string });
    if (known) return this.send(req, reply, known);
    this.o.log.error('API request failed', { request_id: req.id, path: pathOf(req.url), error: err });
    return this.send(
      req,
      reply,
      new ApiFailure(500, 'internal', 'The station could not complete this request; see its log.'),
    );
  }

  private notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = pathOf(req.url);
    const allow = (Object.values(routes) as RouteSpec[]).filter((r) => matches(r.path, path)).map((r) => r.method);
    return this.send(
      req,
      reply,
      allow.length ? fail.methodNotAllowed(allow) : fail.notFound('No such route: see /openapi.json.'),
    );
  }

  private send(req: FastifyRequest, reply: FastifyReply, f: ApiFailure): FastifyReply {
    this.count(f.code);
    req.refusalCode = f.code;
    if (f.extra.retryAfterSec) reply.header('Retry-After', String(f.extra.retryAfterSec));
    if (f.extra.allow) reply.header('Allow', f.extra.allow);
    const error = {
      code: f.code,
      message: f.message,
      request_id: req.id,
      ...(f.extra.field ? { field: f.extra.field } : {}),
    };
    return reply.code(f.status).header('X-Request-ID', req.id).send({ error });
  }

  private count(code: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }

  /**
   * One line per request, in the JSON shape log shippers read; the path without its query
   * string, cut to a bounded length. A refusal that no key vouches for is only counted (and
   * logged at debug level): `summarise` writes them as one line per interval.
   */
  private logged(req: FastifyRequest, status: number, ms: number): void {
    this.requests++;
    const path = pathOf(req.url);
    const duration = Math.round(ms * 100) / 100;
    const unvouched = !req.apiKey && req.refusalCode !== null;
    if (unvouched) this.early.record(req.ip, req.refusalCode!);
    // A monitor asks /health every few seconds: at info that would be most of the log.
    const probe = req.routeOptions.config.routeKey === 'GET /health' && status === 200;
    this.o.log[unvouched || probe ? 'debug' : 'info'](`${req.method} ${path} - ${status} (${duration}ms)`, {
      request_id: req.id,
      method: req.method,
      path,
      status_code: status,
      duration_ms: duration,
    });
  }

  private summarise(): void {
    const summary = this.early.drain();
    if (summary)
      this.o.log.warn(
        `API refused ${summary.refused} requests without a valid key`,
        summary as unknown as Record<string, unknown>,
      );
  }
}

/** Answers written straight to the socket: the request never reached Fastify. */
const rawAnswer = (status: string, code: string, message: string) => {
  const body = JSON.stringify({ error: { code, message } });
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
};
const HEADERS_TOO_LARGE = rawAnswer(
  '431 Request Header Fields Too Large',
  'headers_too_large',
  'The request headers are larger than this API takes (16 KiB).',
);
const BAD_HTTP = rawAnswer('400 Bad Request', 'invalid_request', 'The request is not valid HTTP.');

/** Validates one part of the request; the first failing field is named in the 400. */
function parse(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(where === 'body' ? (value ?? undefined) : { ...(value as object) });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || undefined;
  const what = where === 'body' ? 'body' : `${where} parameter`;
  throw fail.badRequest(`Invalid ${what}${field ? ` ${field}` : ''}: ${issue?.message ?? 'invalid'}.`, field ?? where);
}

/** Whether a concrete path fits a route pattern (`/valves/:id`). */
function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.split('/');
  return a.length === b.length && a.every((seg, i) => (seg.startsWith(':') ? b[i] !== '' : seg === b[i]));
}
