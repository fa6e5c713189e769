import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectErrorCodes, connectPollRequest, connectStartRequest } from './connect-requests.ts';
import { openApiDocument } from './openapi.ts';
import { verifyRequest } from './verify.ts';

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(openApiDocument()));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('the validator does refuse a broken document (a response without its description)', async () => {
    const broken = structuredClone(openApiDocument());
    delete (broken.paths['/healthz'].get.responses['200'] as { description?: string }).description;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes the plain-HTTP endpoints and the event stream', () => {
    expect(Object.keys(openApiDocument().paths)).toEqual([
      '/auth/verify',
      '/auth/basic',
      '/connect/requests',
      '/connect/requests/poll',
      '/healthz',
      '/metrics',
      '/api/trpc/service.events',
    ]);
  });

  it('states the limits the handlers enforce, from the same schema', () => {
    const described = openApiDocument().components.schemas.VerifyRequest as {
      properties: { password: { maxLength: number }; service: { enum: string[] } };
    };
    expect(described.properties.password.maxLength).toBe(verifyRequest.shape.password.maxLength);
    expect(described.properties.service.enum).toEqual(verifyRequest.shape.service.options);
  });

  it('describes the login flow’s bodies with the schemas its routes parse', () => {
    const { components, paths } = openApiDocument();
    const started = components.schemas.ConnectStartRequest as {
      properties: { client_name: { maxLength: number } };
    };
    expect(started.properties.client_name.maxLength).toBe(
      connectStartRequest.shape.client_name.unwrap().maxLength,
    );
    for (const [path, schema] of [
      ['/connect/requests', connectStartRequest],
      ['/connect/requests/poll', connectPollRequest],
    ] as const) {
      const body = paths[path].post.requestBody.content['application/json'].schema;
      expect(body).toEqual({
        $ref: `#/components/schemas/${z.globalRegistry.get(schema)!.id}`,
      });
    }
    // Every error code the wire knows is one some documented status can carry.
    const documented =
      JSON.stringify(paths['/connect/requests']) + JSON.stringify(paths['/connect/requests/poll']);
    for (const code of connectErrorCodes) expect(documented).toContain(`"${code}"`);
  });
});
