/**
 * The status bar item `sqlGraph.status` (the rust-analyzer pattern: one item
 * that says how the server is doing, with details in its tooltip). It only
 * repaints on server notifications, which arrive at most once a second.
 */
import * as vscode from 'vscode';
import type { StatusParams } from '../shared/protocol.ts';
import { statusText, statusTooltip, TOOLTIP_COMMANDS } from './statusFormat.ts';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly neo4jConfigured: () => boolean;

  constructor(neo4jConfigured: () => boolean) {
    this.neo4jConfigured = neo4jConfigured;
    this.item = vscode.window.createStatusBarItem('sqlGraph.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'SQL Graph';
    this.item.command = { command: 'sqlGraph.showCacheStats', title: 'Show Cache Stats' };
    this.update(undefined);
    this.item.show();
  }

  update(status: StatusParams | undefined): void {
    const configured = this.neo4jConfigured();
    this.item.text = statusText(status, configured);
    const tooltip = new vscode.MarkdownString(statusTooltip(status, configured), true);
    tooltip.isTrusted = { enabledCommands: [...TOOLTIP_COMMANDS] };
    this.item.tooltip = tooltip;
    const health = status?.health ?? 'ok';
    this.item.backgroundColor = health === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : health === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
