// The JavaScript side of the boundary with the WebAssembly module (imported by src/lib.rs).
//
// Results cross as JSON text in UTF-16, which becomes a JS string in one copy (UTF-8 must be
// decoded: measured three times slower for a report in Chinese), then the engine's JSON.parse.
const utf16 = new TextDecoder("utf-16le");

export function parseUtf16(units) {
  return JSON.parse(utf16.decode(units));
}

// The JavaScript half of `engine.decider(date)`: screening as fast as the boundary allows.
//
// Crossing into WebAssembly costs more than the rules themselves, so records do not cross as
// objects. This side reads each declared input from the record (plain property reads, which the
// JS engine makes fast) and writes it into WebAssembly memory: a type tag and a number per input.
// A text crosses once: the first time it is seen it is handed over and checked, and gets an id;
// after that only the id is written. Lists and other objects (rare) cross as JS values. Then one
// call decides every record, and statuses and amounts are read back from memory in place.
// The cells' tags and the status bytes are a contract with eligo-core's `batch` module
// (crates/eligo-core/src/batch.rs), which reads the cells and is tested natively.

const MISSING = 0;
const NUMBER = 1;
const BOOL = 2;
const TEXT = 3;
const OTHER = 4;
/// The record itself is not an object: it decides as invalid data.
const INVALID = 5;
/// Texts remembered per decider, beyond which the table starts again (free text would grow it).
const MAX_TEXTS = 65536;

function invalid(message) {
  const error = new Error(message);
  error.name = "EligoError";
  error.kind = "invalidFacts";
  return error;
}

const isRecord = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

export function wrapDecider(core, memory, inputs, policies) {
  return new Decider(core, memory, inputs, policies);
}

class Decider {
  constructor(core, memory, inputs, policies) {
    this.core = core;
    this.memory = memory;
    this.inputs = inputs;
    this.policies = policies;
    this.texts = inputs.map(() => new Map()); // per input: text → id
    this.textCount = 0;
    this.capacity = 0;
    this.buffer = null;
    this.extras = [];
    // At least one cell per record, so that a record with no inputs can still be marked invalid.
    this.width = Math.max(1, inputs.length);
    this.reserve(1);
  }

  /// Room for `records` records in WebAssembly memory.
  reserve(records) {
    if (records > this.capacity || this.capacity === 0) {
      this.buffer = null; // the buffers move, even when reserving fails
      this.core.reserve(records);
      this.capacity = records;
    }
    this.views();
  }

  /// Views of the buffers, made again whenever memory has grown (which detaches the old ones).
  views() {
    if (this.buffer === this.memory.buffer) return;
    const buffer = (this.buffer = this.memory.buffer);
    const cells = this.capacity * this.width;
    const outcomes = this.capacity * this.policies.length;
    this.tags = new Uint8Array(buffer, this.core.tags(), cells);
    this.numbers = new Float64Array(buffer, this.core.numbers(), cells);
    this.statuses = new Uint8Array(buffer, this.core.statuses(), outcomes);
    this.amounts = new Float64Array(buffer, this.core.amounts(), outcomes);
    this.first = this.statuses.subarray(0, this.policies.length);
  }

  /// Writes value `value` of input `input` into cell `cell`.
  put(cell, input, value) {
    switch (typeof value) {
      case "number":
        this.tags[cell] = NUMBER;
        this.numbers[cell] = value;
        return;
      case "boolean":
        this.tags[cell] = BOOL;
        this.numbers[cell] = value ? 1 : 0;
        return;
      case "string": {
        const texts = this.texts[input];
        let id = texts.get(value);
        if (id === undefined) {
          id = this.core.intern(input, value);
          texts.set(value, id);
          this.textCount++;
          this.views(); // interning may have grown memory
        }
        this.tags[cell] = TEXT;
        this.numbers[cell] = id;
        return;
      }
      case "undefined":
        this.tags[cell] = MISSING;
        return;
      default:
        if (value === null) {
          this.tags[cell] = MISSING;
          return;
        }
        this.tags[cell] = OTHER;
        this.numbers[cell] = this.extras.length;
        this.extras.push(value);
    }
  }

  /// Decides `records` encoded records; `strict` throws for invalid data instead of marking it.
  run(records, strict) {
    const extras = this.extras.length ? this.extras : undefined;
    this.extras = [];
    try {
      this.core.run(records, extras, strict);
    } finally {
      this.views();
    }
  }

  start(records) {
    if (this.textCount > MAX_TEXTS) {
      for (const texts of this.texts) texts.clear();
      this.textCount = 0;
      this.core.forgetTexts();
    }
    this.reserve(records);
    // The one cell of each record of a rule set without inputs.
    if (this.inputs.length === 0) this.tags.fill(MISSING, 0, records);
  }

  decide(record) {
    if (!isRecord(record)) throw invalid("the data must be a plain object of facts");
    this.start(1);
    const inputs = this.inputs;
    for (let i = 0; i < inputs.length; i++) this.put(i, i, record[inputs[i]]);
    this.run(1, true);
    return this.first;
  }

  amount(policy, record = 0) {
    const index = record * this.policies.length + policy;
    const cents = this.amounts[index];
    if (cents !== cents) return undefined; // NaN: no amount
    if (!Number.isSafeInteger(cents)) return this.core.amount(index);
    const whole = Math.abs(cents);
    const fraction = whole % 100;
    return (cents < 0 ? "-" : "") + (whole - fraction) / 100 + (fraction < 10 ? ".0" : ".") + fraction;
  }

  decideMany(records) {
    if (!Array.isArray(records)) throw invalid("records must be an array of objects");
    const count = records.length;
    this.start(count);
    const inputs = this.inputs;
    const width = this.width;
    for (let r = 0; r < count; r++) {
      const record = records[r];
      const base = r * width;
      if (!isRecord(record)) {
        this.tags[base] = INVALID;
        continue;
      }
      for (let i = 0; i < inputs.length; i++) this.put(base + i, i, record[inputs[i]]);
    }
    this.run(count, false);
    return this.statuses.slice(0, count * this.policies.length);
  }

  decideColumns(columns, count) {
    if (columns === null || typeof columns !== "object") throw invalid("columns must be an object of arrays");
    if (!Number.isSafeInteger(count) || count < 0) throw invalid("count must be a whole number of records");
    this.start(count);
    const inputs = this.inputs;
    const width = this.width;
    for (let i = 0; i < inputs.length; i++) {
      const column = columns[inputs[i]];
      if (column === undefined || column === null) {
        for (let r = 0; r < count; r++) this.tags[r * width + i] = MISSING;
        continue;
      }
      if (!(column.length >= count)) throw invalid(`column \`${inputs[i]}\` has ${column.length} values for ${count} records`);
      const typed = ArrayBuffer.isView(column);
      for (let r = 0; r < count; r++) {
        const value = column[r];
        // In a typed array, NaN is a missing value.
        if (typed && value !== value) this.tags[r * width + i] = MISSING;
        else this.put(r * width + i, i, value);
      }
    }
    this.run(count, false);
    return this.statuses.slice(0, count * this.policies.length);
  }

  free() {
    this.core.free();
  }
}

if (Symbol.dispose) Decider.prototype[Symbol.dispose] = Decider.prototype.free;
