/**
 * A phone's sync of an index full of bogus entries (each answering 404 over loopback), for 1,000 and
 * 3,000 entries: the ratio t(3000)/t(1000) is ≈ 3 when a sync's cost is linear in the entries and ≈ 9
 * when progress is rewritten in full after each file (issue #14 item 7; the old client took 61.6 s
 * then 89.5 s for 3,000 entries against 10.5 s then 8.0 s for 1,000). Run by name:
 * `npx tsx bench/run.ts feed-bogus` (about a minute).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nacl from "tweetnacl";
import { createKeyFeed, createMemoryLog, parsePublicKey, systemClock } from "../src/index";
import type { Bench } from "./harness";

const NOW = Date.UTC(2021, 6, 24, 12, 0, 0);
const trusted = parsePublicKey(nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(5)).publicKey);

async function syncSeconds(n: number): Promise<{ first: number; second: number }> {
  const batches = Array.from({ length: n }, (_, i) => ({
    name: `bogus-${i}.zip`,
    size: 10,
    batchNum: 1,
    createdAt: NOW,
  }));
  const index = JSON.stringify({ version: 1, updatedAt: NOW, batches });
  const server = createServer((req, res) =>
    req.url === "/feed/index.json" ? res.end(index) : res.writeHead(404).end("not found"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed/`;
  const feed = createKeyFeed({
    baseUrl: url,
    trustedKeys: [trusted],
    log: createMemoryLog(),
    clock: { ...systemClock(), now: () => NOW },
    retry: { retries: 0 },
    maxFilesPerSync: n,
  });
  const times: number[] = [];
  for (let s = 0; s < 2; s++) {
    const t0 = process.hrtime.bigint();
    await feed.sync();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { first: times[0]!, second: times[1]! };
}

const bench: Bench = {
  name: "feed-bogus",
  heavy: true,
  async run() {
    const small = await syncSeconds(1000);
    const large = await syncSeconds(3000);
    return {
      seconds1000: small,
      seconds3000: large,
      ratioFirst: large.first / small.first,
      ratioSecond: large.second / small.second,
    };
  },
};
export default bench;
