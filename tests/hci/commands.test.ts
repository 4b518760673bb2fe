import { describe, expect, it } from "vitest";
import {
  commandComplete,
  EVENT,
  EmulatedHciController,
  encodeCommand,
  HciPacketError,
  leAdvertisingReport,
  OP,
  opcode,
  parseAdvertisingReports,
  parseCommand,
  STATUS,
  SUPPORTED_OPCODES,
} from "../../src/transport/hci-emulator/index";
import { RawHost } from "./helpers";

const ADDR = Uint8Array.from([1, 2, 3, 4, 5, 6]);
const identity = { publicAddress: ADDR };

/** Valid parameters for each supported opcode and the expected return parameters after the status. */
const CASES: { name: string; op: number; params: number[]; ret?: string; event?: number }[] = [
  { name: "Reset", op: OP.reset, params: [] },
  { name: "Set Event Mask", op: OP.setEventMask, params: [...Buffer.from("fffffbff07f8bf3d", "hex")] },
  { name: "Set Event Filter (clear)", op: OP.setEventFilter, params: [0] },
  { name: "Write LE Host Supported", op: OP.writeLeHostSupported, params: [1, 0] },
  { name: "Read LE Host Supported", op: OP.readLeHostSupported, params: [], ret: "0000" },
  { name: "Read Local Version Information", op: OP.readLocalVersion, params: [], ret: "09000009ffff0000" },
  {
    name: "Read Local Supported Features",
    op: OP.readLocalSupportedFeatures,
    params: [],
    ret: "0000000060000000",
  },
  { name: "Read Buffer Size", op: OP.readBufferSize, params: [], ret: "fd030008000000" },
  { name: "Read BD_ADDR", op: OP.readBdAddr, params: [], ret: "010203040506" },
  { name: "Read RSSI (no connection)", op: OP.readRssi, params: [0x40, 0], ret: "400000" },
  { name: "LE Set Event Mask", op: OP.leSetEventMask, params: [0x1f, 0, 0, 0, 0, 0, 0, 0] },
  { name: "LE Read Buffer Size v1", op: OP.leReadBufferSize, params: [], ret: "fb0008" },
  { name: "LE Read Buffer Size v2", op: OP.leReadBufferSizeV2, params: [], ret: "fb0008000000" },
  {
    name: "LE Read Local Supported Features",
    op: OP.leReadLocalSupportedFeatures,
    params: [],
    ret: "0100000000000000",
  },
  { name: "LE Set Random Address", op: OP.leSetRandomAddress, params: [6, 5, 4, 3, 2, 0xc1] },
  {
    name: "LE Set Advertising Parameters",
    op: OP.leSetAdvertisingParameters,
    params: [0xa0, 0, 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0],
  },
  {
    name: "LE Read Advertising Channel Tx Power",
    op: OP.leReadAdvertisingChannelTxPower,
    params: [],
    ret: "00",
  },
  {
    name: "LE Set Advertising Data",
    op: OP.leSetAdvertisingData,
    params: [3, 2, 1, 6, ...new Array(28).fill(0)],
  },
  { name: "LE Set Scan Response Data", op: OP.leSetScanResponseData, params: new Array(32).fill(0) },
  { name: "LE Set Advertise Enable (disable)", op: OP.leSetAdvertiseEnable, params: [0] },
  { name: "LE Set Scan Parameters", op: OP.leSetScanParameters, params: [1, 0x12, 0, 0x12, 0, 0, 0] },
  { name: "LE Set Scan Enable (disable)", op: OP.leSetScanEnable, params: [0, 1] },
  { name: "LE Read White List Size", op: OP.leReadWhiteListSize, params: [], ret: "08" },
  { name: "LE Clear White List", op: OP.leClearWhiteList, params: [] },
  { name: "LE Read Supported States", op: OP.leReadSupportedStates, params: [], ret: "ffffffffff030000" },
];

describe("HCI packet encoding", () => {
  it("parses command packets and rejects malformed ones with a typed error", () => {
    expect(parseCommand(encodeCommand(OP.leSetScanEnable, Uint8Array.from([1, 0])))).toEqual({
      opcode: 0x200c,
      params: Buffer.from([1, 0]),
    });
    expect(() => parseCommand(Uint8Array.from([0x04, 0x0e, 0]))).toThrow(HciPacketError);
    expect(() => parseCommand(Uint8Array.from([0x01, 0x0c, 0x20, 2, 1]))).toThrow(HciPacketError);
  });

  it("builds Command Complete as a controller does", () => {
    expect(commandComplete(OP.reset, 0).toString("hex")).toBe("040e0401030c00");
    expect(opcode(0x08, 0x000c)).toBe(0x200c);
  });

  it("round-trips LE Advertising Reports", () => {
    const r = { eventType: 3, addressType: 1, address: ADDR, data: Uint8Array.from([2, 1, 6]), rssi: -61 };
    const b = leAdvertisingReport([r]);
    expect(b.toString("hex")).toBe(`043e0f0201030101020304050603020106${(256 - 61).toString(16)}`);
    expect(parseAdvertisingReports(b)).toEqual([r]);
  });
});

describe("emulated controller command answers", () => {
  for (const c of CASES) {
    it(`${c.name} (0x${c.op.toString(16)}) → Command Complete, status 0${c.ret ? " + return params" : ""}`, async () => {
      const host = new RawHost(new EmulatedHciController({ identity }));
      const a = await host.command(c.op, c.params);
      expect(a.event).toBe(EVENT.commandComplete);
      expect(a.raw[3]).toBe(1); // Num_HCI_Command_Packets
      const expectedStatus = c.op === OP.readRssi ? STATUS.unknownConnectionId : STATUS.success;
      expect(a.status).toBe(expectedStatus);
      expect(a.ret.toString("hex")).toBe(c.ret ?? "");
    });
  }

  it("covers every supported opcode in this table (plus the commands tested separately)", () => {
    const tested = new Set([
      ...CASES.map((c) => c.op),
      OP.readLocalSupportedCommands,
      OP.leRand,
      OP.disconnect,
      OP.leCreateConnection,
      OP.leCreateConnectionCancel,
    ]);
    expect(SUPPORTED_OPCODES.filter((op) => !tested.has(op))).toEqual([]);
  });

  it("Read Local Supported Commands returns 64 octets without extended advertising/scanning bits", async () => {
    const a = await new RawHost(new EmulatedHciController()).command(OP.readLocalSupportedCommands);
    expect(a.ret.length).toBe(64);
    expect(a.ret[26]! & 0x0f).toBe(0x0f); // LE Set Scan Response Data .. LE Set Scan Enable
    expect(a.ret[37]! & 0x30).toBe(0); // LE Set Extended Scan Parameters/Enable: unsupported
  });

  it("LE Rand returns 8 seeded random bytes", async () => {
    const a = await new RawHost(new EmulatedHciController({ seed: 5 })).command(OP.leRand);
    const b = await new RawHost(new EmulatedHciController({ seed: 5 })).command(OP.leRand);
    expect(a.ret.length).toBe(8);
    expect(a.ret).toEqual(b.ret);
  });

  it("unknown and extended commands → Command Complete, Unknown HCI Command (0x01)", async () => {
    const host = new RawHost(new EmulatedHciController());
    for (const op of [
      opcode(0x08, 0x0036),
      opcode(0x08, 0x0041),
      opcode(0x08, 0x0042),
      opcode(0x3f, 0x0001),
    ]) {
      const a = await host.command(op, [1, 2, 3]);
      expect(a.event).toBe(EVENT.commandComplete);
      expect(a.status).toBe(STATUS.unknownCommand);
    }
  });

  it("validates parameters: lengths, > 31 bytes of data, intervals, disallowed states", async () => {
    const host = new RawHost(new EmulatedHciController());
    expect((await host.command(OP.leSetScanEnable, [1])).status).toBe(STATUS.invalidParameters);
    expect((await host.command(OP.leSetAdvertisingData, [32, ...new Array(31).fill(1)])).status).toBe(
      STATUS.invalidParameters,
    );
    const badInterval = [0x10, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0];
    expect((await host.command(OP.leSetAdvertisingParameters, badInterval)).status).toBe(
      STATUS.invalidParameters,
    );
    expect((await host.command(OP.leSetScanParameters, [0, 0x10, 0, 0x20, 0, 0, 0])).status).toBe(
      STATUS.invalidParameters,
    );
    await host.command(OP.leSetScanEnable, [1, 0]);
    expect((await host.command(OP.leSetScanParameters, [0, 0x10, 0, 0x10, 0, 0, 0])).status).toBe(
      STATUS.commandDisallowed,
    );
    expect((await host.command(OP.leSetRandomAddress, [1, 2, 3, 4, 5, 0xc6])).status).toBe(
      STATUS.commandDisallowed,
    );
    // Own_Address_Type random without a random address cannot advertise.
    const randomOwn = [0xa0, 0, 0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0];
    expect((await host.command(OP.leSetAdvertisingParameters, randomOwn)).status).toBe(0);
    expect((await host.command(OP.leSetAdvertiseEnable, [1])).status).toBe(STATUS.invalidParameters);
  });

  it("connections are not emulated: Create Connection stays pending until cancelled", async () => {
    const host = new RawHost(new EmulatedHciController());
    const cs = await host.command(OP.leCreateConnection, new Array(25).fill(0));
    expect([cs.event, cs.status]).toEqual([EVENT.commandStatus, 0]);
    const cancel = await host.command(OP.leCreateConnectionCancel);
    expect(cancel.status).toBe(0);
    await new Promise((r) => setImmediate(r));
    const connComplete = host.events.find((e) => e[1] === EVENT.leMeta && e[3] === 0x01);
    expect(connComplete?.[4]).toBe(STATUS.unknownConnectionId);
    const d = await host.command(OP.disconnect, [0x40, 0, 0x13]);
    expect([d.event, d.status]).toEqual([EVENT.commandStatus, STATUS.unknownConnectionId]);
  });

  it("failNext injects a controller refusal once", async () => {
    const c = new EmulatedHciController();
    const host = new RawHost(c);
    c.failNext(OP.leSetAdvertiseEnable, STATUS.commandDisallowed);
    expect((await host.command(OP.leSetAdvertiseEnable, [1])).status).toBe(STATUS.commandDisallowed);
    expect((await host.command(OP.leSetAdvertiseEnable, [1])).status).toBe(0);
  });

  it("honours the socket filter like the kernel: no events of unselected codes", async () => {
    const c = new EmulatedHciController();
    const host = new RawHost(c);
    const filter = Buffer.alloc(16);
    filter.writeUInt32LE(1 << 4, 0);
    filter.writeUInt32LE(1 << EVENT.commandStatus, 4); // Command Complete not selected
    host.socket.setFilter(filter);
    host.socket.write(encodeCommand(OP.reset));
    await new Promise((r) => setImmediate(r));
    expect(host.events).toEqual([]);
  });
});
