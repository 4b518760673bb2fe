import { createServer } from "node:http";
import { createKeyFeed, createMemoryLog, systemClock } from "../src/index";
import { signerPair, NOW } from "../tests/feed/fixtures";
const n = Number(process.argv[2] ?? 2000);
const batches = Array.from({ length: n }, (_, i) => ({ name: `bogus-${i}.zip`, size: 10, batchNum: 1, createdAt: NOW }));
const idx = JSON.stringify({ version: 1, updatedAt: NOW, batches });
const server = createServer((req, res) => req.url === "/feed/index.json" ? res.end(idx) : res.writeHead(404).end("nf"));
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as any).port}/feed/`;
const log = createMemoryLog();
const feed = createKeyFeed({ baseUrl: url, trustedKeys: [signerPair().trusted], log, clock: { ...systemClock(), now: () => NOW }, retry: { retries: 0 }, maxFilesPerSync: n });
for (let s = 0; s < 2; s++) { const t = performance.now(); const r = await feed.sync(); console.log(`sync ${s}: ${r.rejected.length} rejected in ${((performance.now() - t) / 1000).toFixed(2)} s`); }
server.close();
