/**
 * Property: whatever sequence of applies, removes and renames reaches a set
 * of final file states, the store equals a fresh store built from only those
 * states, and its merged entities follow the merge rule computed here
 * independently.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../../src/engine/model/graph.ts';
import { openGraphStore, type GraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';
import { prng } from '../helpers/prng.ts';

const SEQUENCES = 200;
const OPS_PER_SEQUENCE = 30;
const PATHS = Array.from({ length: 20 }, (_, i) => `dir${i % 3}/f${i}.sql`);
const KEYS = Array.from({ length: 30 }, (_, i) => `rel:s.t${i}`);
const KINDS: EntityKind[] = ['table', 'view', 'column', 'procedure'];
const TYPES: RelationshipType[] = ['READS_FROM', 'WRITES_TO', 'DEPENDS_ON', 'DERIVED_FROM', 'REFERENCES'];

interface FileState {
  fragment: GraphFragment;
  meta: FileMeta;
}

function randomFile(random: () => number, path: string): FileState {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const line = () => Math.floor(random() * 4);
  const range = () => {
    const start = { line: line(), character: Math.floor(random() * 3) };
    return { start, end: { line: start.line, character: start.character + 1 + Math.floor(random() * 3) } };
  };
  const entities = new Map<string, Entity>();
  const entityCount = Math.floor(random() * 8);
  for (let i = 0; i < entityCount; i++) {
    const key = pick(KEYS);
    const e: Entity = { key, kind: pick(KINDS), name: key.slice(6).toUpperCase(), file: path, range: range(), defined: random() < 0.4 };
    if (random() < 0.3) e.schema = 's';
    if (random() < 0.2) e.parent = pick(KEYS);
    entities.set(key, e);
  }
  // The file node sometimes appears as an entity key and a parent, so rename must rewrite those too.
  if (random() < 0.1) entities.set(`file:${path}`, { key: `file:${path}`, kind: 'table', name: 'f', file: path, range: range(), defined: true, parent: `file:${path}` });
  const relationships: Relationship[] = [];
  const relationshipCount = Math.floor(random() * 8);
  for (let i = 0; i < relationshipCount; i++) {
    const actor = random() < 0.3 ? `file:${path}` : pick(KEYS);
    const r: Relationship = { type: pick(TYPES), from: actor, to: random() < 0.1 ? `file:${path}` : pick(KEYS), file: path, range: range(), confidence: random() < 0.5 ? 'high' : 'low' };
    if (r.type === 'WRITES_TO') r.operation = pick(['INSERT', 'UPDATE']);
    relationships.push(r);
  }
  // Sometimes the same edge twice, found once by the parser and once by the fallback scan.
  const twin = relationships[0];
  if (twin && random() < 0.2) relationships.push({ ...twin, confidence: twin.confidence === 'high' ? 'low' : 'high' });
  for (const e of entities.values()) if (e.defined) relationships.push({ type: 'DEFINES', from: `file:${path}`, to: e.key, file: path, range: e.range, confidence: 'high' });
  const meta: FileMeta = { contentHash: String(Math.floor(random() * 1e9)), dialect: 'generic', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };
  return { fragment: { entities: [...entities.values()], relationships }, meta };
}

/** What extracting the same content at the new path would produce. */
function movedState(state: FileState, from: string, to: string): FileState {
  const key = (k: string) => (k === `file:${from}` ? `file:${to}` : k);
  const entities = state.fragment.entities.map((e) => {
    const moved: Entity = { ...e, key: key(e.key), file: to };
    if (e.parent !== undefined) moved.parent = key(e.parent);
    return moved;
  });
  const relationships = state.fragment.relationships.map((r) => ({ ...r, from: key(r.from), to: key(r.to), file: to }));
  return { fragment: { entities, relationships }, meta: state.meta };
}

/** The relationships a file keeps: the first of each duplicate edge, upgraded to high confidence if any copy is. */
function keptRelationships(relationships: Relationship[]): Relationship[] {
  const kept: Relationship[] = [];
  for (const r of relationships) {
    const same = kept.findIndex((k) => k.type === r.type && k.from === r.from && k.to === r.to && k.operation === r.operation && JSON.stringify(k.range) === JSON.stringify(r.range));
    if (same < 0) kept.push(r);
    else if (r.confidence === 'high') kept[same] = r;
  }
  return kept;
}

function expectedEntities(states: Map<string, FileState>): Entity[] {
  const best = new Map<string, Entity>();
  const before = (a: Entity, b: Entity): boolean => {
    if (a.defined !== b.defined) return a.defined;
    if (a.file !== b.file) return a.file < b.file;
    const ra = [a.range.start.line, a.range.start.character, a.range.end.line, a.range.end.character];
    const rb = [b.range.start.line, b.range.start.character, b.range.end.line, b.range.end.character];
    const i = ra.findIndex((v, j) => v !== rb[j]);
    return i >= 0 && ra[i]! < rb[i]!;
  };
  for (const state of states.values()) {
    for (const e of state.fragment.entities) {
      const seen = best.get(e.key);
      if (!seen || before(e, seen)) best.set(e.key, e);
    }
  }
  return [...best.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

function runSequence(seed: number): void {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const store = openGraphStore(':memory:');
  const states = new Map<string, FileState>();
  const touched = new Set<string>();
  const apply = (s: GraphStore, path: string, state: FileState) => s.applyFile(path, state.fragment, state.meta);
  const operation = () => {
    const roll = random();
    if (roll < 0.5) {
      const path = pick(PATHS);
      const state = randomFile(random, path);
      apply(store, path, state);
      states.set(path, state);
      touched.add(path);
    } else if (roll < 0.6) {
      const paths = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(PATHS));
      const batch = paths.map((path) => ({ path, ...randomFile(random, path) }));
      store.applyFiles(batch);
      for (const b of batch) states.set(b.path, b);
      for (const path of paths) touched.add(path);
    } else if (roll < 0.75) {
      const path = pick(PATHS);
      const existed = states.delete(path);
      assert.equal(store.removeFile(path), existed);
      if (existed) touched.add(path);
    } else if (roll < 0.95) {
      const from = pick(PATHS);
      const to = pick(PATHS);
      const state = states.get(from);
      assert.equal(store.renameFile(from, to), state !== undefined);
      if (state && from !== to) {
        states.delete(from);
        states.set(to, movedState(state, from, to));
        touched.add(from).add(to);
      }
    } else {
      for (const p of store.pendingFiles(1000)) store.acknowledge(p.path, p.version);
      touched.clear();
    }
  };
  for (let i = 0; i < OPS_PER_SEQUENCE; i++) {
    if (random() < 0.1) store.transaction(() => { operation(); operation(); });
    else operation();
  }

  const fresh = openGraphStore(':memory:');
  const finalPaths = [...states.keys()];
  // Build the fresh store in a shuffled order: the result must not depend on it.
  for (let i = finalPaths.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [finalPaths[i], finalPaths[j]] = [finalPaths[j]!, finalPaths[i]!];
  }
  for (const path of finalPaths) apply(fresh, path, states.get(path)!);

  const context = `seed ${seed}`;
  const actual = store.exportAll();
  assert.deepEqual(actual, fresh.exportAll(), context);
  assert.deepEqual(actual.entities, expectedEntities(states), context);
  assert.equal(actual.relationships.length, [...states.values()].reduce((n, s) => n + keptRelationships(s.fragment.relationships).length, 0), context);
  assert.deepEqual(store.counts(), fresh.counts(), context);
  assert.deepEqual(store.files().map((f) => [f.path, f.contentHash]), [...states].map(([p, s]) => [p, s.meta.contentHash]).sort(), context);
  for (const [path, state] of states) {
    const back = store.fileContribution(path);
    assert.deepEqual(back?.relationships, keptRelationships(state.fragment.relationships), context);
    assert.deepEqual(back?.entities, [...state.fragment.entities].sort((a, b) => (a.key < b.key ? -1 : 1)), context);
  }
  const pending = store.pendingFiles(1000);
  assert.deepEqual(pending.map((p) => p.path).sort(), [...touched].sort(), context);
  for (const p of pending) assert.equal(p.removed, !states.has(p.path), context);
  store.close();
  fresh.close();
}

it(`matches a from-scratch ingest after ${SEQUENCES} random change sequences`, () => {
  for (let seed = 1; seed <= SEQUENCES; seed++) runSequence(seed);
});
