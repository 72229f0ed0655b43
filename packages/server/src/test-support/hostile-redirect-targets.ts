/**
 * Targets an attacker (or a careless integrator) might pass as `finalTargetUrl`. None may be
 * accepted, whatever the client: not for a client without origins (the rule there is "an
 * absolute http(s) URL naming a host"), and not for a client whose origin is https://app.example.
 */
export const HOSTILE_TARGETS: readonly string[] = [
  // Written without `//`: the parser guesses, and a browser resolves them against the current page.
  'https:evil.example',
  'https:evil.example/done',
  'https:app.example/done',
  'https:/evil.example',
  'http:evil.example',
  'https:///evil.example',
  // Scheme-relative and path forms.
  '//evil.example/done',
  '///evil.example',
  '/done',
  'evil.example/done',
  // Backslashes, which the parser reads as slashes.
  '/\\evil.example',
  '\\\\evil.example',
  'https:\\\\evil.example',
  'https://app.example\\@evil.example',
  'https:/\\evil.example',
  // Userinfo: the host is after the @.
  'https://app.example@evil.example',
  'https://app.example:443@evil.example',
  'https://user:pass@evil.example/',
  'https://app.example%40evil.example',
  // Link-local, metadata, loopback and private addresses, in every notation the parser accepts.
  'http://169.254.169.254/latest/meta-data/',
  'http://2852039166/',
  'http://0xA9FEA9FE/',
  'http://0251.0376.0251.0376/',
  'http://169.254.43518/',
  'http://[fe80::1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[fd00:ec2::254]/',
  'http://[::1]/',
  'http://0/',
  'http://10.0.0.1/',
  'http://192.168.1.1/',
  'http://metadata.google.internal./computeMetadata/v1/',
  // Other schemes, in any case.
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'javascript://app.example/%0aalert(1)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'ftp://evil.example/',
  'ws://evil.example/',
  'blob:https://app.example/uuid',
  // Host names that are not what they look like.
  'https://evil.example./',
  'https://app.example../',
  'https://evil/',
  'https://evil.123/',
  'https://-evil.example/',
  'https://evil_host.example/',
  'https://\u0430pp.example/',
  'https://app.example\u3002evil/',
  'https://xn--/',
  // Whitespace and control characters, which the parser strips or drops.
  ' https://evil.example/',
  '\thttps://evil.example/',
  'https://evil.example/\t',
  'https://ev\til.example/',
  'https://ev\nil.example/',
  'https://evil.example/\r\n',
  'https://evil.example/\u0000',
  // Broken URLs.
  'https://',
  'https://:443/',
  'https://app.example:99999/',
  'https://app.example#@evil.example',
  '',
];

/**
 * Loopback addresses: refused in production (even for a client that chose any target) and for a
 * client whose origins do not include them; accepted outside production for a client without
 * origins, like `localhost`, since the developer's own machine is where an app runs while trying.
 */
export const LOOPBACK_TARGETS: readonly string[] = [
  'http://127.0.0.1/',
  'http://127.0.0.1:3000/done',
  'http://0x7f.1/',
  'http://2130706433/',
];
