/** The parts of kafkajs' (internal) per-connection request queue that the fix below touches. */
export interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' request queue class (one instance per broker connection); not part of its public API. */
export function requestQueueClass(): { prototype: RequestQueueInternals } {
  return require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
}

/**
 * kafkajs 2.2.4, its last release, re-arms a timer every millisecond, for ever, on every broker
 * connection that has had a response, even with nothing to send (tulios/kafkajs#1556 and #1704;
 * Node 24's TimeoutNegativeWarning is this timer, #1751): each idle service burnt CPU in a loop
 * per connection. The fix proposed upstream (#1667, unreleased): with no request waiting and no
 * throttle in force there is nothing to check later, so no timer is armed. A waiting request or
 * a broker throttle still schedules its check as before, and each response checks the queue.
 */
export function fixIdleRequestQueueTimer(): void {
  const { prototype } = requestQueueClass();
  const original = prototype.scheduleCheckPendingRequests;
  // Applied twice (two module registries in one process), the guard is only checked twice.
  prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
}
