import { describe, expect, it } from "vitest";
import { createSimulatedMedium, virtualClock } from "../../src/index";
import { transportConformance } from "../../src/testing";
import { seededBytes as seeded } from "../helpers/random";

// Through the public entry (`bluezone/testing`), as a third-party transport would run it.
transportConformance({
  describe,
  it,
  name: "simulated medium",
  factory: async () => {
    const clock = virtualClock(Date.UTC(2021, 6, 24));
    // Packets every 250 ms at -60 dBm.
    const medium = createSimulatedMedium({
      clock,
      random: seeded(1),
      link: (_a, _s, from, to) => Array.from({ length: Math.floor((to - from) / 250) }, () => -60),
    });
    const a = medium.createTransport("a");
    const b = medium.createTransport("b");
    return {
      a,
      b,
      pass: async (ms) => clock.advance(ms),
      cleanup: async () => {
        await a.close();
        await b.close();
      },
    };
  },
});

describe("createSimulatedMedium's options", () => {
  it("refuses missing options with a typed error, not a TypeError", () => {
    const invalid = (message: string) => expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", message });
    expect(() => createSimulatedMedium(undefined as never)).toThrow(
      invalid("createSimulatedMedium needs options: { clock, link, random }"),
    );
    const clock = virtualClock(0);
    expect(() => createSimulatedMedium({ clock, link: () => [] } as never)).toThrow(
      invalid("createSimulatedMedium: options.random is missing"),
    );
    expect(() => createSimulatedMedium({ link: () => [], random: seeded(2) } as never)).toThrow(
      invalid("createSimulatedMedium: options.clock is missing"),
    );
  });
});
