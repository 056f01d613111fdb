/**
 * Replacing a stored file with a slightly different contribution takes the
 * store's diff path (only changed keys and sources are touched). Property:
 * after random small edits, mixed with whole new files, removes and renames,
 * every query answers as in a store built from scratch with the final states.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Entity, EntityKind, Relationship, RelationshipType } from '../../src/engine/model/graph.ts';
import { openGraphStore, type GraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';
import { prng } from '../helpers/prng.ts';

const SEQUENCES = 120;
const PATHS = ['a.sql', 'b.sql', 'c.sql', 'dir/d.sql'];
const KEYS = Array.from({ length: 24 }, (_, i) => `rel:s.t${i}`);
const KINDS: EntityKind[] = ['table', 'view', 'column'];
const TYPES: RelationshipType[] = ['READS_FROM', 'WRITES_TO', 'DERIVED_FROM', 'REFERENCES'];

interface State {
  entities: Entity[];
  relationships: Relationship[];
  meta: FileMeta;
}

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const range = () => {
    const line = Math.floor(random() * 3);
    const character = Math.floor(random() * 2);
    return { start: { line, character }, end: { line: line + Math.floor(random() * 2), character: character + 1 + Math.floor(random() * 2) } };
  };
  const entity = (path: string, key: string): Entity => {
    const e: Entity = { key, kind: pick(KINDS), name: random() < 0.5 ? key.slice(6) : key.slice(6).toUpperCase(), file: path, range: range(), defined: random() < 0.4 };
    if (random() < 0.3) e.schema = 's';
    if (random() < 0.2) e.database = 'd';
    if (random() < 0.2) e.parent = pick(KEYS);
    return e;
  };
  const relationship = (path: string): Relationship => {
    const r: Relationship = { type: pick(TYPES), from: random() < 0.3 ? `file:${path}` : pick(KEYS), to: pick(KEYS), file: path, range: range(), confidence: random() < 0.5 ? 'high' : 'low' };
    if (r.type === 'WRITES_TO') r.operation = pick(['INSERT', 'UPDATE']);
    return r;
  };
  const meta = (): FileMeta => ({ contentHash: String(Math.floor(random() * 1e9)), dialect: 'generic', statements: 1, parsed: 1, fallback: 0, diagnostics: [] });
  const fresh = (path: string): State => {
    const entities = new Map<string, Entity>();
    for (let i = 0; i < 12; i++) {
      const key = pick(KEYS);
      entities.set(key, entity(path, key));
    }
    return { entities: [...entities.values()], relationships: Array.from({ length: 16 }, () => relationship(path)), meta: meta() };
  };
  /** One to three small changes: the common case after editing one statement. */
  const edit = (path: string, state: State): State => {
    const entities = [...state.entities];
    const relationships = [...state.relationships];
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const roll = random();
      const i = Math.floor(random() * entities.length);
      const j = Math.floor(random() * relationships.length);
      if (roll < 0.35 && entities[i]) {
        const e = { ...entities[i] };
        const what = random();
        if (what < 0.2) e.range = range();
        else if (what < 0.4) e.defined = !e.defined;
        else if (what < 0.55) e.name = `${e.name}x`;
        else if (what < 0.7) e.kind = pick(KINDS);
        else if (what < 0.85) {
          if (e.schema === undefined) e.schema = 's';
          else delete e.schema;
        } else if (e.parent === undefined) e.parent = pick(KEYS);
        else delete e.parent;
        entities[i] = e;
      } else if (roll < 0.45 && entities[i]) entities.splice(i, 1);
      else if (roll < 0.6) {
        const key = pick(KEYS);
        if (!entities.some((e) => e.key === key)) entities.push(entity(path, key));
      } else if (roll < 0.7 && relationships[j]) relationships.splice(j, 1);
      else if (roll < 0.85) relationships.push(relationship(path));
      else if (relationships[j]) relationships[j] = { ...relationships[j], confidence: relationships[j].confidence === 'high' ? 'low' : 'high' };
    }
    return { entities, relationships, meta: meta() };
  };
  return { pick, fresh, edit };
}

function moved(state: State, from: string, to: string): State {
  const key = (k: string) => (k === `file:${from}` ? `file:${to}` : k);
  return {
    entities: state.entities.map((e) => ({ ...e, key: key(e.key), file: to, ...(e.parent !== undefined ? { parent: key(e.parent) } : {}) })),
    relationships: state.relationships.map((r) => ({ ...r, from: key(r.from), to: key(r.to), file: to })),
    meta: state.meta,
  };
}

/** Every query the store answers, in a comparable form. */
function answers(store: GraphStore): unknown {
  const keys = [...KEYS, ...PATHS.map((p) => `file:${p}`)];
  return {
    all: store.exportAll(),
    counts: store.counts(),
    files: store.files().map(({ updatedAt: _, ...f }) => f),
    keys: keys.map((k) => [k, store.entity(k), store.definitionsOf(k), store.readersOf(k), store.writersOf(k), store.childrenOf(k), store.filesContributing([k])]),
    lineage: store.lineage(KEYS[0]!, { direction: 'upstream', depth: 3 }),
    contributions: PATHS.map((p) => store.fileContribution(p)),
    found: store.findEntities('t1'),
  };
}

function runSequence(seed: number): void {
  const random = prng(seed);
  const { pick, fresh, edit } = generator(random);
  const store = openGraphStore(':memory:');
  const states = new Map<string, State>();
  const touched = new Set<string>();
  const put = (path: string, state: State) => {
    states.set(path, state);
    touched.add(path);
  };
  for (const path of PATHS) put(path, fresh(path));
  store.applyFiles([...states].map(([path, s]) => ({ path, fragment: s, meta: s.meta })));
  for (let step = 0; step < 25; step++) {
    const roll = random();
    if (roll < 0.6) {
      // A batch of small edits, sometimes two of the same file.
      const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(PATHS)).filter((p) => states.has(p));
      const updates = batch.map((path) => {
        const state = edit(path, states.get(path)!);
        put(path, state);
        return { path, fragment: state, meta: state.meta };
      });
      store.applyFiles(updates);
    } else if (roll < 0.7) {
      const path = pick(PATHS);
      const state = fresh(path);
      store.applyFile(path, state, state.meta);
      put(path, state);
    } else if (roll < 0.8) {
      const path = pick(PATHS);
      const existed = states.delete(path);
      assert.equal(store.removeFile(path), existed);
      if (existed) touched.add(path);
    } else if (roll < 0.9) {
      const from = pick(PATHS);
      const to = pick(PATHS);
      const state = states.get(from);
      assert.equal(store.renameFile(from, to), state !== undefined);
      if (state && from !== to) {
        states.delete(from);
        put(to, moved(state, from, to));
        touched.add(from);
      }
    } else {
      for (const p of store.pendingFiles(1000)) store.acknowledge(p.path, p.version);
      touched.clear();
    }
  }
  const scratch = openGraphStore(':memory:');
  for (const [path, state] of states) scratch.applyFile(path, state, state.meta);
  assert.deepEqual(answers(store), answers(scratch), `seed ${seed}`);
  assert.deepEqual(store.pendingFiles(1000).map((p) => p.path).sort(), [...touched].sort(), `seed ${seed}`);
  store.close();
  scratch.close();
}

it(`small edits answer every query as a from-scratch store does (${SEQUENCES} sequences)`, () => {
  for (let seed = 1; seed <= SEQUENCES; seed++) runSequence(seed);
});

it('an edit that changes one source leaves the other files winning where they won', () => {
  const store = openGraphStore(':memory:');
  const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 5 } });
  const meta = (h: string): FileMeta => ({ contentHash: h, dialect: 'generic', statements: 1, parsed: 1, fallback: 0, diagnostics: [] });
  const t = (file: string, line: number, defined: boolean): Entity => ({ key: 'rel:s.t', kind: 'table', name: 't', file, range: range(line), defined });
  const u = (file: string): Entity => ({ key: 'rel:s.u', kind: 'table', name: 'u', file, range: range(0), defined: false });
  store.applyFile('a.sql', { entities: [t('a.sql', 1, false), u('a.sql')], relationships: [] }, meta('1'));
  store.applyFile('b.sql', { entities: [t('b.sql', 0, true)], relationships: [] }, meta('2'));
  assert.equal(store.entity('rel:s.t')?.file, 'b.sql');
  // a.sql now defines t: a definition at the smaller path wins; u is untouched.
  store.applyFile('a.sql', { entities: [t('a.sql', 1, true), u('a.sql')], relationships: [] }, meta('3'));
  assert.equal(store.entity('rel:s.t')?.file, 'a.sql');
  assert.deepEqual(store.entity('rel:s.u'), u('a.sql'));
  // Back to a reference: b.sql wins again.
  store.applyFile('a.sql', { entities: [t('a.sql', 2, false), u('a.sql')], relationships: [] }, meta('4'));
  assert.equal(store.entity('rel:s.t')?.file, 'b.sql');
  assert.deepEqual(store.counts().entities, { table: 2 });
  store.close();
});

it('a catalog slice is rewritten when its signature or its text changed, and only then kept as it was', () => {
  const store = openGraphStore(':memory:');
  store.setCatalogSlice('a.sql', { signature: 's1', json: '{"v":1}' });
  store.setCatalogSlice('a.sql', { signature: 's1', json: '{"v":1}' });
  assert.deepEqual(store.catalogSlices(), [{ path: 'a.sql', signature: 's1', json: '{"v":1}' }]);
  // Same signature (DDL moved down a line), new text: the text is still brought up to date.
  store.setCatalogSlice('a.sql', { signature: 's1', json: '{"v":2}' });
  assert.deepEqual(store.catalogSlices(), [{ path: 'a.sql', signature: 's1', json: '{"v":2}' }]);
  store.setCatalogSlice('a.sql', { signature: 's2', json: '{"v":2}' });
  assert.deepEqual(store.catalogSlices(), [{ path: 'a.sql', signature: 's2', json: '{"v":2}' }]);
  store.setCatalogSlice('a.sql', undefined);
  assert.deepEqual(store.catalogSlices(), []);
  store.close();
});

it('applying a file again with the same content and contribution writes nothing and leaves Neo4j nothing to do', () => {
  const random = prng(11);
  const { fresh, edit } = generator(random);
  const store = openGraphStore(':memory:');
  const state = fresh('a.sql');
  store.applyFile('a.sql', state, state.meta);
  for (const p of store.pendingFiles()) store.acknowledge(p.path, p.version);
  const before = store.file('a.sql');
  store.applyFile('a.sql', { entities: [...state.entities], relationships: [...state.relationships] }, state.meta);
  assert.deepEqual(store.pendingFiles(), [], 'nothing pending');
  assert.deepEqual(store.file('a.sql'), before, 'the row untouched');
  // The same content hash with a different contribution (a re-resolution that changed something) is written.
  let changed = edit('a.sql', state);
  while (JSON.stringify(changed.relationships) === JSON.stringify(state.relationships) && JSON.stringify(changed.entities) === JSON.stringify(state.entities)) changed = edit('a.sql', state);
  store.applyFile('a.sql', changed, state.meta);
  assert.deepEqual(store.pendingFiles().map((p) => p.path), ['a.sql']);
  assert.deepEqual(store.fileContribution('a.sql'), fromScratch('a.sql', changed));
  store.close();
});

function fromScratch(path: string, state: State): unknown {
  const store = openGraphStore(':memory:');
  store.applyFile(path, state, state.meta);
  const contribution = store.fileContribution(path);
  store.close();
  return contribution;
}
