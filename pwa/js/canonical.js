/** One strict JSON reading and one canonical JSON form, for everything hashed or signed.
 *
 * The Python twin is server/canonical.py; both pass tests/canonical_vectors.json.
 * parseStrict() refuses, with a stable code, in this order when a text has several problems:
 * json_too_deep (nesting past MAX_DEPTH, counted on the text before parsing), json_syntax,
 * json_lone_surrogate, json_number (fractions, exponents, -0, beyond ±(2**53-1)),
 * json_duplicate_key. canonicalJson() is RFC 8785 (JCS) for that value set: no whitespace,
 * keys sorted by UTF-16 code units, strings as JSON.stringify writes them, plain integers.
 */

export const MAX_DEPTH = 32;
const MAX_SAFE = 2n ** 53n - 1n;
const CODES = ["json_too_deep", "json_syntax", "json_lone_surrogate", "json_number", "json_duplicate_key"];

export class JsonError extends Error {
  constructor(code, detail = "") { super(detail ? `${code}: ${detail}` : code); this.code = code; this.detail = detail; }
}

/** The deepest array/object nesting in `text`, brackets inside strings skipped. */
export function nestingDepth(text) {
  let depth = 0;
  let deepest = 0;
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\[\s\S])*"?|[[\]{}]/g)) {
    if (token === "[" || token === "{") { depth++; if (depth > deepest) deepest = depth; } else if (token === "]" || token === "}") depth--;
  }
  return deepest;
}

export function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) { i++; continue; }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const WS = new Set([" ", "\t", "\n", "\r"]);
const ESC = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parse strictly (a string or UTF-8 bytes), or throw JsonError with the first problem's code. */
export function parseStrict(input, maxDepth = MAX_DEPTH) {
  let text = input;
  if (typeof input !== "string") {
    try { text = utf8.decode(input); } catch (_) { throw new JsonError("json_syntax", "not UTF-8"); }
  }
  if (nestingDepth(text) > maxDepth) throw new JsonError("json_too_deep", `more than ${maxDepth} levels`);
  const found = new Set();
  let i = 0;
  const syntax = (what) => new JsonError("json_syntax", `${what} at character ${i}`);
  const ws = () => { while (i < text.length && WS.has(text[i])) i++; };
  function string() {
    i++; // opening quote
    let out = "";
    for (;;) {
      if (i >= text.length) throw syntax("unterminated string");
      const ch = text[i];
      if (ch === '"') { i++; break; }
      if (ch.charCodeAt(0) < 0x20) throw syntax("control character in string");
      if (ch === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw syntax("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && Object.hasOwn(ESC, e)) { out += ESC[e]; i += 2; } else throw syntax("bad escape");
        continue;
      }
      out += ch;
      i++;
    }
    if (hasLoneSurrogate(out)) found.add("json_lone_surrogate");
    return out;
  }
  function number() {
    const m = /^-?(?:0|[1-9][0-9]*)((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "") throw syntax("bad number");
    // A number longer than the window would go on: read it whole.
    let token = m[0];
    if (token.length === 400) token = /^-?[0-9.eE+-]*/.exec(text.slice(i))[0];
    const whole = /^-?(?:0|[1-9][0-9]*)((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$/.exec(token);
    if (!whole) throw syntax("bad number");
    i += token.length;
    if (whole[1] || token === "-0" || token.length > 20) { found.add("json_number"); return 0; }
    const big = BigInt(token);
    if (big > MAX_SAFE || big < -MAX_SAFE) { found.add("json_number"); return 0; }
    return Number(token);
  }
  function value() {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const pairs = [];
      const keys = new Set();
      ws();
      if (text[i] === "}") { i++; return {}; }
      for (;;) {
        ws();
        if (text[i] !== '"') throw syntax("expected a key");
        const key = string();
        if (keys.has(key)) found.add("json_duplicate_key");
        keys.add(key);
        ws();
        if (text[i] !== ":") throw syntax("expected ':'");
        i++;
        pairs.push([key, value()]);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; break; }
        throw syntax("expected ',' or '}'");
      }
      return Object.fromEntries(pairs); // own data properties, even for "__proto__"
    }
    if (ch === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") { i++; return out; }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; break; }
        throw syntax("expected ',' or ']'");
      }
      return out;
    }
    if (ch === '"') return string();
    if (ch === "-" || (ch >= "0" && ch <= "9")) return number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    throw syntax("unexpected character");
  }
  const result = value();
  ws();
  if (i !== text.length) throw syntax("extra data");
  for (const code of CODES) if (found.has(code)) throw new JsonError(code);
  return result;
}

/** The canonical text of `value`, or JsonError for a value that has none. */
export function canonicalJson(value, depth = 0) {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new JsonError("json_number", String(value));
    return String(value);
  }
  if (typeof value === "string") {
    if (hasLoneSurrogate(value)) throw new JsonError("json_lone_surrogate");
    return JSON.stringify(value);
  }
  if (typeof value === "object") {
    if (depth >= MAX_DEPTH) throw new JsonError("json_too_deep");
    if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(",")}]`;
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => {
      if (hasLoneSurrogate(k)) throw new JsonError("json_lone_surrogate");
      return `${JSON.stringify(k)}:${canonicalJson(value[k], depth + 1)}`;
    }).join(",")}}`;
  }
  throw new JsonError("json_syntax", `unsupported value ${typeof value}`);
}
