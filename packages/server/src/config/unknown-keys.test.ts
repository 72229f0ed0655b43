import { describe, expect, it } from 'vitest';
import { misspeltSettings } from './unknown-keys.js';

describe('misspelt settings', () => {
  it('warns about a variable one typo away from a setting, naming the setting', () => {
    expect(misspeltSettings({ PHONE_SEND_LIMT: '50' })).toEqual([
      'PHONE_SEND_LIMT is not a Pocketproof setting and is ignored; did you mean PHONE_SEND_LIMIT?',
    ]);
    expect(misspeltSettings({ DATABSE_URL: 'x' })[0]).toContain('did you mean DATABASE_URL?');
    expect(misspeltSettings({ port: '9000' })[0]).toContain('did you mean PORT?');
    expect(misspeltSettings({ PUBLIC_URLS: 'x' })[0]).toContain('did you mean PUBLIC_URL?');
  });

  it('is silent about settings spelt right and about the variables every shell has', () => {
    const shell = {
      PATH: '/bin',
      HOME: '/root',
      HOSTNAME: 'box',
      USER: 'me',
      SHELL: '/bin/sh',
      PWD: '/',
      LANG: 'C',
      TERM: 'xterm',
      NODE_OPTIONS: '',
      NODE_PATH: '',
      npm_config_cache: '',
      TMPDIR: '/tmp',
      OLDPWD: '/',
      PORT: '8080',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      CONFIG_FILE: 'x.json',
      PHONE_SEND_LIMIT: '5',
    };
    expect(misspeltSettings(shell)).toEqual([]);
    expect(misspeltSettings(process.env)).toEqual([]);
  });
});
