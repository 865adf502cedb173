import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/shared/api/openapi';
import { routes } from '../../src/shared/api/routes';

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and lists every route of the table with its key requirement', async () => {
    const doc = openApiDocument('9.9.9', 4000) as {
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
    };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const spec of Object.values(routes)) {
      const op = doc.paths[spec.path.replace(/:(\w+)/g, '{$1}')]?.[spec.method.toLowerCase()];
      expect(op, `${spec.method} ${spec.path}`).toBeDefined();
      expect(op!.security, spec.path).toEqual(spec.access === 'public' ? [] : undefined);
      expect(Boolean(op!.requestBody), spec.path).toBe('body' in spec);
    }
  });

  it('the check bites: a broken document is reported', async () => {
    const doc = openApiDocument('9.9.9', 4000) as { paths: Record<string, unknown> };
    doc.paths['/valves'] = { get: { responses: 'none' } };
    expect((await new Validator().validate(doc as never)).valid).toBe(false);
  });
});
