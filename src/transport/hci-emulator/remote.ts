/**
 * Sharing one {@link RadioMedium} across worker threads (or anything that passes structured-clone
 * messages): a {@link MediumHub} next to the medium serves ports; in the worker,
 * {@link connectRemoteMedium} turns a port into a {@link Medium} that controllers join as usual.
 *
 * Protocol (one port per connection, messages in order):
 *   worker → hub: `{ op: "join", name, position? }`, `{ op: "update", name, state }`,
 *                 `{ op: "position", name, position }`, `{ op: "leave", name }`
 *   hub → worker: `{ op: "rx", name, packet }` (a received {@link AirPacket}),
 *                 `{ op: "error", name, message }` (e.g. duplicate name)
 */
import { MessageChannel, type MessagePort, threadId } from "node:worker_threads";
import type { AirPacket, Medium, Position, RadioLink, RadioMedium, RadioState } from "./medium";

/** Anything that sends and receives structured-clone messages (MessagePort, Worker, parentPort). */
export interface MessagePortLike {
  /** Sends one message. */
  postMessage(message: unknown): void;
  /** Subscribes to incoming messages. */
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/** Worker → hub messages. */
export type HubRequest =
  | { op: "join"; name: string; position?: Position | undefined }
  | { op: "update"; name: string; state: RadioState }
  | { op: "position"; name: string; position: Position }
  | { op: "leave"; name: string };

/** Hub → worker messages. */
export type HubEvent =
  | { op: "rx"; name: string; packet: AirPacket }
  | { op: "error"; name: string; message: string };

/** Serves a medium to other threads. */
export class MediumHub {
  private readonly ports = new Set<MessagePort>();

  /** @param medium - the shared medium (its clock drives everything) */
  constructor(readonly medium: RadioMedium) {}

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

  /** Closes the ports created by {@link createPort}. */
  close(): void {
    for (const p of this.ports) p.close();
    this.ports.clear();
  }
}

/** Options of {@link connectRemoteMedium}. */
export interface RemoteMediumOptions {
  /** Called when the hub rejects a request (e.g. a duplicate node name); default: ignore. */
  onError?: (name: string, message: string) => void;
}

/**
 * A {@link Medium} on the far side of a port served by a {@link MediumHub}. Node names must be unique
 * on the shared medium; unnamed nodes get `t<threadId>-<n>`.
 */
export function connectRemoteMedium(port: MessagePortLike, options: RemoteMediumOptions = {}): Medium {
  const receivers = new Map<string, (p: AirPacket) => void>();
  let counter = 0;
  port.on("message", (raw) => {
    const m = raw as HubEvent;
    if (m.op === "rx") receivers.get(m.name)?.(m.packet);
    else options.onError?.(m.name, m.message);
  });
  const send = (m: HubRequest) => port.postMessage(m);
  return {
    join(endpoint) {
      const name = endpoint.name ?? `t${threadId}-${++counter}`;
      receivers.set(name, endpoint.onPacket);
      send({ op: "join", name, position: endpoint.position });
      return {
        name,
        update: (state) => send({ op: "update", name, state }),
        setPosition: (position) => send({ op: "position", name, position }),
        leave: () => {
          receivers.delete(name);
          send({ op: "leave", name });
        },
      } satisfies RadioLink;
    },
  };
}
