// A minimal reader for the parts of a wasm binary the loader checks: the type, import, function and export
// sections. Node's WebAssembly.Module.imports() names imports but (without an experimental flag) does not
// give their signatures, and V8 inside Envoy refuses a module whose import types differ from the host's, so
// the host has to compare signatures itself before instantiating.

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface ImportEntry {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  type?: FuncType;
}

export interface ExportEntry {
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  type?: FuncType;
}

export interface ModuleShape {
  imports: ImportEntry[];
  exports: ExportEntry[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

const KINDS = ["function", "table", "memory", "global", "tag"] as const;

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}

  byte(): number {
    if (this.pos >= this.end) throw new Error(`unexpected end of wasm binary at offset ${this.pos}`);
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error(`LEB128 too long at offset ${this.pos}`);
    }
    return result;
  }

  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new Error(`name runs past the end at offset ${this.pos}`);
    const s = Buffer.from(this.bytes.subarray(this.pos, this.pos + len)).toString("utf8");
    this.pos += len;
    return s;
  }

  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new Error(`unsupported value type 0x${b.toString(16)} at offset ${this.pos - 1}`);
    return t;
  }

  limits(): void {
    const flags = this.u32();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** Reads import and export signatures. Throws with the offset on a malformed binary. */
export function readModuleShape(bytes: Uint8Array): ModuleShape {
  const r = new Reader(bytes);
  if (!(bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d)) {
    throw new Error("not a wasm binary (bad magic)");
  }
  r.pos = 8;
  const types: FuncType[] = [];
  const imports: ImportEntry[] = [];
  const funcTypeIndices: number[] = [];
  const rawExports: Array<{ name: string; kind: number; index: number }> = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new Error(`section ${id} runs past the end of the binary`);
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 1) {
      const n = s.u32();
      for (let i = 0; i < n; i++) {
        const form = s.byte();
        if (form !== 0x60) throw new Error(`unsupported type form 0x${form.toString(16)}`);
        const params: ValType[] = [];
        const np = s.u32();
        for (let j = 0; j < np; j++) params.push(s.valtype());
        const results: ValType[] = [];
        const nr = s.u32();
        for (let j = 0; j < nr; j++) results.push(s.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      const n = s.u32();
      for (let i = 0; i < n; i++) {
        const module = s.name();
        const name = s.name();
        const kind = s.byte();
        const entry: ImportEntry = { module, name, kind: KINDS[kind] ?? "tag" };
        if (kind === 0) {
          const ti = s.u32();
          entry.type = types[ti];
          funcTypeIndices.push(ti);
        } else if (kind === 1) {
          s.valtype();
          s.limits();
        } else if (kind === 2) {
          s.limits();
        } else if (kind === 3) {
          s.valtype();
          s.byte();
        } else if (kind === 4) {
          s.byte();
          s.u32();
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
        imports.push(entry);
      }
    } else if (id === 3) {
      const n = s.u32();
      for (let i = 0; i < n; i++) funcTypeIndices.push(s.u32());
    } else if (id === 7) {
      const n = s.u32();
      for (let i = 0; i < n; i++) {
        const name = s.name();
        const kind = s.byte();
        const index = s.u32();
        rawExports.push({ name, kind, index });
      }
    }
    r.pos = end;
  }
  const exports: ExportEntry[] = rawExports.map((e) => {
    const entry: ExportEntry = { name: e.name, kind: KINDS[e.kind] ?? "tag" };
    if (e.kind === 0) entry.type = types[funcTypeIndices[e.index]];
    return entry;
  });
  return { imports, exports };
}

export function formatSignature(t: FuncType | undefined): string {
  if (!t) return "?";
  return `(${t.params.join(", ")}) -> (${t.results.join(", ")})`;
}
