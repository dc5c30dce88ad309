// MLflow's run search syntax, parsed into a small AST: `metrics.silhouette > 0.2 and params.k = 3`.
// Clauses joined by AND (MLflow has no OR); each is an identifier, a comparator and a constant.
// Nothing here touches SQL: query.ts binds the AST's keys and constants as parameters.
import { OptionHintError } from "../errors.js";

export type EntityKind = "metric" | "param" | "tag" | "attribute";
export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";
export type Constant = string | number;

export interface Identifier {
  kind: EntityKind;
  key: string;
}

export interface Clause extends Identifier {
  op: Comparator;
  /** A list for IN and NOT IN, one constant otherwise. */
  value: Constant | Constant[];
}

export interface OrderTerm extends Identifier {
  descending: boolean;
}

/** Attributes a filter or an ordering may name, and whether they compare as numbers. */
export const ATTRIBUTES: Record<string, { column: string; numeric: boolean }> = {
  run_id: { column: "r.id", numeric: false },
  run_name: { column: "r.name", numeric: false },
  status: { column: "r.status", numeric: false },
  start_time: { column: "r.start_time", numeric: true },
  end_time: { column: "r.end_time", numeric: true },
  parent_id: { column: "r.parent_id", numeric: false },
  experiment: { column: "e.name", numeric: false },
  input_hash: { column: "r.input_hash", numeric: false },
  tool_version: { column: "r.tool_version", numeric: false },
  run_dir: { column: "r.run_dir", numeric: false },
};
const ATTRIBUTE_ALIASES: Record<string, string> = { id: "run_id", name: "run_name", run_id: "run_id" };

const KINDS: Record<string, EntityKind> = {
  metrics: "metric",
  metric: "metric",
  params: "param",
  param: "param",
  parameters: "param",
  tags: "tag",
  tag: "tag",
  attributes: "attribute",
  attribute: "attribute",
  attr: "attribute",
  run: "attribute",
};

type Token =
  | { t: "word"; v: string; at: number }
  | { t: "quoted"; v: string; q: string; at: number }
  | { t: "number"; v: number; at: number }
  | { t: "op"; v: string; at: number }
  | { t: "punct"; v: string; at: number };

function tokenize(src: string, what: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"' || c === "`") {
      const start = i++;
      let v = "";
      for (;;) {
        if (i >= src.length) throw filterError(what, `unterminated ${c}…${c} starting at column ${start + 1}`);
        if (src[i] === c) {
          // A doubled quote stands for the quote itself, as in SQL.
          if (src[i + 1] === c) {
            v += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += src[i++];
      }
      out.push({ t: "quoted", v, q: c, at: start });
    } else if (/[-+\d.]/.test(c) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.test(src.slice(i)) && !isWordChar(src[i - 1])) {
      const m = src.slice(i).match(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/)!;
      out.push({ t: "number", v: Number(m[0]), at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = src.slice(i).match(/^[A-Za-z_][A-Za-z0-9_]*/)!;
      out.push({ t: "word", v: m[0], at: i });
      i += m[0].length;
    } else if (/[<>=!]/.test(c)) {
      const m = src.slice(i).match(/^(<=|>=|!=|<>|==|=|<|>)/);
      if (!m) throw filterError(what, `unexpected '${c}' at column ${i + 1}`);
      out.push({ t: "op", v: m[0] === "<>" ? "!=" : m[0] === "==" ? "=" : m[0], at: i });
      i += m[0].length;
    } else if (c === "." || c === "(" || c === ")" || c === ",") {
      out.push({ t: "punct", v: c, at: i++ });
    } else {
      throw filterError(what, `unexpected '${c}' at column ${i + 1}`);
    }
  }
  return out;
}

const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private fail(message: string): never {
    const tok = this.peek();
    throw filterError(this.what, `${message}${tok ? ` at column ${tok.at + 1}` : " at the end"}`);
  }

  keyword(word: string): boolean {
    const tok = this.peek();
    if (tok?.t === "word" && tok.v.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  punct(p: string): boolean {
    const tok = this.peek();
    if (tok?.t === "punct" && tok.v === p) {
      this.i++;
      return true;
    }
    return false;
  }

  /** `metrics.silhouette`, `params."n-init"`, `tags.\`a b\``, `attributes.status` or a bare attribute `status`. */
  identifier(): Identifier {
    const first = this.peek();
    if (first?.t !== "word") this.fail("expected an identifier such as metrics.silhouette, params.k, tags.NAME or attributes.status");
    this.i++;
    const kind = KINDS[first.v.toLowerCase()];
    if (kind && this.punct(".")) {
      const name = this.peek();
      if (name?.t === "word" || (name?.t === "quoted" && (name.q === '"' || name.q === "`"))) {
        this.i++;
        let key = name.v;
        // Unquoted names may contain dots: metrics.cluster.0
        while (name.t === "word" && this.punct(".")) {
          const more = this.peek();
          if (more?.t !== "word" && more?.t !== "number") this.fail("expected a name after '.'");
          this.i++;
          key += `.${more.v}`;
        }
        return kind === "attribute" ? this.attribute(key, name.at) : { kind, key };
      }
      this.fail(`expected a name after '${first.v}.'`);
    }
    return this.attribute(first.v, first.at);
  }

  private attribute(name: string, at: number): Identifier {
    const key = ATTRIBUTE_ALIASES[name.toLowerCase()] ?? name.toLowerCase();
    if (!ATTRIBUTES[key]) {
      throw filterError(this.what, `unknown identifier '${name}' at column ${at + 1} (use metrics.NAME, params.NAME, tags.NAME or one of the attributes ${Object.keys(ATTRIBUTES).join(", ")})`);
    }
    return { kind: "attribute", key };
  }

  comparator(): Comparator {
    const tok = this.peek();
    if (tok?.t === "op") {
      this.i++;
      return tok.v as Comparator;
    }
    if (this.keyword("LIKE")) return "LIKE";
    if (this.keyword("ILIKE")) return "ILIKE";
    if (this.keyword("IN")) return "IN";
    if (this.keyword("NOT")) {
      if (this.keyword("IN")) return "NOT IN";
      this.fail("expected IN after NOT");
    }
    return this.fail("expected a comparator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)");
  }

  constant(): Constant {
    const tok = this.peek();
    if (tok?.t === "number") {
      this.i++;
      return tok.v;
    }
    // Double quotes are a string here, as in MLflow (params.model = "kmeans").
    if (tok?.t === "quoted" && tok.q !== "`") {
      this.i++;
      return tok.v;
    }
    return this.fail("expected a number or a quoted string");
  }

  list(): Constant[] {
    if (!this.punct("(")) this.fail("expected '(' to start the list");
    const items = [this.constant()];
    while (this.punct(",")) items.push(this.constant());
    if (!this.punct(")")) this.fail("expected ',' or ')'");
    return items;
  }
}

/** A syntax or type error in the filter or ordering that the option `what` gave; the CLI names its flag. */
function filterError(what: string, message: string): OptionHintError {
  return new OptionHintError((n) => `${n(what)}: ${message}`, { option: what });
}

/** Parses a `--where` filter. An empty string is no filter. */
export function parseFilter(src: string, what = "where"): Clause[] {
  const p = new Parser(tokenize(src, what), what);
  const clauses: Clause[] = [];
  if (p.done) return clauses;
  do {
    const id = p.identifier();
    const op = p.comparator();
    const value = op === "IN" || op === "NOT IN" ? p.list() : p.constant();
    clauses.push(check({ ...id, op, value }, what));
  } while (p.keyword("AND"));
  if (!p.done) {
    if (p.keyword("OR")) throw filterError(what, `OR is not supported (as in MLflow); run two searches`);
    throw filterError(what, `expected AND between conditions, or the end`);
  }
  return clauses;
}

const NUMERIC_OPS: Comparator[] = ["=", "!=", "<", "<=", ">", ">="];

/** MLflow's rules: metrics compare as numbers; params and tags as text (params also as numbers). */
function check(c: Clause, what: string): Clause {
  const name = c.kind === "attribute" ? `attributes.${c.key}` : `${c.kind}s.${c.key}`;
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const list = c.op === "IN" || c.op === "NOT IN";
  const pattern = c.op === "LIKE" || c.op === "ILIKE";
  const numeric = c.kind === "metric" || (c.kind === "attribute" && ATTRIBUTES[c.key]!.numeric);
  if (numeric) {
    if (!NUMERIC_OPS.includes(c.op)) throw filterError(what, `${name} is a number; compare it with =, !=, <, <=, > or >=, not ${c.op}`);
    if (typeof c.value !== "number") {
      // Times may be written as dates: attributes.start_time > "2026-11-30".
      const ms = c.kind === "attribute" ? Date.parse(c.value as string) : Number.NaN;
      if (Number.isNaN(ms)) throw filterError(what, `${name} ${c.op} needs a number, got "${c.value}"`);
      return { ...c, value: ms };
    }
    return c;
  }
  if (c.kind === "tag" || c.kind === "attribute") {
    if (!list && !pattern && c.op !== "=" && c.op !== "!=") throw filterError(what, `${name} is text; compare it with =, !=, LIKE, ILIKE, IN or NOT IN, not ${c.op}`);
    return { ...c, value: list ? values.map(String) : String(c.value) };
  }
  // Params: text, or a number compared with a numeric parameter value (params.k >= 4).
  if (typeof c.value !== "number" && !list && !pattern && c.op !== "=" && c.op !== "!=") {
    throw filterError(what, `${name} ${c.op} needs a number, got "${c.value}"`);
  }
  if (pattern && typeof c.value !== "string") return { ...c, value: String(c.value) };
  return c;
}

/** Parses `--order-by`: comma-separated identifiers, each optionally followed by ASC or DESC. */
export function parseOrderBy(src: string, what = "orderBy"): OrderTerm[] {
  const p = new Parser(tokenize(src, what), what);
  const terms: OrderTerm[] = [];
  if (p.done) return terms;
  do {
    const id = p.identifier();
    const descending = p.keyword("DESC");
    if (!descending) p.keyword("ASC");
    terms.push({ ...id, descending });
  } while (p.punct(","));
  if (!p.done) throw filterError(what, `expected ',' between terms, or the end`);
  return terms;
}
