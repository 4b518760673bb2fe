/** A minimal typed event emitter (no Node dependency, so hosts in any runtime can use the tracer). */

/**
 * Map of event name → listener argument.
 * @public
 */
export type EventMap = Record<string, unknown>;

/**
 * Typed emitter: `on` returns an unsubscribe function.
 * @public
 */
export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<(arg: never) => void>>();

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: (arg: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (arg: never) => void);
    return () => set.delete(listener as (arg: never) => void);
  }

  /** True when someone listens to `event` (lets hot paths skip building event objects). */
  has(event: keyof E): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event`; a throwing listener does not stop the others. */
  emit<K extends keyof E>(event: K, arg: E[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as (a: E[K]) => void)(arg);
      } catch {
        // A host's listener bug must not stop the tracer.
      }
    }
  }
}
