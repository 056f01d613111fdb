/** A one-line progress bar on a terminal; silent elsewhere (pipes, CI logs). */
export class ProgressBar {
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private lastDraw = 0;
  private drawn = false;

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
  }

  update(done: number, total: number, label: string): void {
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < 80 && done < total) return;
    this.lastDraw = now;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
