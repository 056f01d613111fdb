/**
 * A cheap look at a file's text for anything that could give it a catalog
 * slice (see catalogSliceOf): CREATE TABLE / VIEW (also inside routine
 * bodies, and what the fallback scanner would find), ALTER TABLE, USE,
 * SELECT … INTO, or templating (a dbt model defines a relation).
 *
 * A whole-workspace ingest parses these files first, so that the catalog is
 * complete early and every other file can be parsed, resolved and stored in
 * one go. A wrong guess costs time, never correctness: a file that turns out
 * to have a slice changes the catalog, and whatever was resolved against
 * the older catalog is resolved again.
 */
const MAY_DEFINE = /\bcreate\b[^;(]*?\b(?:table|view)\b|\balter\s+table\b|\buse\s+\S|\{\{|\bselect\b(?:(?!\bfrom\b)[^;])*?\binto\b/i;

export function mayDefineRelations(bytes: Uint8Array): boolean {
  // latin1: one char per byte, no decoding; the keywords are ASCII in every encoding we read except UTF-16.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (MAY_DEFINE.test(text)) return true;
  // UTF-16 text (a BOM, or NULs between ASCII letters) is not worth guessing at: parse it early.
  return bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.includes(0));
}
