import { scrubText } from './scrub.js';

interface LoggedRequest {
  url: string;
  routeOptions?: { url?: string };
}

const PARAM = /:[^/]+/g;
const REDACTED = '[redacted]';

/**
 * The path a log shows for a request. A matched route shows its pattern with each parameter
 * redacted (`/il/[redacted]`): the parameters our routes take are link and receipt tokens. A path
 * no route matched is scrubbed. Query strings (`?token=<authToken>`, `?to=<number>`) are never
 * shown.
 */
export function requestPath(request: LoggedRequest): string {
  const route = request.routeOptions?.url;
  if (route) return route.includes(':') ? route.replace(PARAM, REDACTED) : route;
  return scrubText(request.url.split('?')[0] ?? '', 120);
}
