/**
 * Diagnostics as you type: an open document's unsaved text is parsed after a
 * quiet period (300 ms by default), on the server's main thread, and only
 * when it is small enough to parse in a few milliseconds; larger documents
 * keep the diagnostics of their last save. Only saves change the graph.
 */
import type { Diagnostic } from '../engine/model/diagnostics.ts';

export interface LiveDocument {
  uri: string;
  version: number;
  getText(): string;
}

export interface LiveDiagnosticsOptions {
  delayMs?: number;
  /** Larger documents are left to the save path. Default 128 KB of text. */
  maxChars?: number;
  parse(uri: string, text: string): Promise<Diagnostic[]>;
  /** The document as it is now (undefined once closed). */
  current(uri: string): LiveDocument | undefined;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  onError(error: unknown): void;
}

export class LiveDiagnostics {
  private readonly options: LiveDiagnosticsOptions;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: LiveDiagnosticsOptions) {
    this.options = options;
  }

  schedule(uri: string): void {
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.run(uri);
      }, this.options.delayMs ?? 300),
    );
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async run(uri: string): Promise<void> {
    const doc = this.options.current(uri);
    if (!doc) return;
    const text = doc.getText();
    if (text.length > (this.options.maxChars ?? 128 * 1024)) return;
    try {
      const diagnostics = await this.options.parse(uri, text);
      const now = this.options.current(uri);
      // A newer edit (or a close) supersedes this result; its own run publishes.
      if (!now || now.version !== doc.version) return;
      this.options.publish(uri, diagnostics);
    } catch (error) {
      this.options.onError(error);
    }
  }
}
