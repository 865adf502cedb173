import { randomUUID } from 'node:crypto';
import { channelNames, type ChannelName } from '../../shared/ipc/channels';
import { contract, type ChannelArgs, type ChannelOutput } from '../../shared/ipc/contract';
import { ok, refuse, type RefusalCode, type Result } from '../../shared/refusal';
import type { Logger } from '../log';
import type { Identity } from '../operators/sessions';

export interface CallContext {
  requestId: string;
  /** The URL of the frame that called, as Electron reports it (or the harness's origin). */
  senderUrl: string;
  /** Set by the HTTP API only: the API key the call acts as. Console calls act as its operator. */
  identity?: Identity;
}

/** A channel's handler: the answer, or why it was refused (as a value, never thrown). */
export type Handlers = {
  [C in ChannelName]: (
    input: ChannelArgs<C>,
    ctx: CallContext,
  ) => Result<ChannelOutput<C>> | Promise<Result<ChannelOutput<C>>>;
};

const known = new Set<string>(channelNames);

/**
 * Every IPC call goes through here, whatever the transport (Electron IPC, the test
 * WebSocket): unknown channel, untrusted sender, invalid input and failing handlers all
 * become an error result, are counted and logged, and never throw into the transport.
 */
export class IpcRouter {
  private readonly rejected = new Map<RefusalCode, number>();

  constructor(
    private readonly handlers: Handlers,
    private readonly isTrustedSender: (url: string) => boolean,
    private readonly log: Logger,
  ) {}

  async dispatch(channel: unknown, input: unknown, senderUrl: string): Promise<Result<unknown>> {
    const requestId = randomUUID();
    if (typeof channel !== 'string' || !known.has(channel)) {
      return this.refuse('unknown_channel', `unknown channel ${JSON.stringify(channel)}`, requestId);
    }
    if (!this.isTrustedSender(senderUrl)) {
      return this.refuse('forbidden_sender', `calls from ${senderUrl} are not accepted`, requestId, { channel });
    }
    const name = channel as ChannelName;
    const spec = contract[name];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || undefined;
      const message = `invalid input for ${name}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`;
      return this.refuse('invalid_input', message, requestId, { channel: name }, { field });
    }
    try {
      const handler = this.handlers[name] as (i: unknown, c: CallContext) => Promise<Result<unknown>>;
      const r = await handler(parsed.data, { requestId, senderUrl });
      if (!r.ok) {
        // The room that refused has logged why, where it matters (actuation audits it): counted here.
        this.count(r.refusal.code);
        return { ok: false, refusal: { ...r.refusal, requestId } };
      }
      return ok(spec.output.parse(r.value));
    } catch (err) {
      this.count('internal');
      this.log.error('IPC handler failed', { channel: name, request_id: requestId, error: err });
      return refuse('internal', 'The station could not complete this request; see the log.', { requestId });
    }
  }

  private refuse(
    code: RefusalCode,
    message: string,
    requestId: string,
    fields: Record<string, unknown> = {},
    more: { field?: string } = {},
  ): Result<never> {
    this.count(code);
    this.log.warn('IPC call refused', { code, reason: message, request_id: requestId, ...fields });
    return refuse(code, message, { requestId, ...(more.field ? { field: more.field } : {}) });
  }

  private count(code: RefusalCode): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  /** Refusals by code, for health details and tests. */
  stats(): Record<string, number> {
    return Object.fromEntries(this.rejected);
  }
}
