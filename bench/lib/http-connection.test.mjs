import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConnection, parseResponse } from './http-connection.mjs';

describe("the flow scenarios' HTTP connection", () => {
  let server;
  let origin;
  const received = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.url === '/chunked') {
          response.write('{"a":');
          setTimeout(() => response.end('"é"}'), 5);
        } else if (request.url === '/empty') {
          response.writeHead(204).end();
        } else if (request.url === '/close') {
          response.setHeader('connection', 'close');
          response.end('bye');
        } else {
          response.statusCode = request.url === '/missing' ? 404 : 200;
          response.end(JSON.stringify({ echo: body }));
        }
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends method, path, headers and body, and reads length-delimited, chunked and empty bodies', async () => {
    const connection = httpConnection(origin);
    const echoed = await connection.request('POST', '/echo?x=1', { 'content-type': 'application/json' }, '{"ü":1}');
    expect(echoed).toMatchObject({ status: 200, body: JSON.stringify({ echo: '{"ü":1}' }) });
    expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/echo?x=1', body: '{"ü":1}' });
    expect(received.at(-1).headers['content-length']).toBe(String(Buffer.byteLength('{"ü":1}')));
    expect(await connection.request('GET', '/chunked', {})).toMatchObject({ status: 200, body: '{"a":"é"}' });
    expect(await connection.request('GET', '/empty', {})).toMatchObject({ status: 204, body: '' });
    expect(await connection.request('GET', '/missing', {})).toMatchObject({ status: 404 });
    connection.close();
  });

  it('opens a new connection after the server closes one', async () => {
    const connection = httpConnection(origin);
    expect(await connection.request('GET', '/close', {})).toMatchObject({ status: 200, body: 'bye', close: true });
    expect(await connection.request('POST', '/echo', {}, 'again')).toMatchObject({ status: 200 });
    connection.close();
  });

  it('a response is complete only when all its bytes have arrived, however they were split', () => {
    const chunked = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nHTTP/1.1',
    );
    const complete = chunked.length - 'HTTP/1.1'.length;
    for (let end = 0; end < complete; end++) expect(parseResponse(chunked.subarray(0, end))).toBeUndefined();
    expect(parseResponse(chunked)).toEqual({ status: 200, body: 'abcde', length: complete, close: false });
    const sized = Buffer.from('HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nabcd');
    expect(parseResponse(sized.subarray(0, sized.length - 1))).toBeUndefined();
    expect(parseResponse(sized)).toMatchObject({ status: 201, body: 'abcd', length: sized.length });
  });
});
