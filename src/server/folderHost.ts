/**
 * One workspace folder on the server: its pipeline (parse cache and graph
 * store under `<folder>/.sqlgraph/`, its own worker pool), its include
 * filter, and at most one whole-folder ingest at a time (a second request
 * joins the running one instead of racing it).
 */
import { relative, sep } from 'node:path';
import { IngestPipeline, type IngestProgress, type IngestSummary } from '../engine/pipeline/ingestPipeline.ts';
import type { FileEvent } from '../engine/pipeline/batcher.ts';
import type { PipelineLog } from '../engine/pipeline/pipelineOptions.ts';
import type { ServerSettings } from '../shared/protocol.ts';
import { compileFileFilter } from './globFilter.ts';
import { pipelineOptionsFor } from './settings.ts';

interface IngestRun {
  promise: Promise<IngestSummary>;
  abort: AbortController;
  listeners: Set<(p: IngestProgress) => void>;
  progress: IngestProgress;
}

export class FolderHost {
  readonly uri: string;
  readonly root: string;
  readonly pipeline: IngestPipeline;
  private filter: (relativePath: string) => boolean;
  private run: IngestRun | undefined;

  static async open(uri: string, root: string, settings: ServerSettings, workerScript: URL | undefined, log: PipelineLog): Promise<FolderHost> {
    // The pipeline asks the host (created after it) whether a file is included.
    const ref: { host?: FolderHost } = {};
    const include = (absolutePath: string): boolean => ref.host?.includes(absolutePath) ?? false;
    const pipeline = await IngestPipeline.open(pipelineOptionsFor(root, settings, { workerScript, include, log }));
    ref.host = new FolderHost(uri, root, pipeline, settings);
    return ref.host;
  }

  private constructor(uri: string, root: string, pipeline: IngestPipeline, settings: ServerSettings) {
    this.uri = uri;
    this.root = root;
    this.pipeline = pipeline;
    this.filter = compileFileFilter(settings.include, settings.exclude);
  }

  /** Include/exclude globs apply live: the next event or ingest uses them. */
  applySettings(settings: ServerSettings): void {
    this.filter = compileFileFilter(settings.include, settings.exclude);
  }

  relativePath(absolutePath: string): string {
    const rel = relative(this.root, absolutePath);
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  contains(absolutePath: string): boolean {
    const rel = relative(this.root, absolutePath);
    return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-z]:/i.test(rel);
  }

  includes(absolutePath: string): boolean {
    return this.contains(absolutePath) && this.filter(this.relativePath(absolutePath));
  }

  /** Deletes always pass: a file that is now excluded must still leave the graph. */
  handleEvent(kind: FileEvent['kind'] & ('save' | 'create' | 'change' | 'delete'), absolutePath: string): boolean {
    if (kind !== 'delete' && !this.includes(absolutePath)) return false;
    if (kind === 'delete' && !this.contains(absolutePath)) return false;
    this.pipeline.handleEvent({ kind, path: absolutePath });
    return true;
  }

  get ingestProgress(): IngestProgress | undefined {
    return this.run?.progress;
  }

  /** Runs (or joins) the whole-folder ingest. Rejects with an AbortError when cancelled. */
  ingest(onProgress: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestSummary> {
    let run = this.run;
    if (!run) {
      const abort = new AbortController();
      const listeners = new Set<(p: IngestProgress) => void>();
      const progress = { done: 0, total: 0 };
      const promise = this.pipeline.ingestAll({
        signal: abort.signal,
        onProgress: (p) => {
          progress.done = p.done;
          progress.total = p.total;
          for (const l of listeners) l(p);
        },
      });
      const created: IngestRun = { promise, abort, listeners, progress };
      run = created;
      this.run = created;
      const clear = (): void => {
        if (this.run === created) this.run = undefined;
      };
      promise.then(clear, clear);
    }
    const current = run;
    current.listeners.add(onProgress);
    const onAbort = (): void => current.abort.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const detach = (): void => {
      current.listeners.delete(onProgress);
      signal?.removeEventListener('abort', onAbort);
    };
    return current.promise.finally(detach);
  }

  /** Cancels the running ingest; false when none runs. */
  cancel(): boolean {
    if (!this.run) return false;
    this.run.abort.abort();
    return true;
  }

  async close(): Promise<void> {
    this.cancel();
    await this.run?.promise.catch(() => undefined);
    await this.pipeline.close();
  }
}
