/**
 * Retry timing for transient failures: exponential from 1 s, doubling to
 * 16 s, then steady at 16 s for as long as the outage lasts. Jitter spreads
 * writers that failed together so they do not return together.
 */
export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Fraction of the delay added or removed at random (0.2: ±20 %). */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 16_000, jitter: 0.2 };

/** The delay before retry number `attempt` (0 for the first retry). */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
