import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file path of a `file:` URI, or undefined for other schemes (untitled, git, …). */
export function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function uriOfPath(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * One spelling per file: VS Code and Node percent-encode different characters,
 * so URIs are compared only after a round trip through the path.
 */
export function canonicalUri(uri: string): string {
  const path = pathOfUri(uri);
  return path === undefined ? uri : uriOfPath(path);
}
