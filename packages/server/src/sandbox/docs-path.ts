import { fileURLToPath } from 'node:url';

/**
 * Where the sandbox's documentation is on this machine: the build copies `docs/sandbox.md` into
 * `dist/docs/` (copy-build-files.mjs), so the path exists in a checkout's build and in an installed
 * package alike, and the start banner can point at a file the user has, offline.
 */
export function sandboxDocsPath(): string {
  return fileURLToPath(new URL('../docs/sandbox.md', import.meta.url));
}
