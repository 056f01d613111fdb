/**
 * Collects resolved work as it arrives and applies it in units sized to a
 * time budget: one store transaction has a fixed cost (worth spreading over
 * many files) and blocks a save for as long as it runs (worth keeping
 * short). One unit at a time; the unit size follows the last unit's cost.
 */
export interface UnitApplierOptions<TItem, TResult> {
  apply(items: TItem[], results: TResult[]): Promise<void>;
  /** Milliseconds one unit should take, asked before each unit. */
  budgetMs(): number;
  minItems: number;
  maxItems: number;
}

export class UnitApplier<TItem, TResult> {
  private readonly options: UnitApplierOptions<TItem, TResult>;
  private items: TItem[] = [];
  private results: TResult[] = [];
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** Milliseconds per item of the last unit: a guess until one ran. */
  private perItem = 1;

  constructor(options: UnitApplierOptions<TItem, TResult>) {
    this.options = options;
  }

  add(items: readonly TItem[], result?: TResult): void {
    if (this.failure) return;
    this.items.push(...items);
    if (result !== undefined) this.results.push(result);
    this.kick(false);
  }

  /** Applies everything collected; rejects with the first failure of any unit. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.items.length > 0 && !this.failure) this.kick(true);
      else break;
    }
    if (this.failure) throw this.failure.error;
  }

  private target(): number {
    const { budgetMs, minItems, maxItems } = this.options;
    return Math.min(maxItems, Math.max(minItems, Math.round(budgetMs() / Math.max(this.perItem, 0.01))));
  }

  private kick(force: boolean): void {
    if (this.running || this.failure || this.items.length === 0) return;
    if (!force && this.items.length < this.target()) return;
    const items = this.items;
    const results = this.results;
    this.items = [];
    this.results = [];
    this.running = (async () => {
      const started = performance.now();
      try {
        await this.options.apply(items, results);
        this.perItem = (performance.now() - started) / items.length;
      } catch (error) {
        this.failure ??= { error };
      }
    })().finally(() => {
      this.running = undefined;
      this.kick(false);
    });
  }
}
