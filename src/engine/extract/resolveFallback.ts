/**
 * The parts of resolution that do not come from parsed statements: the dbt
 * model a templated file defines (from its ref/source calls) and the
 * relations the tolerant token scan recovered from unparsable statements
 * (all with confidence 'low').
 */
import type { ObjectName } from '../model/statements.ts';
import type { Range } from '../model/range.ts';
import { indexKey, relationKey, routineKey, sequenceKey, triggerKey } from './keys.ts';
import { foldPart, qualify } from './names.ts';
import type { Actor, FileResolver } from './resolve.ts';
import { relationRead } from './scope.ts';
import type { WalkedFallback } from './statementWalk.ts';

const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function defineDbtModel(r: FileResolver, key: string): void {
  const model = r.file.dbtModel;
  if (!model) return;
  const first = r.file.statements[0]?.range;
  const last = r.file.statements.at(-1)?.range;
  const range: Range = first && last ? { start: first.start, end: last.end } : ZERO_RANGE;
  const q = qualify([{ value: model.name, quoted: false }], r.options);
  r.define(key, 'dbt_model', model.name, range, 'high', { qualified: q });
  const depend = (name: ObjectName, at: Range): void => {
    const rel = r.target(name, r.options, at);
    r.b.relate('DEPENDS_ON', key, rel.key, at, 'high');
    r.b.relate('READS_FROM', key, rel.key, at, 'high');
  };
  for (const ref of model.template.refs) depend([{ value: ref.name, quoted: false }], ref.range);
  for (const src of model.template.sources) depend([{ value: src.source, quoted: false }, { value: src.table, quoted: false }], src.range);
}

export function resolveFallback(r: FileResolver, w: WalkedFallback): void {
  const fb = w.parsed.fallback;
  if (!fb) return;
  const { options } = w;
  const range = w.parsed.range;
  let actor: Actor | undefined = w.parsed.owner ? r.ownerActor(w.parsed.owner, options, range) : undefined;
  let createdTable: string | undefined;
  for (const c of fb.creates) {
    const q = qualify(c.name, options);
    let key: string;
    switch (c.kind) {
      case 'table':
      case 'view':
      case 'materialized_view':
        key = relationKey(q);
        if (c.kind === 'table') createdTable ??= key;
        else actor ??= { key, dependsOn: true };
        break;
      case 'procedure':
      case 'function':
        key = routineKey(c.kind, q);
        actor ??= { key, dependsOn: false };
        break;
      case 'trigger':
        key = triggerKey(q);
        actor ??= { key, dependsOn: false };
        break;
      case 'index':
        key = indexKey(q);
        break;
      case 'sequence':
        key = sequenceKey(q);
        break;
    }
    r.define(key, c.kind, c.name, range, 'low', { qualified: q });
    // A CREATE TABLE no parser accepted still names its columns.
    for (const column of c.columns ?? []) r.definedColumn(key, foldPart(column, options.dialect), column.value, range, 'low');
  }
  actor ??= r.model ? { key: r.model.key, dependsOn: true } : r.fileActor;
  for (const name of fb.reads) {
    const rel = r.target(name, options, range);
    r.b.relate('READS_FROM', actor.key, rel.key, range, 'low');
    if (actor.dependsOn) r.b.relate('DEPENDS_ON', actor.key, rel.key, range, 'low');
  }
  for (const wr of fb.writes) {
    const rel = r.target(wr.name, options, range);
    r.b.relate('WRITES_TO', actor.key, rel.key, range, 'low', wr.operation);
  }
  const referrer = createdTable ?? (fb.writes[0] ? relationRead(fb.writes[0].name, options).key : undefined);
  if (!referrer) return;
  for (const name of fb.references) r.b.relate('REFERENCES', referrer, r.target(name, options, range).key, range, 'low');
}
