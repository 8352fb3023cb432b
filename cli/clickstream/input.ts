// Reading logs as a stream: files or `-` (standard input), gzip-compressed or not (told by the gzip magic
// bytes, not the name), split into lines without holding more than one chunk and one partial line. Lines
// that do not parse are counted, and the first few are kept with their file and line number.
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { StringDecoder } from "node:string_decoder";
import type { LineParser, Hit } from "./formats.js";
import type { InputSummary } from "./report.js";

const CHUNK = 1 << 20;
/** Files larger than this get a progress line when stderr is a terminal. */
export const PROGRESS_MIN_BYTES = 4 << 20;
const SAMPLES = 5;

export interface ReadOptions {
  files: string[];
  format: string;
  parse: LineParser;
  onHit: (hit: Hit) => void;
  stdin?: Readable;
  /** Called with a progress line to show (a terminal's stderr), and with null to clear it at the end. */
  progress?: ((line: string | null) => void) | null;
  /** Open sessions, for the progress line. */
  openSessions?: () => number;
}

/** A plain file's bytes, read synchronously (no stream machinery per chunk), when it is not gzip. */
function* plainFile(file: string, onRead: (n: number) => void): Generator<Buffer> {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      onRead(n);
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function isGzipFile(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The bytes of a stream, gunzipped when it starts with the gzip magic (1f 8b). */
async function* plainBytes(source: Readable): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    const src = Readable.from(all());
    src.on("error", (e) => gunzip.destroy(e));
    src.pipe(gunzip);
    yield* gunzip as AsyncIterable<Buffer>;
  } else {
    yield* all();
  }
}

export async function readLogs(opts: ReadOptions): Promise<InputSummary> {
  const summary: InputSummary = { files: opts.files.map((f) => (f === "-" ? "(stdin)" : f)), format: opts.format, lines: 0, unparseable: 0, samples: [] };
  const parse = opts.parse;
  const onHit = opts.onHit;
  for (const file of opts.files) {
    const name = file === "-" ? "(stdin)" : file;
    let size = 0;
    let readBytes = 0;
    let chunks: Iterable<Buffer> | AsyncIterable<Buffer>;
    if (file === "-") {
      chunks = plainBytes(opts.stdin ?? process.stdin);
    } else {
      let gzip: boolean;
      try {
        size = statSync(file).size;
        gzip = isGzipFile(file);
      } catch (e) {
        throw new Error(`cannot read ${file}: ${(e as Error).message}`);
      }
      if (gzip) {
        const source = createReadStream(file, { highWaterMark: CHUNK });
        source.on("data", (b: string | Buffer) => { readBytes += b.length; });
        chunks = plainBytes(source);
      } else {
        chunks = plainFile(file, (n) => { readBytes += n; });
      }
    }
    let lastShown = 0;
    const progress = opts.progress && size > PROGRESS_MIN_BYTES ? opts.progress : null;
    const decoder = new StringDecoder("utf8");
    let carry = "";
    let lineNo = 0;
    const take = (line: string) => {
      lineNo++;
      if (line === "" || line === "\r") return; // blank lines are neither requests nor errors
      summary.lines++;
      const hit = parse(line);
      if (hit !== null) {
        onHit(hit);
        return;
      }
      summary.unparseable++;
      if (summary.samples.length < SAMPLES) summary.samples.push({ file: name, line: lineNo, text: line });
    };
    try {
      for await (const chunk of chunks) {
        const text = carry + decoder.write(chunk);
        let start = 0;
        for (;;) {
          const nl = text.indexOf("\n", start);
          if (nl < 0) break;
          take(text.slice(start, nl));
          start = nl + 1;
        }
        carry = text.slice(start);
        if (progress) {
          const now = Date.now();
          if (now - lastShown >= 200) {
            lastShown = now;
            const mb = (n: number) => (n / 1e6).toFixed(1);
            progress(`clickstream: ${name} ${mb(readBytes)} of ${mb(size)} MB (${Math.floor((100 * readBytes) / size)}%), ` +
              `${summary.lines} lines, ${opts.openSessions?.() ?? 0} sessions open`);
          }
        }
      }
    } catch (e) {
      throw new Error(`cannot read ${name}: ${(e as Error).message}`);
    }
    const rest = carry + decoder.end();
    if (rest !== "") take(rest);
    if (progress) progress(null);
  }
  return summary;
}
