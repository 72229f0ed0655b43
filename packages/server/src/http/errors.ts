import type { FastifyError, FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { type ApiErrorName, apiErrors } from '../errors/catalogue.js';
import { isStoreUnavailable } from '../storage/store-unavailable.js';
import { fieldRules } from './schemas/server-api.js';
import { NO_CONTROL_CHARACTERS, NO_CONTROL_CHARACTERS_RULE } from './schemas/text.js';

/**
 * Maps every failure to the contract's `{ code, message }`. Validation messages name the field and
 * the rule; framework errors (bad JSON, too large, wrong media type) become 400 INVALID_FIELD; anything
 * unexpected is logged and answers 500 INTERNAL_ERROR without details.
 */

/** Turns the first schema violation into "<field> <rule>". */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const error = errors[0];
  if (!error) return new AppError('INVALID_FIELD', `${dataVar} is invalid`);
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const field = path || dataVar;
  const params = error.params as Record<string, unknown>;
  const name = path.split('.').pop() ?? '';
  let message: string;
  switch (error.keyword) {
    case 'required':
      message = `${path ? `${path}.` : ''}${String(params.missingProperty)} is required`;
      break;
    case 'type':
      message = path ? `${field} must be a ${typeName(params.type)}` : `${dataVar} must be a JSON object`;
      break;
    case 'maxLength':
      message = `${field} must be at most ${params.limit} characters`;
      break;
    case 'minLength':
      message = `${field} must not be empty`;
      break;
    case 'pattern':
      message = `${field} ${patternRule(name, params.pattern)}`;
      break;
    case 'anyOf':
    case 'enum':
    case 'const':
      message = anyOfMessage(field, errors);
      break;
    case 'minItems':
    case 'maxItems':
      message = `${field} must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${params.limit} items`;
      break;
    default:
      message = `${field} ${error.message ?? 'is invalid'}`;
  }
  return new AppError('INVALID_FIELD', message);
}

function patternRule(name: string, pattern: unknown): string {
  if (pattern === NO_CONTROL_CHARACTERS) return NO_CONTROL_CHARACTERS_RULE;
  return fieldRules[name] ?? 'has characters that are not allowed';
}

function typeName(type: unknown): string {
  if (type === 'object') return 'JSON object';
  if (type === 'integer') return 'whole number';
  return String(type);
}

/** A union of literals (possessionType) fails as several `const` errors and one `anyOf`. */
function anyOfMessage(field: string, errors: FastifySchemaValidationError[]): string {
  const allowed = errors
    .filter((e) => e.keyword === 'const')
    .map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
  if (allowed.length > 0) return `${field} must be one of ${allowed.join(', ')}`;
  const types = errors.filter((e) => e.keyword === 'type').map((e) => typeName((e.params as { type?: unknown }).type));
  return types.length > 0 ? `${field} must be a ${types.join(' or ')}` : `${field} is invalid`;
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body must be at most 4096 bytes',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'body must be sent as application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body must be a JSON object',
  FST_ERR_CTP_INVALID_JSON_BODY: 'body must be valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/** RFC 6749 §5.2's names for the refusals `/token` shares with the rest of the server API. */
const OAUTH_ERRORS: Partial<Record<ApiErrorName, string>> = {
  INVALID_CREDENTIALS: 'invalid_client',
  INVALID_FIELD: 'invalid_request',
};

/** `/token` speaks RFC 6749 too (§5.2): its refusals also carry `error` and `error_description`. */
function withOAuthFields(request: FastifyRequest, error: AppError) {
  const body = error.toBody();
  const oauthError = request.routeOptions.url === '/token' ? OAUTH_ERRORS[error.codeName] : undefined;
  return oauthError ? { ...body, error: oauthError, error_description: body.message } : body;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (!error.expose) request.log.error({ err: error.cause ?? error }, 'request failed');
      return reply.status(error.status).headers(error.headers).send(withOAuthFields(request, error));
    }
    if (isStoreUnavailable(error)) {
      // Not a bug of ours and nothing the caller did: a short line, and the request may be retried.
      request.log.warn({ reason: error.message }, 'request failed: database unavailable');
      return reply
        .status(503)
        .header('Retry-After', '1')
        .send({ code: apiErrors.DATABASE_UNAVAILABLE.code, message: 'the database is not answering; retry shortly' });
    }
    if (error.validation) {
      const formatted = schemaErrorFormatter(error.validation, error.validationContext ?? 'body') as AppError;
      return reply.status(400).send(formatted.toBody());
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      let message =
        FRAMEWORK_MESSAGES[error.code] ?? (error instanceof SyntaxError ? 'body must be valid JSON' : 'bad request');
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && request.url.startsWith('/token')) {
        message = 'body must be sent as application/x-www-form-urlencoded or application/json';
      }
      return reply.status(400).send({ code: apiErrors.INVALID_FIELD.code, message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ code: apiErrors.INTERNAL_ERROR.code, message: 'internal error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ code: apiErrors.NOT_FOUND.code, message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
