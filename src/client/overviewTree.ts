/**
 * The `sqlGraph.overview` tree. Nodes come from treeModel.ts; this class maps
 * them to TreeItems and asks the server for the lazy parts. Refreshes are
 * throttled to once a second, and Graph/Problems are only re-read when the
 * graph changed (graphVersion) or the node is expanded for the first time.
 */
import * as vscode from 'vscode';
import type { EntityKind } from '../engine/model/graph.ts';
import { entitiesRequest, graphKindsRequest, problemsRequest, type EntityItem, type StatusParams } from '../shared/protocol.ts';
import type { Log } from './log.ts';
import { RefreshThrottle } from './refreshThrottle.ts';
import type { ServerController } from './serverController.ts';
import { entityChildren, graphChildren, problemChildren, rootNodes, type TreeNode } from './treeModel.ts';

const PAGE = 200;

interface KindPage {
  items: EntityItem[];
  total: number;
}

export class OverviewTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly server: ServerController;
  private readonly log: Log;
  private readonly throttle: RefreshThrottle;
  private status: StatusParams | undefined;
  private graphVersion = -1;
  private readonly pages = new Map<EntityKind, KindPage>();

  constructor(server: ServerController, log: Log) {
    this.server = server;
    this.log = log;
    this.throttle = new RefreshThrottle(() => this.changed.fire(undefined), 1000);
  }

  update(status: StatusParams | undefined): void {
    this.status = status;
    if (!status || status.graphVersion !== this.graphVersion) {
      this.graphVersion = status?.graphVersion ?? -1;
      this.pages.clear();
    }
    this.throttle.request();
  }

  async loadMore(kind: EntityKind): Promise<void> {
    const page = this.pages.get(kind);
    if (!page) return;
    const client = await this.server.ready();
    const next = await client.sendRequest(entitiesRequest, { kind, offset: page.items.length, limit: PAGE });
    page.items.push(...next.items);
    page.total = next.total;
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state =
      node.collapsible === 'none'
        ? vscode.TreeItemCollapsibleState.None
        : node.collapsible === 'expanded'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
    if (node.contextValue) item.contextValue = node.contextValue;
    if (node.command) item.command = { command: node.command.command, title: node.command.title, ...(node.command.arguments ? { arguments: node.command.arguments } : {}) };
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) return rootNodes(this.status);
    if (node.children) return node.children;
    if (!node.lazy) return [];
    try {
      const client = await this.server.ready();
      switch (node.lazy.type) {
        case 'graph':
          return graphChildren((await client.sendRequest(graphKindsRequest)).kinds);
        case 'problems':
          return problemChildren((await client.sendRequest(problemsRequest)).files);
        case 'kind': {
          const kind = node.lazy.kind;
          let page = this.pages.get(kind);
          if (!page) {
            const first = await client.sendRequest(entitiesRequest, { kind, offset: 0, limit: PAGE });
            page = { items: first.items, total: first.total };
            this.pages.set(kind, page);
          }
          return entityChildren(kind, page.items, page.total);
        }
      }
    } catch (error) {
      this.log.warn(`tree: ${error instanceof Error ? error.message : String(error)}`);
      return [{ id: `${node.id}.error`, label: 'Not available (see the SQL Graph output)', icon: 'warning', collapsible: 'none' }];
    }
  }

  dispose(): void {
    this.throttle.dispose();
    this.changed.dispose();
  }
}
