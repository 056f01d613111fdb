/**
 * Rows Neo4j refused, one JSON object per line. A letter is fsynced before
 * its batch counts as done, so acknowledging a file in the store never loses
 * a row silently. A crash mid-append leaves a torn last line, which the
 * reader skips (and the next append starts on a fresh line).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, fstatSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type DeadLetterStage = 'file' | 'entity' | 'relationship';

export interface DeadLetter {
  /** ISO time the row was refused. */
  at: string;
  /** Neo4j's status code, e.g. Neo.ClientError.Statement.TypeError. */
  code: string;
  message: string;
  /** The workspace file the row came from. */
  file: string;
  /** That file's content hash when the row was refused (null for a removed file). */
  contentHash: string | null;
  stage: DeadLetterStage;
  /** The label (entities) or `TYPE:from:to` group (relationships) the row was sent with. */
  group: string;
  row: unknown;
}

export function deadLetterPath(workspaceRoot: string): string {
  return join(workspaceRoot, '.sqlgraph', 'neo4j-dead-letters.jsonl');
}

export interface DeadLetterRead {
  letters: DeadLetter[];
  /** Lines that could not be parsed (a torn last line from a crash counts here). */
  skipped: number;
}

export class DeadLetterLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Appends and fsyncs; returns once the letters are durable. */
  append(letters: readonly DeadLetter[]): void {
    if (letters.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a+');
    try {
      const text = letters.map((l) => `${JSON.stringify(l)}\n`).join('');
      writeSync(fd, endsTorn(fd) ? `\n${text}` : text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  read(): DeadLetterRead {
    if (!existsSync(this.path)) return { letters: [], skipped: 0 };
    const letters: DeadLetter[] = [];
    let skipped = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const value = JSON.parse(line) as unknown;
        if (isDeadLetter(value)) letters.push(value);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    return { letters, skipped };
  }

  count(): number {
    return this.read().letters.length;
  }

  /** Replaces the log atomically (write, fsync, rename). */
  rewrite(letters: readonly DeadLetter[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, letters.map((l) => `${JSON.stringify(l)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

function endsTorn(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

function isDeadLetter(value: unknown): value is DeadLetter {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['file'] === 'string' && typeof v['stage'] === 'string' && typeof v['group'] === 'string' && 'row' in v;
}
