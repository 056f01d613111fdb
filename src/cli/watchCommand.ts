import { IngestPipeline } from '../engine/pipeline/ingestPipeline.ts';
import { WatchSession } from '../engine/pipeline/watchSession.ts';
import { formatIngest } from './ingestCommand.ts';
import { pipelineOptionsFrom, workspaceRoot, type PipelineArgValues } from './pipelineArgs.ts';
import type { CliStreams } from './run.ts';

/** Ingests, then keeps the graph current until interrupted (Ctrl-C) or `signal` aborts. */
export async function watchCommand(args: { values: PipelineArgValues; positionals: string[] }, streams: CliStreams, signal?: AbortSignal): Promise<number> {
  const root = workspaceRoot(args.positionals, 'watch');
  const json = args.values.json === true;
  const say = (line: object | string): void => {
    streams.out.write(json ? `${JSON.stringify(line)}\n` : `${String(line)}\n`);
  };
  const pipeline = await IngestPipeline.open(
    pipelineOptionsFrom(args.values, root, (level, message) => {
      if (level !== 'info') streams.err.write(`sqlgraph: ${level}: ${message}\n`);
    }),
  );
  pipeline.onBatchApplied((batch) => {
    if (json) say({ event: 'batch', files: batch.paths, millis: batch.millis });
    else if (batch.paths.length > 0) say(`updated ${batch.paths.length} file(s) in ${batch.millis.toFixed(1)} ms: ${batch.paths.slice(0, 5).join(', ')}${batch.paths.length > 5 ? ', …' : ''}`);
  });
  const { session, initial } = await WatchSession.start(pipeline, {
    isIncluded: (p) => p.toLowerCase().endsWith('.sql'),
    onRescan: (summary) => (json ? say({ event: 'rescan', summary }) : say(`rescanned: ${summary.parsed} parsed, ${summary.removed} removed`)),
    onError: (error) => streams.err.write(`sqlgraph: watch: ${error.message}\n`),
  });
  if (json) say({ event: 'ready', summary: initial, counts: pipeline.store.counts() });
  else streams.out.write(`${formatIngest(initial, pipeline.store.counts(), pipeline.snapshot())}Watching ${root} (Ctrl-C to stop)\n`);

  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  session.close();
  await pipeline.close();
  return 0;
}
