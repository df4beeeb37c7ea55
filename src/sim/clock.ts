/**
 * Sub-millisecond scheduling: Node timers have 1 ms granularity and fire up to ~1 ms late (later
 * when the process has to be woken on a busy machine), so wait with setTimeout until shortly
 * before the target and finish with setImmediate turns until the monotonic clock reaches it.
 * setImmediate yields to I/O on every turn, so the short spin does not block other requests, and
 * the engine uses one such timer per step (not per stream), so the spin costs at most
 * SPIN_MS per step. A timer armed from libuv's cached loop time may fire early; `check` then
 * simply re-arms from the real clock.
 */

/** Monotonic milliseconds (the same clock as `performance.now()`). */
export const now = (): number => performance.now();

/** @default 2 ms before the target the timer hands over to setImmediate. */
export const SPIN_MS = 2;

/** Run `fn` at monotonic time `targetMs` (immediately if it is already past). Returns a cancel function. */
export function runAt(targetMs: number, fn: () => void): () => void {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const check = (): void => {
    timer = undefined;
    immediate = undefined;
    if (cancelled) return;
    const left = targetMs - performance.now();
    if (left <= 0) fn();
    else if (left > SPIN_MS) timer = setTimeout(check, left - SPIN_MS);
    else immediate = setImmediate(check);
  };
  check();
  return () => {
    cancelled = true;
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
