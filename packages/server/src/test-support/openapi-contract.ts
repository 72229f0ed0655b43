import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

/** One request the server answered, as the contract test's hook saw it. */
export interface Exchange {
  method: string;
  /** The route as Fastify declares it (`/il/:token`), before the document's `{token}` spelling. */
  route: string;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  requestContentType: string | undefined;
  /** The parsed body (JSON or form), undefined when none was sent. */
  requestBody: unknown;
  status: number;
  responseContentType: string | undefined;
  /** The serialised payload; undefined when the reply was a stream the hook cannot read. */
  responseBody: string | undefined;
}

interface SchemaHolder {
  schema?: unknown;
}
interface Parameter extends SchemaHolder {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, SchemaHolder> };
  responses: Record<string, { content?: Record<string, SchemaHolder> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const DOCUMENT_URL = new URL('../../../../docs/openapi.json', import.meta.url);

export function readCommittedDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(DOCUMENT_URL, 'utf8')) as OpenApiDocument;
}

/** `/il/:token` → `/il/{token}`, `/v1/client/*` → `/v1/client/{*}`: the document's spelling of a route. */
export function documentPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/{*}');
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

function isJson(media: string): boolean {
  return media === 'application/json' || media.endsWith('+json');
}

/**
 * Checks exchanges against an OpenAPI 3.1 document with ajv (JSON Schema 2020-12, the dialect
 * OAS 3.1 uses), so the contract test needs no validator of its own. The document's schemas are
 * inline (no `$ref`), so each is compiled on its own and cached by its place in the document.
 *
 * Rules: the operation must be documented; the answered status must be documented for it; a JSON
 * answer must match that status's schema; an answer's media type must be one the status lists.
 * A request the document rejects (bad body or parameters) must have been refused with a 4xx:
 * the error cases send such requests on purpose, and a server that accepted one would mean the
 * document is stricter than the server. Answers are held to their documented fields only (see
 * `closedObjects`): a field the server sends and the document never mentions is a mismatch too.
 */
export class OpenApiContract {
  private readonly ajv: Ajv2020;
  /** Query and path values arrive as strings; the document types them (`limit` is an integer). */
  private readonly parameterAjv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    // strict: false because OAS adds keywords (`example`) that are not JSON Schema vocabulary.
    this.ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    this.parameterAjv = addFormats(new Ajv2020({ strict: false, allErrors: true, coerceTypes: true }));
  }

  /** `POST /v3/unify`: the operation's name in reports and coverage counts. */
  operationName(exchange: Pick<Exchange, 'method' | 'route'>): string {
    return `${exchange.method.toUpperCase()} ${documentPath(exchange.route)}`;
  }

  /** What about this exchange the document does not say; empty when it tells the truth. */
  check(exchange: Exchange): string[] {
    const path = documentPath(exchange.route);
    const method = exchange.method.toLowerCase();
    const operation = this.document.paths[path]?.[method];
    if (!operation) return ['the operation is not in the document'];
    const requestProblems = [
      ...this.checkParameters(operation, path, method, exchange),
      ...this.checkRequestBody(operation, path, method, exchange),
    ];
    const problems: string[] = [];
    if (requestProblems.length > 0 && (exchange.status < 400 || exchange.status >= 500)) {
      problems.push(...requestProblems.map((problem) => `accepted with ${exchange.status} but ${problem}`));
    }
    problems.push(...this.checkResponse(operation, path, method, exchange));
    return problems;
  }

  private checkParameters(operation: Operation, path: string, method: string, exchange: Exchange): string[] {
    const problems: string[] = [];
    (operation.parameters ?? []).forEach((parameter, index) => {
      const values = parameter.in === 'path' ? exchange.params : parameter.in === 'query' ? exchange.query : undefined;
      if (!values) return;
      const value = values[parameter.name];
      if (value === undefined) {
        if (parameter.required)
          problems.push(`the request lacks the required ${parameter.in} parameter ${parameter.name}`);
        return;
      }
      if (parameter.schema === undefined) return;
      // A copy: coercion rewrites the value it validates.
      const holder = { value };
      const validate = this.validator(this.parameterAjv, `p:${path}/${method}/parameters/${index}`, {
        type: 'object',
        properties: { value: parameter.schema },
      });
      if (!validate(holder)) problems.push(`${parameter.in} parameter ${parameter.name}: ${this.describe(validate)}`);
    });
    return problems;
  }

  private checkRequestBody(operation: Operation, path: string, method: string, exchange: Exchange): string[] {
    const requestBody = operation.requestBody;
    if (!requestBody) return [];
    if (exchange.requestBody === undefined || exchange.requestBody === null) {
      return requestBody.required ? ['the request has no body, which the document requires'] : [];
    }
    const media = mediaType(exchange.requestContentType);
    const content = media ? requestBody.content[media] : undefined;
    if (!content) return [`the request body's media type ${media ?? '(none)'} is not documented`];
    if (content.schema === undefined) return [];
    const validate = this.validator(this.ajv, `${path}/${method}/requestBody/${media}`, content.schema);
    return validate(exchange.requestBody) ? [] : [`the request body does not match: ${this.describe(validate)}`];
  }

  private checkResponse(operation: Operation, path: string, method: string, exchange: Exchange): string[] {
    const statusKey = String(exchange.status);
    const rangeKey = `${statusKey[0]}XX`;
    const documentedKey = [statusKey, rangeKey, 'default'].find((key) => operation.responses[key] !== undefined);
    if (!documentedKey) return [`status ${exchange.status} is not documented`];
    const content = operation.responses[documentedKey]?.content;
    const body = exchange.responseBody;
    if (!content) {
      return body ? [`status ${exchange.status} is documented without a body, but one was sent`] : [];
    }
    const media = mediaType(exchange.responseContentType);
    const documented = media ? content[media] : undefined;
    if (!media || !documented) {
      return [`status ${exchange.status} answered as ${media ?? '(no content type)'}, not a documented media type`];
    }
    if (!isJson(media) || documented.schema === undefined || body === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`status ${exchange.status} declared ${media} but the body is not JSON`];
    }
    const validate = this.validator(
      this.ajv,
      `${path}/${method}/responses/${documentedKey}/${media}`,
      closedObjects(documented.schema),
    );
    return validate(parsed) ? [] : [`the ${exchange.status} body does not match: ${this.describe(validate)}`];
  }

  private validator(ajv: Ajv2020, key: string, schema: unknown): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema as object);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private describe(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }
}

/**
 * A copy of a response schema in which every object that lists its properties and says nothing
 * about others allows no others. The document leaves objects open (a client must tolerate new
 * fields), but the server's own answers should hold no field the document does not name.
 * The document has no `allOf`, where closing each part would reject the whole.
 */
export function closedObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas; a property named like a keyword must not be mistaken.
    copy[key] =
      key === 'properties' && value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, closedObjects(inner)]))
        : key === 'example' || key === 'examples' || key === 'const' || key === 'enum' || key === 'default'
          ? value
          : closedObjects(value);
  }
  if ('properties' in copy && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy)) {
    copy.additionalProperties = false;
  }
  return copy;
}
