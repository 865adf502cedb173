import { z } from 'zod';

/**
 * Every IPC call answers with a result, never a thrown error: errors cross the process
 * boundary as data the renderer can show, with no stack traces or internals.
 */
export const IpcErrorCode = z.enum([
  'unknown_channel',
  'forbidden_sender',
  'invalid_input',
  'refused',
  'not_found',
  'unavailable',
  'internal',
]);
export type IpcErrorCode = z.infer<typeof IpcErrorCode>;

export const IpcError = z.object({
  code: IpcErrorCode,
  message: z.string(),
  /** For invalid_input: the path of the first field that failed, like `valveId`. */
  field: z.string().optional(),
  requestId: z.string().optional(),
});
export type IpcError = z.infer<typeof IpcError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: IpcError): Result<T> => ({ ok: false, error });
