/** `smpp://system_id:password@host:port` (`ssmpp://` for TLS) as the bind's target and credentials. */
export function parseSmppUrl(text: string): { url: string; systemId: string; password: string } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'smpp:' && url.protocol !== 'ssmpp:') || !url.hostname || !url.username) return undefined;
  const port = url.port || (url.protocol === 'ssmpp:' ? '3550' : '2775');
  return {
    url: `${url.protocol}//${url.hostname}:${port}`,
    systemId: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}
