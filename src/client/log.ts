/**
 * The "SQL Graph" output channel (a LogOutputChannel, so VS Code shows levels
 * and timestamps). Never revealed on its own: only "SQL Graph: Show Output"
 * opens it. Callers pass no secrets; passwords never reach this class.
 */
import * as vscode from 'vscode';
import type { LogLevel } from '../shared/protocol.ts';

const ORDER: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly level: () => LogLevel;

  constructor(level: () => LogLevel) {
    this.channel = vscode.window.createOutputChannel('SQL Graph', { log: true });
    this.level = level;
  }

  private enabled(level: Exclude<LogLevel, 'off'>): boolean {
    const configured = this.level();
    return configured !== 'off' && ORDER.indexOf(level) <= ORDER.indexOf(configured);
  }

  debug(message: string): void {
    if (this.enabled('debug')) this.channel.debug(message);
  }
  info(message: string): void {
    if (this.enabled('info')) this.channel.info(message);
  }
  warn(message: string): void {
    if (this.enabled('warn')) this.channel.warn(message);
  }
  error(message: string, error?: unknown): void {
    if (!this.enabled('error')) return;
    this.channel.error(error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
