import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureExchanges } from './exchange-capture.js';
import { documentPath, type Exchange, OpenApiContract, readCommittedDocument } from './openapi-contract.js';
import { createTestServer, type TestServer } from './test-server.js';

/**
 * The contract checker bites: real exchanges recorded from a real server pass against the
 * committed document and fail against copies of it that were broken in one place each.
 */
describe('OpenApiContract', () => {
  const capture = captureExchanges();
  let t: TestServer;
  let unify: Exchange;
  let inbox: Exchange;

  beforeAll(async () => {
    t = await createTestServer({ onRoute: capture.onRoute });
    const { accessToken } = await t.newClient();
    await t.post('/v3/unify', { possessionType: 'none' }, accessToken);
    await t.server.app.inject({ method: 'GET', url: '/dev/inbox/messages?limit=2' });
    unify = capture.exchanges.find((exchange) => exchange.route === '/v3/unify') as Exchange;
    inbox = capture.exchanges.find((exchange) => exchange.route === '/dev/inbox/messages') as Exchange;
  });
  afterAll(() => t.close());

  /** A deep copy of the committed document, changed by `edit`. */
  const brokenDocument = (edit: (document: any) => void) => {
    const document = readCommittedDocument();
    edit(document);
    return new OpenApiContract(document);
  };
  const unifyOperation = (document: any) => document.paths['/v3/unify'].post;

  it('records what went over the wire and passes it against the committed document', () => {
    expect(unify).toMatchObject({ method: 'POST', status: 200, requestBody: { possessionType: 'none' } });
    expect(JSON.parse(unify.responseBody as string)).toHaveProperty('authToken');
    const contract = new OpenApiContract(readCommittedDocument());
    expect(contract.check(unify)).toEqual([]);
    expect(contract.check(inbox)).toEqual([]);
  });

  it('fails an answer that lacks a field the document requires', () => {
    const contract = brokenDocument((document) => {
      const schema = unifyOperation(document).responses['200'].content['application/json'].schema;
      schema.required.push('expiresAt');
    });
    expect(contract.check(unify)).toEqual([expect.stringMatching(/200 body does not match.*expiresAt/)]);
  });

  it('fails an answer whose field has another type than documented', () => {
    const contract = brokenDocument((document) => {
      unifyOperation(document).responses['200'].content['application/json'].schema.properties.success = {
        type: 'boolean',
      };
    });
    expect(contract.check(unify)).toEqual([expect.stringMatching(/success must be boolean/)]);
  });

  it('fails an answer holding a field the document does not name', () => {
    const contract = brokenDocument((document) => {
      const schema = unifyOperation(document).responses['200'].content['application/json'].schema;
      delete schema.properties.authToken;
      schema.required = schema.required.filter((name: string) => name !== 'authToken');
    });
    expect(contract.check(unify)).toEqual([expect.stringMatching(/must NOT have additional properties/)]);
  });

  it('fails a status the document does not list, and an operation it does not have', () => {
    expect(brokenDocument((document) => delete unifyOperation(document).responses['200']).check(unify)).toEqual([
      'status 200 is not documented',
    ]);
    expect(brokenDocument((document) => delete document.paths['/v3/unify']).check(unify)).toEqual([
      'the operation is not in the document',
    ]);
  });

  it('fails an answer in a media type the document does not give for that status', () => {
    const contract = brokenDocument((document) => {
      const content = unifyOperation(document).responses['200'].content;
      content['application/problem+json'] = content['application/json'];
      delete content['application/json'];
    });
    expect(contract.check(unify)).toEqual([expect.stringMatching(/answered as application\/json/)]);
  });

  it('fails a request the document rejects when the server accepted it, not when it refused it', () => {
    const contract = brokenDocument((document) => {
      unifyOperation(document).requestBody.content['application/json'].schema.required.push('phoneNumber');
    });
    expect(contract.check(unify)).toEqual([
      expect.stringMatching(/^accepted with 200 but the request body.*phoneNumber/),
    ]);
    const refused = { ...unify, status: 400, responseBody: JSON.stringify({ code: 8001, message: 'phoneNumber' }) };
    expect(contract.check(refused)).toEqual([]);
  });

  it('reads query parameters as the strings they are, typed by the document', () => {
    expect(inbox.query).toEqual({ limit: '2' });
    const contract = new OpenApiContract(readCommittedDocument());
    expect(contract.check({ ...inbox, query: { limit: 'lots' } })).toEqual([
      expect.stringMatching(/^accepted with 200 but query parameter limit/),
    ]);
  });

  it('spells Fastify routes the way the document does', () => {
    expect(documentPath('/il/:token')).toBe('/il/{token}');
    expect(documentPath('/v1/client/*')).toBe('/v1/client/{*}');
    expect(documentPath('/v3/unify')).toBe('/v3/unify');
  });
});
