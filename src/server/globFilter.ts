/**
 * Include/exclude globs (VS Code's syntax: `**`, `*`, `?`, `{a,b}`, `[abc]`)
 * compiled to one predicate over workspace-relative paths with `/`
 * separators. Written here because the engine's discovery takes a plain
 * predicate and the server must not pull a glob library into its bundle.
 */

/** Translates one glob to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let inGroup = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches anything.
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      inGroup++;
      out += '(?:';
    } else if (c === '}' && inGroup > 0) {
      inGroup--;
      out += ')';
    } else if (c === ',' && inGroup > 0) out += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = end;
      }
    } else out += /[.+^$()|\\\]]/.test(c) ? `\\${c}` : c;
  }
  while (inGroup-- > 0) out += ')';
  return new RegExp(`^${out}$`, 'i');
}

/**
 * A path is included when it matches some include glob and no exclude glob.
 * Globs without a slash match the file name anywhere (like `*.sql`).
 */
export function compileFileFilter(include: readonly string[], exclude: readonly string[]): (relativePath: string) => boolean {
  const compile = (globs: readonly string[]): RegExp[] =>
    globs.filter((g) => g.trim() !== '').map((g) => globToRegExp(g.includes('/') ? g.replace(/^\.\//, '') : `**/${g}`));
  const inc = compile(include);
  const exc = compile(exclude);
  return (relativePath) => {
    const path = relativePath.replace(/\\/g, '/');
    return inc.some((r) => r.test(path)) && !exc.some((r) => r.test(path));
  };
}
