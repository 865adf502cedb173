/**
 * A refusal the HTTP API answers with its own status and code, in the one error shape
 * `{error: {code, message, request_id}}`. Messages are for the integrator: plain, no internals.
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; retryAfterSec?: number; allow?: string } = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export const fail = {
  badRequest: (message: string, field?: string) => new ApiFailure(400, 'invalid_request', message, { field }),
  unauthenticated: (message: string) => new ApiFailure(401, 'unauthenticated', message),
  forbidden: (code: string, message: string) => new ApiFailure(403, code, message),
  notFound: (message: string) => new ApiFailure(404, 'not_found', message),
  methodNotAllowed: (allow: string[]) =>
    new ApiFailure(405, 'method_not_allowed', `This path takes ${allow.join(', ')}.`, { allow: allow.join(', ') }),
  conflict: (code: string, message: string) => new ApiFailure(409, code, message),
  tooMany: (message: string, retryAfterSec: number) =>
    new ApiFailure(429, 'rate_limited', message, { retryAfterSec: Math.max(1, Math.ceil(retryAfterSec)) }),
  unavailable: (message: string) => new ApiFailure(503, 'unavailable', message),
  tooManyStreams: (message: string) => new ApiFailure(503, 'too_many_streams', message),
  uriTooLong: (message: string) => new ApiFailure(414, 'uri_too_long', message),
};

/** Fastify's own errors (body parsing, a URL it cannot decode), mapped to the API's codes. */
export function fromFramework(err: { code?: string; statusCode?: number; message: string }): ApiFailure | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiFailure(413, 'payload_too_large', 'The body is larger than this API takes (64 KiB).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiFailure(415, 'unsupported_media_type', 'Send JSON, with Content-Type: application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiFailure(400, 'invalid_json', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiFailure(400, 'invalid_request', 'The Content-Length does not match the body.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return fail.uriTooLong('A path parameter is longer than this API takes (100 characters).');
    case 'FST_ERR_BAD_URL':
      return new ApiFailure(400, 'invalid_request', 'The URL is not valid (bad percent-encoding).');
    default:
      if (err.statusCode === 400 && /JSON/i.test(err.message))
        return new ApiFailure(400, 'invalid_json', 'The body is not valid JSON.');
      return null;
  }
}
