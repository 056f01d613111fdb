/**
 * One file's contribution packed into a single row: integers (key ids,
 * codes, ranges) as unsigned varints in a blob, strings (names, schemas,
 * databases, operations) de-duplicated into a JSON array beside it. Packing
 * a file into one row instead of ~250 is what makes a cold load fast; the
 * price is that queries decode the few files the postings point at
 * (~15 µs for a typical file, against ~100 µs to pack it).
 *
 * Blob layout (all varints):
 *   FORMAT, keyCount, entityCount, relationshipCount, bodyBytes,
 *   body: entityCount × (key, kind << 1 | defined, name, schema + 1, database + 1, parent + 1, startLine, startChar, endLine, endChar)
 *         relationshipCount × (type << 1 | confidence, from, to, startLine, startChar, endLine, endChar, operation + 1)
 *   keys: keyCount × (keyId, roles)
 * where key, parent, from and to index the key list, and name, schema,
 * database and operation index the string array (+ 1: 0 is absent). The key
 * list comes last because a key's roles are known only once the body is
 * written. Changing the layout changes the schema: bump SCHEMA_VERSION.
 */
import type { Entity, Relationship } from '../model/graph.ts';
import { CONFIDENCE, KIND, TYPE } from './codes.ts';
import { ROLE } from './roles.ts';
import { compareContributions } from './ordering.ts';

const FORMAT = 2;
/** Room left in front of the body for the header, written last. */
const HEADER_ROOM = 32;

/** Words per entity and per relationship in a decoded contribution. */
export const ENTITY_STRIDE = 11;
export const RELATIONSHIP_STRIDE = 9;

/**
 * A decoded contribution with global key ids: flat integer arrays (see the
 * E_* and R_* offsets; -1 marks an absent schema, database, parent or
 * operation), cheap to cache and to scan for one key.
 */
export interface DecodedContribution {
  /** Distinct global key ids the file mentions, with their role bits. */
  keyIds: Int32Array;
  roles: Int32Array;
  entities: Int32Array;
  relationships: Int32Array;
  strings: string[];
}

// Offsets inside one decoded entity.
export const E_KEY = 0;
export const E_KIND = 1;
export const E_DEFINED = 2;
export const E_NAME = 3;
export const E_SCHEMA = 4;
export const E_DATABASE = 5;
export const E_PARENT = 6;
export const E_RANGE = 7; // four words: start line, start char, end line, end char
// Offsets inside one decoded relationship.
export const R_TYPE = 0;
export const R_CONFIDENCE = 1;
export const R_FROM = 2;
export const R_TO = 3;
export const R_RANGE = 4; // four words: start line, start char, end line, end char
export const R_OPERATION = 8;

export interface PackedContribution {
  blob: Buffer;
  strings: string;
  /** The file's distinct keys with their roles, for the postings. */
  keyIds: number[];
  roles: number[];
  /** The entities packed (one per key); absent after a repack. */
  entities?: readonly Entity[];
  /** Per entity: global key id, parent key id (-1 none), kind code. */
  entityWords: number[];
  /** Relationships kept after de-duplication, and how many of each type code. */
  relationshipCount: number;
  typeCounts: number[];
}

/** Codes as prototype-less objects: a property read is cheaper than a Map lookup on this path. */
const codeTable = (codes: ReadonlyMap<string, number>): Record<string, number | undefined> => Object.assign(Object.create(null) as object, Object.fromEntries(codes));
const KIND_CODE = codeTable(KIND.code);
const TYPE_CODE = codeTable(TYPE.code);
const CONFIDENCE_CODE = codeTable(CONFIDENCE.code);

function code(table: Record<string, number | undefined>, value: string, what: string): number {
  const c = table[value];
  if (c === undefined) throw new TypeError(`Unknown ${what} ${JSON.stringify(value)}`);
  return c;
}

/** Grows as needed and is reused across files: packing allocates only the final copy. */
let scratch = new Uint8Array(1 << 16);
let at = 0;

function ensure(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const bigger = new Uint8Array(Math.max(scratch.length * 2, at + bytes));
  bigger.set(scratch.subarray(0, at));
  scratch = bigger;
}

function put(value: number): void {
  // Values are non-negative integers (ids, codes, positions); anything else would not round-trip.
  if (value < 0x80 && value >= 0) {
    scratch[at++] = value;
    return;
  }
  if (!(value >= 0) || value > Number.MAX_SAFE_INTEGER) throw new RangeError(`Cannot store ${value} in a contribution`);
  while (value >= 0x80) {
    scratch[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  scratch[at++] = value;
}

/** Writes the key list and the header in front of the body (at HEADER_ROOM..bodyEnd) and copies the result out. */
function finish(keyIds: readonly number[], roles: readonly number[], entityCount: number, relationshipCount: number): Buffer {
  const bodyEnd = at;
  ensure(keyIds.length * 16);
  for (let i = 0; i < keyIds.length; i++) {
    put(keyIds[i]!);
    put(roles[i]!);
  }
  const end = at;
  at = 0;
  put(FORMAT);
  put(keyIds.length);
  put(entityCount);
  put(relationshipCount);
  put(bodyEnd - HEADER_ROOM);
  const headerBytes = at;
  scratch.copyWithin(HEADER_ROOM - headerBytes, 0, headerBytes);
  return Buffer.from(scratch.subarray(HEADER_ROOM - headerBytes, end));
}

/** A power of two at least twice the count, so probe runs stay short. */
function tableSize(count: number): number {
  let size = 16;
  while (size < count * 2) size *= 2;
  return size;
}

function sameRelationship(seen: Float64Array, i: number, words: readonly number[]): boolean {
  for (let k = 0; k < 8; k++) if (seen[i * 8 + k] !== words[k]) return false;
  return true;
}

/** Gives a key text its global id (the store's KeyTable), interning it when new. */
export interface KeyInterner {
  idOf(key: string): number;
}

/**
 * One packing's key and string tables, as methods on a class rather than
 * closures made per call: V8 optimises a call for the one target it has
 * seen, and with fresh closures (and a fresh `idOf` from the store) on
 * every save, --trace-deopt showed packing deoptimised again and again
 * ("wrong call target") over the first edits of a large file.
 */
class PackTables {
  readonly localOf = new Map<string, number>();
  readonly keyIds: number[] = [];
  readonly roles: number[] = [];
  readonly stringOf = new Map<string, number>();
  readonly strings: string[] = [];
  private readonly keys: KeyInterner;

  constructor(keys: KeyInterner) {
    this.keys = keys;
  }

  /** The key's index in this contribution's key list, adding the role bits. */
  local(key: string, role: number): number {
    let i = this.localOf.get(key);
    if (i === undefined) {
      i = this.keyIds.length;
      this.localOf.set(key, i);
      this.keyIds.push(this.keys.idOf(key));
      this.roles.push(role);
    } else {
      this.roles[i]! |= role;
    }
    return i;
  }

  string(s: string): number {
    let i = this.stringOf.get(s);
    if (i === undefined) {
      if (typeof s !== 'string') throw new TypeError(`Expected a string, got ${JSON.stringify(s)}`);
      i = this.strings.length;
      this.stringOf.set(s, i);
      this.strings.push(s);
    }
    return i;
  }
}

/**
 * Packs a file's entities and relationships, de-duplicated: one entity per
 * key (a definition, else the earlier range, as the merge chooses), and one
 * relationship per type, ends, range and operation (the first copy, upgraded
 * to high confidence if any copy has it).
 */
export function packContribution(entities: readonly Entity[], relationships: readonly Relationship[], keys: KeyInterner): PackedContribution {
  const tables = new PackTables(keys);
  const { keyIds, roles } = tables;

  // One entity per key: the first pass finds each entity's key, and copies of a key (rare) are settled as the merge would.
  const entityLocal: number[] = [];
  for (const e of entities) entityLocal.push(tables.local(e.key, 0));
  if (keyIds.length < entities.length) entities = distinctByKey(entities, entityLocal);

  at = HEADER_ROOM;
  // At most 8 bytes per varint (put refuses anything above 2^53).
  ensure((entities.length * ENTITY_STRIDE + relationships.length * RELATIONSHIP_STRIDE) * 8);
  const entityWords: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i]!;
    const key = entityLocal[i]!;
    roles[key]! |= e.defined ? ROLE.DEFINED : ROLE.REFERENCED;
    const kind = code(KIND_CODE, e.kind, 'entity kind');
    const parent = e.parent === undefined ? 0 : tables.local(e.parent, ROLE.PARENT) + 1;
    entityWords.push(keyIds[key]!, parent === 0 ? -1 : keyIds[parent - 1]!, kind);
    put(key);
    put((kind << 1) | (e.defined ? 1 : 0));
    put(tables.string(e.name));
    put(e.schema === undefined ? 0 : tables.string(e.schema) + 1);
    put(e.database === undefined ? 0 : tables.string(e.database) + 1);
    put(parent);
    const r = e.range;
    put(r.start.line);
    put(r.start.character);
    put(r.end.line);
    put(r.end.character);
  }

  // A numeric hash of each kept relationship's words finds copies (an open-addressing table of kept
  // indexes, typed arrays throughout: a large file has tens of thousands); `seen` holds the words to confirm.
  const slots = tableSize(relationships.length);
  const table = new Int32Array(slots).fill(-1);
  const seen = new Float64Array(relationships.length * 8); // exact for every value put() accepts
  const firstByte = new Int32Array(relationships.length);
  const typeCounts = new Array<number>(TYPE.name.length).fill(0);
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  let relationshipCount = 0;
  for (const rel of relationships) {
    const type = code(TYPE_CODE, rel.type, 'relationship type');
    const confidence = code(CONFIDENCE_CODE, rel.confidence, 'confidence');
    const r = rel.range;
    words[0] = type;
    words[1] = tables.local(rel.from, ROLE.FROM << type);
    words[2] = tables.local(rel.to, ROLE.TO << type);
    words[3] = r.start.line;
    words[4] = r.start.character;
    words[5] = r.end.line;
    words[6] = r.end.character;
    words[7] = rel.operation === undefined ? 0 : tables.string(rel.operation) + 1;
    let hash = 0;
    for (let k = 0; k < 8; k++) hash = Math.imul(hash ^ words[k]!, 0x9e3779b1) ^ (hash >>> 15);
    let slot = (hash >>> 0) & (slots - 1);
    let copy = table[slot]!;
    while (copy >= 0 && !sameRelationship(seen, copy, words)) {
      slot = (slot + 1) & (slots - 1);
      copy = table[slot]!;
    }
    if (copy >= 0) {
      if (confidence === 0) scratch[firstByte[copy]!] = type << 1; // high (code 0) wins over low; one byte, since type < 64
      continue;
    }
    table[slot] = relationshipCount;
    for (let k = 0; k < 8; k++) seen[relationshipCount * 8 + k] = words[k]!;
    firstByte[relationshipCount++] = at;
    put((type << 1) | confidence);
    for (let k = 1; k < 8; k++) put(words[k]!);
    typeCounts[type]!++;
  }
  const blob = finish(keyIds, roles, entities.length, relationshipCount);
  return { blob, strings: JSON.stringify(tables.strings), entities, keyIds, roles, entityWords, relationshipCount, typeCounts };
}

/**
 * Keeps one entity per key, the one the merge would choose within a file,
 * at the position of the key's first entity; `entityLocal` (each entity's
 * key index) is rewritten to match.
 */
function distinctByKey(entities: readonly Entity[], entityLocal: number[]): Entity[] {
  const slot = new Map<number, number>();
  const kept: Entity[] = [];
  const keptLocal: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i]!;
    const at = slot.get(entityLocal[i]!);
    if (at === undefined) {
      slot.set(entityLocal[i]!, kept.length);
      kept.push(e);
      keptLocal.push(entityLocal[i]!);
    } else if (compareContributions(e, kept[at]!) < 0) {
      kept[at] = e;
    }
  }
  entityLocal.length = 0;
  entityLocal.push(...keptLocal);
  return kept;
}

/**
 * A contribution packed away from the store (a parse worker), with its own
 * key numbering: `keyTexts[i]` is the key packed as id i.
 */
export interface PrepackedContribution {
  packed: PackedContribution;
  keyTexts: string[];
}

/** packContribution asks for each distinct key once, in order: its local ids are 0, 1, 2, … */
class LocalKeys implements KeyInterner {
  readonly texts: string[] = [];

  idOf(key: string): number {
    return this.texts.push(key) - 1;
  }
}

/** Packs with key ids local to this contribution, for globalisePacked later. */
export function prepackContribution(entities: readonly Entity[], relationships: readonly Relationship[]): PrepackedContribution {
  const keys = new LocalKeys();
  const packed = packContribution(entities, relationships, keys);
  return { packed, keyTexts: keys.texts };
}

/**
 * The store's packing of a prepacked contribution: key texts interned in
 * the order packing here would have interned them (so new keys get the
 * same ids), the blob's key list and the entity words renumbered. The body
 * indexes the key list, so it is copied as it is.
 */
export function globalisePacked(prepacked: PrepackedContribution, keys: KeyInterner): PackedContribution {
  const { packed, keyTexts } = prepacked;
  const ids = new Array<number>(keyTexts.length);
  for (let i = 0; i < keyTexts.length; i++) ids[i] = keys.idOf(keyTexts[i]!);
  const blob = packed.blob;
  const reader = new VarintReader(blob);
  const { keyCount, entityCount, relationshipCount, bodyBytes } = readHeader(reader);
  const p = reader.at;
  if (keyCount !== ids.length) throw new Error(`A prepacked contribution lists ${keyCount} keys for ${ids.length} key texts`);
  at = HEADER_ROOM;
  ensure(bodyBytes + ids.length * 16);
  scratch.set(blob.subarray(p, p + bodyBytes), HEADER_ROOM);
  at = HEADER_ROOM + bodyBytes;
  const entityWords = packed.entityWords.slice();
  for (let i = 0; i < entityWords.length; i += 3) {
    entityWords[i] = ids[entityWords[i]!]!;
    const parent = entityWords[i + 1]!;
    if (parent >= 0) entityWords[i + 1] = ids[parent]!;
  }
  return { ...packed, blob: finish(ids, packed.roles, entityCount, relationshipCount), keyIds: ids, entityWords };
}

/** Packs a decoded contribution again (after renameKey); duplicate keys merge their roles. */
export function repackContribution(c: DecodedContribution): PackedContribution {
  const localOf = new Map<number, number>();
  const keyIds: number[] = [];
  const roles: number[] = [];
  for (let i = 0; i < c.keyIds.length; i++) {
    const id = c.keyIds[i]!;
    const seen = localOf.get(id);
    if (seen === undefined) {
      localOf.set(id, keyIds.length);
      keyIds.push(id);
      roles.push(c.roles[i]!);
    } else {
      roles[seen]! |= c.roles[i]!;
    }
  }
  const local = (id: number): number => localOf.get(id)!;
  const e = c.entities;
  const r = c.relationships;
  at = HEADER_ROOM;
  ensure((e.length + r.length) * 8);
  const entityWords: number[] = [];
  for (let o = 0; o < e.length; o += ENTITY_STRIDE) {
    entityWords.push(e[o + E_KEY]!, e[o + E_PARENT]!, e[o + E_KIND]!);
    put(local(e[o + E_KEY]!));
    put((e[o + E_KIND]! << 1) | e[o + E_DEFINED]!);
    put(e[o + E_NAME]!);
    put(e[o + E_SCHEMA]! + 1);
    put(e[o + E_DATABASE]! + 1);
    put(e[o + E_PARENT]! < 0 ? 0 : local(e[o + E_PARENT]!) + 1);
    for (let k = 0; k < 4; k++) put(e[o + E_RANGE + k]!);
  }
  const typeCounts = new Array<number>(TYPE.name.length).fill(0);
  for (let o = 0; o < r.length; o += RELATIONSHIP_STRIDE) {
    typeCounts[r[o + R_TYPE]!]!++;
    put((r[o + R_TYPE]! << 1) | r[o + R_CONFIDENCE]!);
    put(local(r[o + R_FROM]!));
    put(local(r[o + R_TO]!));
    for (let k = 0; k < 4; k++) put(r[o + R_RANGE + k]!);
    put(r[o + R_OPERATION]! + 1);
  }
  const relationshipCount = r.length / RELATIONSHIP_STRIDE;
  const blob = finish(keyIds, roles, e.length / ENTITY_STRIDE, relationshipCount);
  return { blob, strings: JSON.stringify(c.strings), keyIds, roles, entityWords, relationshipCount, typeCounts };
}

/** Reads back what put() wrote, from `at` on. */
class VarintReader {
  at = 0;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  next(): number {
    const bytes = this.bytes;
    let b = bytes[this.at++]!;
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let scale = 0x80;
    do {
      b = bytes[this.at++]!;
      value += (b & 0x7f) * scale;
      scale *= 0x80;
    } while (b >= 0x80);
    return value;
  }
}

/** The blob's header (see the layout at the top); leaves the reader at the body. */
function readHeader(reader: VarintReader): { keyCount: number; entityCount: number; relationshipCount: number; bodyBytes: number } {
  const format = reader.next();
  if (format !== FORMAT) throw new Error(`Unknown contribution format ${format}`);
  return { keyCount: reader.next(), entityCount: reader.next(), relationshipCount: reader.next(), bodyBytes: reader.next() };
}

/** Unpacks a stored contribution; key indexes become global key ids. */
export function unpackContribution(blob: Uint8Array, stringsJson: string): DecodedContribution {
  const reader = new VarintReader(blob);
  const get = (): number => reader.next();
  const { keyCount, entityCount, relationshipCount, bodyBytes } = readHeader(reader);
  const body = reader.at;
  reader.at = body + bodyBytes;
  const keyIds = new Int32Array(keyCount);
  const roles = new Int32Array(keyCount);
  for (let i = 0; i < keyCount; i++) {
    keyIds[i] = get();
    roles[i] = get();
  }
  reader.at = body;
  const entities = new Int32Array(entityCount * ENTITY_STRIDE);
  for (let i = 0, o = 0; i < entityCount; i++, o += ENTITY_STRIDE) {
    entities[o + E_KEY] = keyIds[get()]!;
    const kind = get();
    entities[o + E_KIND] = kind >> 1;
    entities[o + E_DEFINED] = kind & 1;
    entities[o + E_NAME] = get();
    entities[o + E_SCHEMA] = get() - 1;
    entities[o + E_DATABASE] = get() - 1;
    const parent = get();
    entities[o + E_PARENT] = parent === 0 ? -1 : keyIds[parent - 1]!;
    for (let k = 0; k < 4; k++) entities[o + E_RANGE + k] = get();
  }
  const relationships = new Int32Array(relationshipCount * RELATIONSHIP_STRIDE);
  for (let i = 0, o = 0; i < relationshipCount; i++, o += RELATIONSHIP_STRIDE) {
    const type = get();
    relationships[o + R_TYPE] = type >> 1;
    relationships[o + R_CONFIDENCE] = type & 1;
    relationships[o + R_FROM] = keyIds[get()]!;
    relationships[o + R_TO] = keyIds[get()]!;
    for (let k = 0; k < 4; k++) relationships[o + R_RANGE + k] = get();
    relationships[o + R_OPERATION] = get() - 1;
  }
  return { keyIds, roles, entities, relationships, strings: JSON.parse(stringsJson) as string[] };
}

/** Replaces one key id in a decoded contribution (a rename's `file:` actor). */
export function renameKey(c: DecodedContribution, from: number, to: number): void {
  for (let i = 0; i < c.keyIds.length; i++) if (c.keyIds[i] === from) c.keyIds[i] = to;
  for (let o = 0; o < c.entities.length; o += ENTITY_STRIDE) {
    if (c.entities[o + E_KEY] === from) c.entities[o + E_KEY] = to;
    if (c.entities[o + E_PARENT] === from) c.entities[o + E_PARENT] = to;
  }
  for (let o = 0; o < c.relationships.length; o += RELATIONSHIP_STRIDE) {
    if (c.relationships[o + R_FROM] === from) c.relationships[o + R_FROM] = to;
    if (c.relationships[o + R_TO] === from) c.relationships[o + R_TO] = to;
  }
}
