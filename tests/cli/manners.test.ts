/**
 * CLI manners: every failure is one line `bluezone: <reason>` (or `<example>: <reason>`) on stderr and
 * a documented exit code — 2 bad input, 3 a system failure, 130 interrupted — never a stack trace; a
 * reader closing stdout early ends the run quietly. Each case spawns the command as a user runs it.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyFile, ed25519Signer, InvalidArgumentError } from "../../src/index";
import { ROOT } from "../helpers/data";
import { runCli } from "../helpers/cli";

const dir = mkdtempSync(join(tmpdir(), "bluezone-manners-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** No stack-trace line ("    at f (file:1:2)") and nothing but `prefix: …` lines on stderr. */
function expectOneLine(stderr: string, prefix: string, reason: RegExp): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/Error:|node:internal/);
  const lines = stderr.trimEnd().split("\n");
  expect(lines[0]!.startsWith(`${prefix}: `)).toBe(true);
  expect(lines[0]).toMatch(reason);
}

const T = 180_000; // each test spawns tsx processes; the shared machine is slow

describe("bluezone export", () => {
  const keys = join(dir, "keys.json");
  beforeAll(() => {
    const now = Math.floor(Date.now() / 600_000);
    const start = now - (now % 144) - 144;
    writeFileSync(keys, JSON.stringify([{ keyData: "ab".repeat(16), rollingStartIntervalNumber: start }]));
    expect(runCli(["export", "keygen", "--type", "ed25519", "--out", join(dir, "ha")]).status).toBe(0);
    expect(runCli(["export", "keygen", "--type", "ecdsa", "--out", join(dir, "ec")]).status).toBe(0);
  }, T);

  it(
    "keygen --out in a missing directory, a directory, or over an existing key: exit 2, nothing replaced",
    () => {
      const missing = runCli(["export", "keygen", "--type", "ed25519", "--out", join(dir, "nope", "ha")]);
      expect(missing.status).toBe(2);
      expectOneLine(missing.stderr, "bluezone", /--out .*nope.*directory .*nope does not exist/);
      const asDir = runCli(["export", "keygen", "--type", "ed25519", "--out", dir]);
      expect(asDir.status).toBe(2);
      expectOneLine(asDir.stderr, "bluezone", /is a directory; give a path prefix/);
      const before = readFileSync(join(dir, "ha.key"), "utf8");
      const again = runCli(["export", "keygen", "--type", "ed25519", "--out", join(dir, "ha")]);
      expect(again.status).toBe(2);
      expectOneLine(again.stderr, "bluezone", /ha\.key already exists/);
      expect(readFileSync(join(dir, "ha.key"), "utf8")).toBe(before);
    },
    T,
  );

  it(
    "create on a full disk (a file-size limit): exit 3 and no partial file, so the rerun can write it",
    () => {
      const many = join(dir, "many.json");
      const start = Math.floor(Date.now() / 600_000 / 144) * 144 - 144;
      // 200 random keys: a zip of ≈ 5 KB, above a 1 KB file-size limit.
      const list = Array.from({ length: 200 }, (_, i) => ({
        keyData: createHash("sha256").update(String(i)).digest("hex").slice(0, 32),
        rollingStartIntervalNumber: start,
      }));
      writeFileSync(many, JSON.stringify(list));
      const out = join(dir, "full.zip");
      const args = ["export", "create", "--keys", many, "--sign-key", join(dir, "ha.key"), "--out", out];
      const quoted = [process.execPath, "--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args]
        .map((a) => `'${a}'`)
        .join(" ");
      const full = spawnSync("bash", ["-c", `ulimit -f 1; exec ${quoted}`], { cwd: ROOT, encoding: "utf8" });
      expect(full.status).toBe(3);
      expectOneLine(full.stderr, "bluezone", /EFBIG/);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes("full.zip"))).toEqual([]);
      expect(runCli(args).status).toBe(0);
    },
    T,
  );

  it(
    "create --out a directory or in a missing directory: exit 2",
    () => {
      const createTo = (out: string) =>
        runCli(["export", "create", "--keys", keys, "--sign-key", join(dir, "ha.key"), "--out", out]);
      const asDir = createTo(dir);
      expect(asDir.status).toBe(2);
      expectOneLine(asDir.stderr, "bluezone", /--out .* is a directory; give a file name/);
      const r = createTo(join(dir, "nope", "x.zip"));
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, "bluezone", /directory .*nope does not exist/);
      // An existing batch is not replaced: the second create fails and the first file stays.
      const batch = join(dir, "once.zip");
      expect(createTo(batch).status).toBe(0);
      const first = readFileSync(batch);
      const again = createTo(batch);
      expect(again.status).toBe(2);
      expectOneLine(
        again.stderr,
        "bluezone",
        /--out .*once\.zip already exists; remove it or choose another name/,
      );
      expect(readFileSync(batch)).toEqual(first);
    },
    T,
  );

  it(
    "a field KEYS.json does not define is refused, naming it and the nearest known one; verify's line",
    () => {
      const typo = join(dir, "typo.json");
      const start = JSON.parse(readFileSync(keys, "utf8"))[0].rollingStartIntervalNumber;
      writeFileSync(
        typo,
        JSON.stringify([{ keyData: "cd".repeat(16), rollingStartIntervalNumber: start, rollingPeriode: 6 }]),
      );
      const out = join(dir, "typo.zip");
      const r = runCli(["export", "create", "--keys", typo, "--sign-key", join(dir, "ha.key"), "--out", out]);
      expect(r.status).toBe(2);
      expectOneLine(
        r.stderr,
        "bluezone",
        /keys\[0\]\.rollingPeriode is not a field \(did you mean "rollingPeriod"\?\)/,
      );
      expect(existsSync(out)).toBe(false);
      const extra = join(dir, "extra.json");
      writeFileSync(extra, JSON.stringify({ keys: JSON.parse(readFileSync(keys, "utf8")), extra: 1 }));
      const e = runCli([
        "export",
        "create",
        "--keys",
        extra,
        "--sign-key",
        join(dir, "ha.key"),
        "--out",
        out,
      ]);
      expect(e.status).toBe(2);
      expectOneLine(e.stderr, "bluezone", /keys file: extra is not a field/);
      // A file without a region says so instead of printing an empty one.
      const plain = join(dir, "plain.zip");
      expect(
        runCli(["export", "create", "--keys", keys, "--sign-key", join(dir, "ha.key"), "--out", plain])
          .status,
      ).toBe(0);
      const pub = readFileSync(join(dir, "ha.pub"), "utf8").trim();
      const v = runCli(["export", "verify", plain, "--public-key", pub]);
      expect(v.status).toBe(0);
      expect(v.stdout).toBe("valid: 1 keys, no region\n");
    },
    T,
  );

  it(
    "create --sign-key with a public key (Ed25519 hex, ECDSA SPKI) fails and writes nothing",
    () => {
      const out = join(dir, "never.zip");
      for (const pub of ["ha.pub", "ec.pub"]) {
        const r = runCli(["export", "create", "--keys", keys, "--sign-key", join(dir, pub), "--out", out]);
        expect(r.status).toBe(2);
        expectOneLine(r.stderr, "bluezone", /public key; signing needs the secret key/);
      }
      expect(existsSync(out)).toBe(false);
    },
    T,
  );

  it(
    'a region object in KEYS.json is refused (it was written as "[object Object]")',
    () => {
      const doc = join(dir, "region.json");
      writeFileSync(
        doc,
        JSON.stringify({ region: { code: "VN" }, keys: JSON.parse(readFileSync(keys, "utf8")) }),
      );
      const out = join(dir, "region.zip");
      const r = runCli(["export", "create", "--keys", doc, "--sign-key", join(dir, "ha.key"), "--out", out]);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, "bluezone", /region must be a string \(e\.g\. "VN"\), got \{"code":"VN"\}/);
      expect(existsSync(out)).toBe(false);
      // The library refuses it too.
      expect(() =>
        createKeyFile({
          keys: [],
          region: { code: "VN" } as unknown as string,
          signer: ed25519Signer(new Uint8Array(32)),
        }),
      ).toThrow(InvalidArgumentError);
    },
    T,
  );

  it(
    "an unknown option is `bluezone: unknown option …`, exit 2",
    () => {
      const r = runCli(["export", "inspect", "some.zip", "--bogus"]);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, "bluezone", /unknown option '--bogus'/);
    },
    T,
  );
});

describe("bluezone --version", () => {
  it(
    "prints package.json's version, exit 0",
    () => {
      const r = runCli(["--version"]);
      expect(r.status).toBe(0);
      const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
      expect(r.stdout).toBe(`${pkg.version}\n`);
    },
    T,
  );
});

describe("bluezone feed sync --url", () => {
  it(
    "a URL that is not http(s) is bad input at once (exit 2), not four failed attempts",
    () => {
      for (const url of ["ftp://x/", "not a url"]) {
        const r = runCli([
          "feed",
          "sync",
          "--url",
          url,
          "--public-key",
          "00".repeat(32),
          "--db",
          join(dir, "none"),
        ]);
        expect(r.status, url).toBe(2);
        expectOneLine(r.stderr, "bluezone", /--url must be an http:\/\/ or https:\/\/ URL/);
      }
    },
    T,
  );
});

describe("parse errors", () => {
  it(
    "an unknown option or command is one line with the suggestion and where the usage is: exit 2",
    () => {
      const option = runCli(["derive", "--tekk", "00"]);
      expect(option.status).toBe(2);
      expect(option.stderr).toBe(
        "bluezone: unknown option '--tekk' (did you mean --tek?) — see bluezone derive --help\n",
      );
      const command = runCli(["export", "crate"]);
      expect(command.status).toBe(2);
      expect(command.stderr).toBe(
        "bluezone: unknown command 'crate' (did you mean create?) — see bluezone export --help\n",
      );
      // A message quoting input with a newline is still one line.
      writeFileSync(join(dir, "broken.json"), "not json\nat all");
      const broken = runCli([
        "export",
        "create",
        "--keys",
        join(dir, "broken.json"),
        "--sign-key",
        join(dir, "none.key"),
        "--out",
        join(dir, "broken.zip"),
      ]);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toMatch(/^bluezone: keys file is not JSON: [^\n]*\n$/);
      // A command without its subcommand: its usage, then the one `bluezone:` line.
      const bare = runCli(["export"]);
      expect(bare.status).toBe(2);
      expect(bare.stderr).toMatch(/^Usage: bluezone export /);
      expect(
        bare.stderr.endsWith(
          "\nbluezone: a command is missing or unknown: choose one from the usage above\n",
        ),
      ).toBe(true);
    },
    T,
  );
});

describe("bluezone derive | head -c 50", () => {
  it(
    "a reader closing stdout early (EPIPE) ends the run quietly with exit 0",
    async () => {
      const args = ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "derive", "--tek", "00".repeat(16)];
      // 5,000 rows ≈ 500 KB: far more than a pipe holds, so writes continue after the reader is gone.
      const child = spawn(process.execPath, [...args, "--interval", "2700000", "--count", "5000", "--json"], {
        cwd: ROOT,
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      let head = "";
      child.stdout.once("data", (d: Buffer) => {
        head = d.subarray(0, 50).toString();
        child.stdout.destroy(); // as `head -c 50` exits
      });
      const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
      expect(head.startsWith('[{"interval":2700000,"rpi":"')).toBe(true);
      expect(stderr).toBe("");
      expect(code).toBe(0);
    },
    T,
  );
});

describe("bluezone sim", () => {
  it(
    "--set of a field an option also sets is refused (it was silently overridden by the option)",
    () => {
      const r = runCli(["sim", "--phones", "60", "--set", "population=200", "--out", join(dir, "clash")]);
      expect(r.status).toBe(2);
      expectOneLine(
        r.stderr,
        "bluezone",
        /^bluezone: --set population=… and --phones both set it: give one of them$/,
      );
      const a = runCli([
        "sim",
        "--adoption",
        "0.1",
        "--set",
        "app.adoption=0.9",
        "--out",
        join(dir, "clash"),
      ]);
      expect(a.status).toBe(2);
      expectOneLine(a.stderr, "bluezone", /--set app\.adoption=… and --adoption both set it/);
    },
    T,
  );

  it(
    "--out where no directory can be made (/proc) or no file written (/sys): exit 2 at once",
    () => {
      // Node's recursive mkdir spun forever at 100% CPU on /proc/…; as root, access(2) passed /sys.
      const proc = runCli(
        ["sim", "--phones", "10", "--days", "1", "--out", "/proc/bluezone-test"],
        undefined,
        30_000,
      );
      expect(proc.status).toBe(2);
      expectOneLine(proc.stderr, "bluezone", /--out \/proc\/bluezone-test: cannot make the directory/);
      const sys = runCli(["sim", "--phones", "10", "--days", "1", "--out", "/sys/kernel"], undefined, 30_000);
      expect(sys.status).toBe(2);
      expectOneLine(sys.stderr, "bluezone", /--out \/sys\/kernel: /);
    },
    T,
  );

  it(
    "--out naming an existing file: exit 2 before any simulation",
    () => {
      const file = join(dir, "a-file");
      writeFileSync(file, "x");
      const r = runCli(["sim", "--phones", "10", "--days", "1", "--out", file]);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, "bluezone", /--out .*a-file exists and is not a directory/);
      expect(readFileSync(file, "utf8")).toBe("x");
    },
    T,
  );

  it(
    "Ctrl-C on a terminal stops the progress bar, shows the cursor again and exits 130",
    async () => {
      // util-linux `script` gives the CLI a pseudo-terminal, so the progress bar (which hides the
      // cursor) is drawn; writing ^C to it makes the terminal send SIGINT, as a user's Ctrl-C does.
      const out = join(dir, "sim-out");
      const cmd = `'${process.execPath}' --import tsx src/cli/main.ts sim --phones 2000 --days 60 --out '${out}'`;
      const child = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: ROOT });
      let tty = "";
      let sent = false;
      child.stdout.on("data", (d) => {
        tty += d;
        if (!sent && tty.includes("\x1b[?25l")) {
          sent = true;
          child.stdin.write("\x03");
        }
      });
      const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
      expect(sent).toBe(true);
      expect(code).toBe(130);
      const hidden = tty.lastIndexOf("\x1b[?25l");
      expect(tty.indexOf("\x1b[?25h", hidden)).toBeGreaterThan(hidden);
      expect(tty).toMatch(/bluezone: interrupted/);
      expect(tty).not.toMatch(/^\s+at /m);
      expect(existsSync(join(out, "report.html"))).toBe(false);
    },
    T,
  );
});

/** Runs an example as its README says (tsx). */
function example(path: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stderr: r.stderr };
}

describe("examples", () => {
  const token = { KEY_SERVER_ADMIN_TOKEN: "0123456789abcdef0123" };
  let busy: Server;
  let port = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    port = (busy.address() as { port: number }).port;
    mkdirSync(join(dir, "ks"), { recursive: true });
    expect(runCli(["export", "keygen", "--type", "ed25519", "--out", join(dir, "server")]).status).toBe(0);
  }, T);
  afterAll(() => new Promise<void>((done) => busy.close(() => done())));

  it(
    "tracer-node: an unknown option is `tracer-node: …`, exit 2",
    () => {
      const r = example("examples/tracer-node/index.ts", ["--what"]);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, "tracer-node", /Unknown option '--what'/);
    },
    T,
  );

  it(
    "key server: bad options and a public sign key exit 2; a port in use exits 3",
    () => {
      const server = "examples/key-server/server.ts";
      const bogus = example(server, ["--bogus"], token);
      expect(bogus.status).toBe(2);
      expectOneLine(bogus.stderr, "key-server", /Unknown option '--bogus'/);
      const badPort = example(
        server,
        ["--data", join(dir, "ks"), "--sign-key", join(dir, "server.key"), "--port", "http"],
        token,
      );
      expect(badPort.status).toBe(2);
      expectOneLine(badPort.stderr, "key-server", /--port must be an integer in 0…65535, got "http"/);
      const pub = example(server, ["--data", join(dir, "ks"), "--sign-key", join(dir, "server.pub")], token);
      expect(pub.status).toBe(2);
      expectOneLine(pub.stderr, "key-server", /public key; signing needs the secret key/);
      const inUse = example(
        server,
        ["--data", join(dir, "ks-new"), "--sign-key", join(dir, "server.key"), "--port", String(port)],
        token,
      );
      expect(inUse.status).toBe(3);
      // The server's own JSON request log may precede it; the failure is the last line.
      const last = inUse.stderr.trimEnd().split("\n").at(-1)!;
      expect(last).toMatch(
        new RegExp(`^key-server: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`),
      );
      expect(inUse.stderr).not.toMatch(/^\s+at /m);
      // The data directory that failed start made is gone again.
      expect(existsSync(join(dir, "ks-new"))).toBe(false);
      // A mistyped option gets the nearest one.
      const prot = example(server, ["--prot", "8081"], token);
      expect(prot.status).toBe(2);
      expectOneLine(prot.stderr, "key-server", /unknown option '--prot' \(did you mean --port\?\)/);
    },
    T,
  );
});
