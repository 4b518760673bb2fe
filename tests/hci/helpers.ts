/** A raw HCI host for tests: sends commands to an emulated controller and awaits their answers. */
import {
  type EmulatedHciController,
  type EmulatedHciSocket,
  EVENT,
  encodeCommand,
  OP,
  parseAdvertisingReports,
  type AdvertisingReport,
} from "../../src/transport/hci-emulator/index";

/** One answer to a command: the event code, status and return parameters. */
export interface Answer {
  event: number;
  status: number;
  ret: Buffer;
  raw: Buffer;
}

/** A minimal host speaking raw HCI to a controller through one socket. */
export class RawHost {
  readonly socket: EmulatedHciSocket;
  readonly reports: AdvertisingReport[] = [];
  readonly events: Buffer[] = [];
  private waiters: { opcode: number; resolve: (a: Answer) => void }[] = [];

  constructor(readonly controller: EmulatedHciController) {
    this.socket = controller.openSocket();
    this.socket.on("data", (b: Buffer) => this.onData(b));
    this.socket.bindRaw();
    this.socket.start();
  }

  /** Sends a command and resolves with its Command Complete / Command Status. */
  command(opcode: number, params: number[] | Uint8Array = []): Promise<Answer> {
    const p = new Promise<Answer>((resolve) => this.waiters.push({ opcode, resolve }));
    this.socket.write(encodeCommand(opcode, Uint8Array.from(params)));
    return p;
  }

  /** Event mask with LE Meta enabled, then passive or active scanning with the duplicates filter. */
  async startScan(filterDuplicates: boolean, active = false): Promise<void> {
    await this.command(OP.setEventMask, [...Buffer.from("fffffbff07f8bf3d", "hex")]);
    await this.command(OP.leSetScanParameters, [active ? 1 : 0, 0x10, 0, 0x10, 0, 0, 0]);
    await this.command(OP.leSetScanEnable, [1, filterDuplicates ? 1 : 0]);
  }

  /** Advertises `data` as ADV_NONCONN_IND (or `type`) at `intervalMs`. */
  async advertise(data: Uint8Array, intervalMs = 100, type = 0x03): Promise<void> {
    const units = Math.round(intervalMs / 0.625);
    const params = [units & 0xff, units >> 8, units & 0xff, units >> 8, type, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0];
    expectOk(await this.command(OP.leSetAdvertisingParameters, params));
    await this.setData(data);
    expectOk(await this.command(OP.leSetAdvertiseEnable, [1]));
  }

  /** LE Set Advertising Data (31-byte padded significant part, as hosts send it). */
  async setData(data: Uint8Array): Promise<void> {
    const p = new Uint8Array(32);
    p[0] = data.length;
    p.set(data, 1);
    expectOk(await this.command(OP.leSetAdvertisingData, p));
  }

  private onData(b: Buffer): void {
    this.events.push(b);
    const reports = parseAdvertisingReports(b);
    if (reports) {
      this.reports.push(...reports);
      return;
    }
    let answer: (Answer & { opcode: number }) | undefined;
    if (b[1] === EVENT.commandComplete) {
      answer = { event: b[1], opcode: b.readUInt16LE(4), status: b[6]!, ret: b.subarray(7), raw: b };
    } else if (b[1] === EVENT.commandStatus) {
      answer = { event: b[1], opcode: b.readUInt16LE(5), status: b[3]!, ret: Buffer.alloc(0), raw: b };
    }
    if (!answer) return;
    const i = this.waiters.findIndex((w) => w.opcode === answer.opcode);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(answer);
  }
}

/** Throws unless the answer has status 0. */
export function expectOk(a: Answer): void {
  if (a.status !== 0) throw new Error(`HCI status 0x${a.status.toString(16)} for ${a.raw.toString("hex")}`);
}

/** Resolves when `emitter` emits `event` (first argument), rejecting after `ms` real milliseconds. */
export function once<T>(
  emitter: { once(e: string, f: (...a: unknown[]) => void): unknown },
  event: string,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), ms);
    emitter.once(event, (v) => {
      clearTimeout(t);
      resolve(v as T);
    });
  });
}

/** Resolves once `pred()` holds, polling every 10 ms, rejecting after `ms` real milliseconds. */
export async function until(pred: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
