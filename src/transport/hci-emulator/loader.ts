/**
 * Loads real, unmodified noble and bleno onto emulated controllers.
 *
 * How the substitution works: noble's and bleno's `lib/hci-socket/hci.js` do
 * `require('@abandonware/bluetooth-hci-socket')` at module top and `new BluetoothHciSocket()` in their
 * `Hci` constructors; neither accepts a socket from outside. The loader therefore, synchronously and
 * inside one function call:
 *   1. resolves the socket module's file *as each hci.js would resolve it* (no code is executed);
 *   2. saves and removes from `require.cache` every cached module of the noble, bleno and socket
 *      packages;
 *   3. plants a synthetic, already-loaded `Module` for the socket file whose `exports` is a constructor
 *      returning `socketFactory()` (a constructor that returns an object makes `new` yield that object);
 *   4. requires noble (`with-bindings` + `lib/hci-socket/bindings`) and bleno (`index.js`): fresh
 *      module instances whose `require` of the socket hits the planted entry;
 *   5. in `finally`, removes everything loaded in step 4 and the planted entry from `require.cache` and
 *      puts back exactly the entries saved in step 2.
 * Because `require` is synchronous and JavaScript single-threaded, no other code can observe the
 * planted entry; afterwards `require('@abandonware/noble')` elsewhere behaves exactly as before (and
 * still fails with EAFNOSUPPORT on a machine without Bluetooth). Each call yields new module instances,
 * so several bleno "singletons" can coexist in one process (one per call). No environment variable
 * and no patch of the packages is involved.
 */
import { createRequire } from "node:module";
import { dirname, sep } from "node:path";
import type { EmulatedHciController } from "./controller";
import { HciLoaderError } from "./errors";

/**
 * The noble instance type (the default export of `@abandonware/noble`).
 * @public
 */
export type Noble = typeof import("@abandonware/noble");
/**
 * The bleno instance type (the default export of `@abandonware/bleno`).
 * @public
 */
export type Bleno = typeof import("@abandonware/bleno");

/**
 * Creates the object noble/bleno get from `new BluetoothHciSocket()`.
 * @public
 */
export type SocketFactory = () => object;

/**
 * Options of {@link loadNobleAndBleno}.
 * @public
 */
export interface LoadOptions {
  /** Called once per `new BluetoothHciSocket()` (once by noble, once by bleno). */
  socketFactory: SocketFactory;
  /** Load noble; default true. */
  noble?: boolean;
  /** Options for noble's hci-socket bindings (e.g. `{ extended: false }`); default `{}`. */
  nobleOptions?: Record<string, unknown>;
  /** Load bleno; default true. */
  bleno?: boolean;
}

/**
 * noble and/or bleno bound to emulated sockets.
 * @public
 */
export interface EmulatedHosts {
  /** A real noble instance (undefined if not requested). */
  noble: Noble | undefined;
  /** A real bleno instance (undefined if not requested). */
  bleno: Bleno | undefined;
  /**
   * Stops scanning/advertising, stops the hosts' one-second dev-up polling and removes the `SIGINT`
   * and `exit` handlers their bindings added to `process` (noble and bleno never remove them; an app
   * holds one of each, a test suite many).
   */
  dispose(): void;
}

const PACKAGES = ["@abandonware/noble", "@abandonware/bleno"] as const;
const SOCKET_MODULE = "@abandonware/bluetooth-hci-socket";

/** The internals dispose() touches (instance fields of noble/bleno, never their code). */
interface HostInternals {
  initialized?: boolean;
  _state?: string;
  _bindings?: Bindings;
}

/** The bindings' fields dispose() touches; `init` is wrapped to see which process listeners it adds. */
interface Bindings {
  _hci?: { pollIsDevUp?: () => void };
  init?: (...args: unknown[]) => unknown;
}

const PROCESS_EVENTS: readonly string[] = ["exit", "SIGINT"];
/** `process` as a plain emitter (its typed overloads do not take a union of event names). */
const processEvents: NodeJS.EventEmitter = process;

/** Process listeners each host's bindings added in `init` (they are lazily initialised). */
type AddedListeners = Array<[event: string, listener: Listener]>;
/** A listener as `removeListener` takes it. */
type Listener = Parameters<NodeJS.EventEmitter["removeListener"]>[1];

/** Wraps `bindings.init` so the process listeners it adds are recorded in `added`. */
function recordProcessListeners(bindings: Bindings | undefined, added: AddedListeners): void {
  const init = bindings?.init;
  if (!bindings || !init) return;
  bindings.init = function (this: unknown, ...args: unknown[]) {
    const before = PROCESS_EVENTS.map((e) => new Set(processEvents.listeners(e)));
    try {
      return init.apply(this, args);
    } finally {
      PROCESS_EVENTS.forEach((e, i) => {
        for (const l of processEvents.listeners(e)) if (!before[i]!.has(l)) added.push([e, l as Listener]);
      });
    }
  };
}

function packageDir(req: NodeJS.Require, name: string): string {
  try {
    return dirname(req.resolve(`${name}/package.json`));
  } catch (cause) {
    throw new HciLoaderError(`${name} is not installed (it is an optional dependency of bluezone)`, {
      cause,
    });
  }
}

/**
 * Loads fresh noble and bleno module instances whose HCI sockets come from `socketFactory`.
 * Normal `require('@abandonware/noble')` / `require('@abandonware/bleno')` elsewhere is unaffected.
 * @public
 */
export function loadNobleAndBleno(options: LoadOptions): EmulatedHosts {
  const req = createRequire(import.meta.url);
  const Module = req("node:module") as typeof import("node:module") & {
    new (id: string): NodeJS.Module;
  };
  const dirs = PACKAGES.map((p) => packageDir(req, p));
  const hciFiles = dirs.map((d) => `${d}${sep}lib${sep}hci-socket${sep}hci.js`);
  const socketFiles = [...new Set(hciFiles.map((f) => createRequire(f).resolve(SOCKET_MODULE)))];
  const socketDirs = socketFiles.map((f) => dirname(f));
  const owned = (file: string) => [...dirs, ...socketDirs].some((d) => file.startsWith(d + sep));

  const cache = req.cache;
  const saved = new Map<string, NodeJS.Module>();
  for (const [key, mod] of Object.entries(cache)) {
    if (mod && owned(key)) {
      saved.set(key, mod);
      delete cache[key];
    }
  }
  const factory = options.socketFactory;
  const sockets: object[] = [];
  function EmulatedBluetoothHciSocket() {
    const socket = factory();
    sockets.push(socket);
    return socket;
  }
  for (const file of socketFiles) {
    const m = new Module(file);
    m.filename = file;
    m.loaded = true;
    m.exports = EmulatedBluetoothHciSocket;
    cache[file] = m;
  }
  try {
    let noble: Noble | undefined;
    let bleno: Bleno | undefined;
    const [nobleDir, blenoDir] = dirs as [string, string];
    if (options.noble ?? true) {
      const withBindings = req(`${nobleDir}${sep}with-bindings.js`) as (b: unknown) => Noble;
      const Bindings = req(`${nobleDir}${sep}lib${sep}hci-socket${sep}bindings.js`) as new (
        o: object,
      ) => unknown;
      noble = withBindings(new Bindings(options.nobleOptions ?? {}));
    }
    if (options.bleno ?? true) bleno = req(`${blenoDir}${sep}index.js`) as Bleno;
    const added: AddedListeners = [];
    for (const host of [noble, bleno] as unknown as (HostInternals | undefined)[])
      recordProcessListeners(host?._bindings, added);
    return { noble, bleno, dispose: () => dispose(noble, bleno, sockets, added) };
  } catch (cause) {
    throw new HciLoaderError(`loading noble/bleno on an emulated socket failed: ${String(cause)}`, { cause });
  } finally {
    for (const key of Object.keys(cache)) if (owned(key)) delete cache[key];
    for (const [key, mod] of saved) cache[key] = mod;
  }
}

function dispose(
  noble: Noble | undefined,
  bleno: Bleno | undefined,
  sockets: object[],
  added: AddedListeners,
): void {
  // Read noble's `_state`, not `state`: the getter would initialise an unused instance.
  const n = noble as unknown as (Noble & HostInternals) | undefined;
  const b = bleno as unknown as (Bleno & HostInternals) | undefined;
  if (n?.initialized && n._state === "poweredOn") n.stopScanning();
  if (b?.initialized && b.state === "poweredOn") b.stopAdvertising();
  for (const host of [n, b]) {
    const bindings = host?._bindings;
    if (!bindings) continue;
    // The next scheduled poll finds this no-op instead of re-arming its one-second timer.
    if (bindings._hci) bindings._hci.pollIsDevUp = () => {};
  }
  for (const [event, listener] of added.splice(0)) processEvents.removeListener(event, listener);
  for (const socket of sockets) (socket as { stop?: () => void }).stop?.();
}

/**
 * Runs `fn` with real noble and bleno attached to `controller` (each through its own socket, as two
 * raw HCI sockets on one adapter), then disposes them.
 * @public
 */
export async function withEmulatedHci<T>(
  controller: EmulatedHciController,
  fn: (hosts: EmulatedHosts) => T | Promise<T>,
  options: Omit<LoadOptions, "socketFactory"> = {},
): Promise<T> {
  const hosts = loadNobleAndBleno({ ...options, socketFactory: () => controller.openSocket() });
  try {
    return await fn(hosts);
  } finally {
    hosts.dispose();
  }
}
