/**
 * Sharing one {@link RadioMedium} across worker threads (or anything that passes structured-clone
 * messages): a {@link MediumHub} next to the medium serves ports; in the worker,
 * {@link connectRemoteMedium} turns a port into a {@link Medium} that controllers join as usual.
 *
 * Protocol (one port per connection, messages in order):
 *   worker → hub: `{ op: "join", name, position? }`, `{ op: "update", name, state }`,
 *                 `{ op: "position", name, position }`, `{ op: "leave", name }`,
 *                 `{ op: "sync" }` (this port follows the hub's virtual time),
 *                 `{ op: "tock", now, nextTimerAt?, scanning }` (caught up with a tick)
 *   hub → worker: `{ op: "rx", name, packet }` (a received {@link AirPacket}),
 *                 `{ op: "error", name, message }` (e.g. duplicate name),
 *                 `{ op: "tick", now }` (virtual time reached `now`)
 *
 * Virtual time across threads ({@link MediumHub.runVirtualTime}): the medium's virtual clock lives with
 * the hub; each synced worker runs its own virtual clock (for its tracer, transport and controller). In
 * lock-step, the hub advances the medium to `t` (packets for the step are posted), then posts
 * `tick(t)` on the same port — so the worker has every packet up to `t` before it advances its own
 * clock to `t` — and waits for every worker's `tock`. Radio state changes a worker makes while
 * catching up reach the hub (same port, before the tock) before the medium moves on. A worker's
 * timing error is at most one step. While no worker scans, steps jump to the next worker timer.
 */
import { MessageChannel, type MessagePort, threadId } from "node:worker_threads";
import { advanceAndSettle, type VirtualClock } from "../../clock";
import { HciEmulatorStateError } from "./errors";
import type { AirPacket, Medium, Position, RadioLink, RadioMedium, RadioState } from "./medium";

/**
 * Anything that sends and receives structured-clone messages (MessagePort, Worker, parentPort).
 * @public
 */
export interface MessagePortLike {
  /** Sends one message. */
  postMessage(message: unknown): void;
  /** Subscribes to incoming messages. */
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/**
 * Worker → hub messages.
 * @public
 */
export type HubRequest =
  | { op: "join"; name: string; position?: Position | undefined }
  | { op: "update"; name: string; state: RadioState }
  | { op: "position"; name: string; position: Position }
  | { op: "leave"; name: string }
  | { op: "sync" }
  | { op: "tock"; now: number; nextTimerAt?: number | undefined; scanning: boolean };

/**
 * Hub → worker messages.
 * @public
 */
export type HubEvent =
  | { op: "rx"; name: string; packet: AirPacket }
  | { op: "error"; name: string; message: string }
  | { op: "tick"; now: number };

/** A worker's answer to a tick. */
type Tock = Extract<HubRequest, { op: "tock" }>;

/**
 * Options of {@link MediumHub.runVirtualTime}.
 * @public
 */
export interface HubTimeOptions {
  /** Step while any worker scans, ms; default 100. */
  stepMs?: number;
}

/**
 * Serves a medium to other threads.
 * @public
 */
export class MediumHub {
  private readonly ports = new Set<MessagePort>();
  private readonly synced = new Map<MessagePortLike, ((t: Tock) => void) | undefined>();

  /**
   * @param medium - the shared medium (its clock drives everything), kept as the `medium` property
   */
  /** The medium the hub's ports reach: its radios, links and clock. */
  readonly medium: RadioMedium;

  constructor(medium: RadioMedium) {
    this.medium = medium;
  }

  /** Creates a channel, serves one end and returns the other (transfer it to a worker). */
  createPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.ports.add(port1);
    this.serve(port1);
    port1.unref();
    return port2;
  }

  /** Serves an existing port (e.g. a Worker or a custom transport). */
  serve(port: MessagePortLike): void {
    const links = new Map<string, RadioLink>();
    port.on("message", (raw) => {
      const m = raw as HubRequest;
      if (m.op === "sync") {
        this.synced.set(port, undefined);
        return;
      }
      if (m.op === "tock") {
        this.synced.get(port)?.(m);
        return;
      }
      try {
        if (m.op === "join") {
          const link = this.medium.join({
            name: m.name,
            position: m.position,
            onPacket: (packet) => port.postMessage({ op: "rx", name: m.name, packet } satisfies HubEvent),
          });
          links.set(m.name, link);
          return;
        }
        const link = links.get(m.name);
        if (!link) return;
        if (m.op === "update") link.update(m.state);
        else if (m.op === "position") link.setPosition(m.position);
        else {
          link.leave();
          links.delete(m.name);
        }
      } catch (e) {
        port.postMessage({ op: "error", name: m.name, message: String(e) } satisfies HubEvent);
      }
    });
  }

  /** Number of ports following the hub's virtual time (workers that connected with a clock). */
  get followers(): number {
    return this.synced.size;
  }

  /**
   * Advances the medium's virtual clock by `ms` in lock-step with every synced worker (see the module
   * header). Resolves when all workers have caught up.
   * @throws HciEmulatorStateError when the medium's clock is not a virtual clock
   */
  async runVirtualTime(ms: number, options: HubTimeOptions = {}): Promise<void> {
    const clock = this.medium.clock as Partial<VirtualClock>;
    if (typeof clock.advanceTo !== "function") {
      throw new HciEmulatorStateError("runVirtualTime needs a medium on a virtual clock");
    }
    const vc = clock as VirtualClock;
    const stepMs = options.stepMs ?? 100;
    const end = vc.now() + ms;
    let scanning = true;
    let nextTimerAt: number | undefined;
    while (vc.now() < end) {
      const target = scanning ? vc.now() + stepMs : Math.max(vc.now() + stepMs, nextTimerAt ?? end);
      const t = Math.min(end, target);
      vc.advanceTo(t);
      const tocks = await this.tick(t);
      scanning = tocks.some((k) => k.scanning);
      const timers = tocks.map((k) => k.nextTimerAt).filter((x): x is number => x !== undefined);
      nextTimerAt = timers.length > 0 ? Math.min(...timers) : undefined;
    }
  }

  /** Posts `tick(now)` to every synced port and resolves with their tocks. */
  private tick(now: number): Promise<Tock[]> {
    return Promise.all(
      [...this.synced.keys()].map(
        (port) =>
          new Promise<Tock>((resolve) => {
            this.synced.set(port, resolve);
            port.postMessage({ op: "tick", now } satisfies HubEvent);
          }),
      ),
    );
  }

  /** Closes the ports created by {@link MediumHub.createPort}. */
  close(): void {
    this.synced.clear();
    for (const p of this.ports) p.close();
    this.ports.clear();
  }
}

/**
 * Options of {@link connectRemoteMedium}.
 * @public
 */
export interface RemoteMediumOptions {
  /** Called when the hub rejects a request (e.g. a duplicate node name); default: ignore. */
  onError?: (name: string, message: string) => void;
  /**
   * This thread's virtual clock: the port follows the hub's {@link MediumHub.runVirtualTime}, advancing
   * this clock on each tick (with settling) before answering.
   */
  clock?: VirtualClock;
}

/**
 * A {@link Medium} on the far side of a port served by a {@link MediumHub}. Node names must be unique
 * on the shared medium; unnamed nodes get `t<threadId>-<n>`.
 * @public
 */
export function connectRemoteMedium(port: MessagePortLike, options: RemoteMediumOptions = {}): Medium {
  const receivers = new Map<string, (p: AirPacket) => void>();
  const scanning = new Set<string>();
  const { clock } = options;
  let counter = 0;
  const send = (m: HubRequest) => port.postMessage(m);
  port.on("message", (raw) => {
    const m = raw as HubEvent;
    if (m.op === "rx") receivers.get(m.name)?.(m.packet);
    else if (m.op === "tick") {
      if (!clock) return;
      void advanceAndSettle(clock, Math.max(0, m.now - clock.now())).then(() =>
        send({ op: "tock", now: m.now, nextTimerAt: clock.nextTimerAt(), scanning: scanning.size > 0 }),
      );
    } else options.onError?.(m.name, m.message);
  });
  if (clock) send({ op: "sync" });
  return {
    join(endpoint) {
      const name = endpoint.name ?? `t${threadId}-${++counter}`;
      receivers.set(name, endpoint.onPacket);
      send({ op: "join", name, position: endpoint.position });
      return {
        name,
        update: (state) => {
          if (state.scanning) scanning.add(name);
          else scanning.delete(name);
          send({ op: "update", name, state });
        },
        setPosition: (position) => send({ op: "position", name, position }),
        leave: () => {
          receivers.delete(name);
          scanning.delete(name);
          send({ op: "leave", name });
        },
      } satisfies RadioLink;
    },
  };
}
