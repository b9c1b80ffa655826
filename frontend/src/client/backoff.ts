// Reconnect timing: exponential backoff with jitter, so thirty phones that
// lost the Wi-Fi at once do not all knock at the same millisecond.

/** BackoffPolicy describes the delays between reconnect attempts. */
export interface BackoffPolicy {
  /** initialMs is the delay before the first retry. */
  initialMs: number;
  /** maxMs caps the delay. */
  maxMs: number;
  /** factor multiplies the delay after each failed attempt. */
  factor: number;
  /** jitter is the fraction (0..1) of the delay that is randomised. */
  jitter: number;
}

/**
 * RECONNECT_BACKOFF fits the server's 10 s resume grace: 0.25, 0.5, 1, 2
 * and 4 s (about 7.75 s in all) give five tries to take the seat back
 * before it is released; after that the client keeps trying every 8 s.
 */
export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 8000, factor: 2, jitter: 0.2 };

/**
 * backoffDelay is the delay before attempt number `attempt` (0 = the
 * first retry). random returns a number in [0, 1); the jitter only ever
 * shortens the delay, so the schedule's total stays within the grace.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const n = Math.max(0, Math.floor(attempt));
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** n);
  const cut = base * policy.jitter * random();
  return Math.round(base - cut);
}
