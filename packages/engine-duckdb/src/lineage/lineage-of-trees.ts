import type {
  ColumnLineage,
  DirectSubtype,
  IndirectSubtype,
  LineageInputs,
  LineageIssue,
  LineageSource,
  LineageTransformation,
} from "./lineage-types.js";

type Node = Record<string, unknown>;
/** An input column: `table \0 column`, both as the request spells them. */
type Ref = string;
type Indirect = Map<Ref, Set<IndirectSubtype>>;

/** What a value is made of: input columns it is computed from, and those that chose it. */
interface Lin {
  direct: Map<Ref, DirectSubtype>;
  indirect: Indirect;
  unknown: Set<string>;
  /** Direct sources whose value a hash on the way made unreadable. */
  hashed: Set<Ref>;
}

interface Col {
  name: string;
  lin: Lin;
}

/** A query's result: its columns, and the input columns that decide its rows. */
interface Relation {
  columns: Col[];
  dataset: Indirect;
}

/** A FROM item: the names it is qualified by, its columns; `open` for a table whose columns nobody told. */
interface Item {
  qualifiers: string[];
  columns: Col[];
  open?: string;
}

interface Scope {
  items: Item[];
  /** Columns of USING and NATURAL joins: one column for both sides. */
  using: Map<string, Col>;
  lambdas: ReadonlySet<string>;
  parent: Scope | undefined;
}

interface Env {
  relations: Map<string, Relation>;
  parent: Env | undefined;
}

const rank: Record<DirectSubtype, number> = { IDENTITY: 0, TRANSFORMATION: 1, AGGREGATION: 2 };
const refOf = (table: string, column: string): Ref => `${table}\u0000${column}`;
const lower = (s: unknown) => String(s ?? "").toLowerCase();
const obj = (v: unknown): Node | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Node) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const emptyLin = (): Lin => ({ direct: new Map(), indirect: new Map(), unknown: new Set(), hashed: new Set() });

/** Functions whose result does not show their input (OpenLineage's `masking`, as its Spark integration marks hashes). */
const maskingFunctions = new Set([
  "md5",
  "md5_number",
  "md5_number_lower",
  "md5_number_upper",
  "sha1",
  "sha256",
  "hash",
]);

function addIndirect(into: Indirect, key: Ref, subs: Iterable<IndirectSubtype>) {
  const set = into.get(key) ?? new Set<IndirectSubtype>();
  for (const s of subs) set.add(s);
  into.set(key, set);
}

function merge(into: Lin, from: Lin): Lin {
  for (const [k, s] of from.direct) {
    const had = into.direct.get(k);
    into.direct.set(k, had === undefined || rank[s] > rank[had] ? s : had);
  }
  for (const [k, s] of from.indirect) addIndirect(into.indirect, k, s);
  for (const u of from.unknown) into.unknown.add(u);
  for (const h of from.hashed) into.hashed.add(h);
  return into;
}

const copy = (lin: Lin) => merge(emptyLin(), lin);

/** Duplicate names as DuckDB makes them unique when a query becomes a table (`amount`, `amount_1`). */
function unique(columns: Col[]): Col[] {
  const seen = new Set<string>();
  return columns.map((c) => {
    let name = c.name;
    for (let n = 1; seen.has(name.toLowerCase()); n++) name = `${c.name}_${n}`;
    seen.add(name.toLowerCase());
    return name === c.name ? c : { ...c, name };
  });
}

/** The value passed through an operation: every direct source at least `subtype`. */
function bump(lin: Lin, subtype: DirectSubtype): Lin {
  const out = copy(lin);
  for (const [k, s] of out.direct) if (rank[subtype] > rank[s]) out.direct.set(k, subtype);
  return out;
}

/** Everything a value depends on, as an influence of kind `subtype` (a filter on a computed column is a filter on its inputs). */
function influence(lin: Lin, subtype: IndirectSubtype, into: Indirect = new Map()): Indirect {
  for (const k of lin.direct.keys()) addIndirect(into, k, [subtype]);
  for (const k of lin.indirect.keys()) addIndirect(into, k, [subtype]);
  return into;
}

function withIndirect(lin: Lin, indirect: Indirect): Lin {
  const out = copy(lin);
  for (const [k, s] of indirect) addIndirect(out.indirect, k, s);
  return out;
}

/**
 * Column lineage over DuckDB parse trees (`json_serialize_sql`, one per statement, unaliased
 * expressions already named as DuckDB names them): for each column of the last statement, the
 * input columns that feed it and how. Pure; `columnLineage` parses and calls it.
 */
export function lineageOfTrees(
  statements: readonly { name: string; tree: Node }[],
  inputs: LineageInputs,
  aggregates: ReadonlySet<string>,
  /** The columns each table's row filters read (`rowFilters`, parsed by the caller). */
  filtered: Readonly<Record<string, readonly string[]>> = {},
): ColumnLineage {
  const issues: LineageIssue[] = [];
  const tables = new Map<string, { name: string; columns: readonly string[] }>();
  for (const [name, columns] of Object.entries(inputs.tables)) tables.set(name.toLowerCase(), { name, columns });
  const masked = new Set<Ref>();
  for (const [name, columns] of Object.entries(inputs.masked ?? {})) {
    const table = tables.get(name.toLowerCase());
    for (const c of columns) {
      const column = table?.columns.find((x) => x.toLowerCase() === c.toLowerCase()) ?? c;
      masked.add(refOf(table?.name ?? name, column));
    }
  }
  const steps: Env = { relations: new Map(), parent: undefined };
  let statement = "";
  const issue = (code: LineageIssue["code"], message: string) => {
    if (!issues.some((i) => i.statement === statement && i.message === message))
      issues.push({ code, statement, message });
  };

  const lookup = (env: Env | undefined, name: string): Relation | undefined =>
    env ? (env.relations.get(name) ?? lookup(env.parent, name)) : undefined;

  const resolveIn = (scope: Scope, names: string[]): Lin | undefined => {
    const [first, second] = names;
    if (first === undefined) return undefined;
    if (names.length === 1) {
      if (scope.lambdas.has(first)) return emptyLin();
      const using = scope.using.get(first);
      if (using) return copy(using.lin);
      const found = scope.items.flatMap((i) => i.columns.filter((c) => c.name.toLowerCase() === first));
      if (found.length > 1) {
        issue("ambiguous-column", `column "${first}" is in more than one table of the FROM clause`);
        return found.reduce((l, c) => merge(l, c.lin), emptyLin());
      }
      if (found[0]) return copy(found[0].lin);
      const open = scope.items.filter((i) => i.open !== undefined);
      if (open.length === 1 && open[0]?.open !== undefined) return known(open[0].open, first);
      return undefined;
    }
    // `t.c`, `schema.t.c`; else a struct field of a column (`s.f`).
    for (const n of [2, 1]) {
      if (names.length <= n) continue;
      const qualifier = names.slice(0, n).join(".");
      const item = scope.items.find((i) => i.qualifiers.includes(qualifier));
      if (!item) continue;
      const column = names[n] ?? "";
      const col = item.columns.find((c) => c.name.toLowerCase() === column);
      const lin = col ? copy(col.lin) : item.open !== undefined ? known(item.open, column) : undefined;
      if (!lin) return undefined;
      return names.length > n + 1 ? bump(lin, "TRANSFORMATION") : lin;
    }
    if (second === undefined) return undefined;
    const struct = resolveIn({ ...scope, parent: undefined }, [first]);
    return struct ? bump(struct, "TRANSFORMATION") : undefined;
  };

  /** A column of a table the request gave no columns for: taken by its name. */
  const known = (table: string, column: string): Lin => {
    const lin = emptyLin();
    lin.direct.set(refOf(table, column), "IDENTITY");
    return lin;
  };

  const resolve = (scope: Scope, names: string[]): Lin => {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const lin = resolveIn(s, names);
      if (lin) return lin;
    }
    const name = names.join(".");
    const around = scope.items.map((i) => i.qualifiers[0] ?? "").filter(Boolean);
    issue(
      "unknown-column",
      `column "${name}" is not a column of ${around.length ? around.join(", ") : "the query (it reads no table)"}`,
    );
    const lin = emptyLin();
    lin.unknown.add(`${statement}: ${name}`);
    return lin;
  };

  const isAggregate = (node: Node) => aggregates.has(lower(node.function_name));

  function containsAggregate(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(containsAggregate);
    const node = obj(value);
    if (!node) return false;
    if (node.class === "SUBQUERY" || node.class === "WINDOW") return false;
    if (node.class === "FUNCTION" && isAggregate(node)) return true;
    return Object.values(node).some(containsAggregate);
  }

  /** Every expression below `value` (not below a subquery's query), merged. */
  function children(value: unknown, scope: Scope, env: Env, into: Lin = emptyLin()): Lin {
    if (Array.isArray(value)) for (const v of value) children(v, scope, env, into);
    else {
      const node = obj(value);
      if (node && typeof node.class === "string") merge(into, expr(node, scope, env));
      else if (node) for (const v of Object.values(node)) children(v, scope, env, into);
    }
    return into;
  }

  const orderExprs = (orders: unknown) => arr(orders).map((o) => obj(o)?.expression);

  function expr(node: Node, scope: Scope, env: Env): Lin {
    switch (node.class) {
      case "COLUMN_REF":
        return resolve(scope, arr(node.column_names).map(lower));
      case "POSITIONAL_REFERENCE": {
        // `#2`: the second column of the FROM clause, as `*` lists them.
        const columns = starColumns({ relation_name: "" }, scope);
        return copy(columns[Number(node.index) - 1]?.lin ?? emptyLin());
      }
      case "CONSTANT":
      case "PARAMETER":
      case "DEFAULT":
        return emptyLin();
      case "STAR": {
        if (node.columns === true) {
          issue("unsupported", "COLUMNS(…) inside an expression is not followed: name the columns");
          return emptyLin();
        }
        const lin = emptyLin();
        for (const c of starColumns(node, scope)) merge(lin, c.lin);
        return bump(lin, "TRANSFORMATION");
      }
      case "FUNCTION": {
        const lin = bump(
          children([node.children, orderExprs(obj(node.order_bys)?.orders)], scope, env),
          isAggregate(node) ? "AGGREGATION" : "TRANSFORMATION",
        );
        if (maskingFunctions.has(lower(node.function_name))) for (const k of lin.direct.keys()) lin.hashed.add(k);
        const filter = obj(node.filter);
        return filter ? withIndirect(lin, influence(expr(filter, scope, env), "FILTER")) : lin;
      }
      case "WINDOW": {
        const lin = bump(
          children([node.children, node.offset_expr, node.default_expr], scope, env),
          isAggregate(node) ? "AGGREGATION" : "TRANSFORMATION",
        );
        const window = influence(
          children([node.partitions, orderExprs(node.orders), node.start_expr, node.end_expr], scope, env),
          "WINDOW",
        );
        const filter = obj(node.filter_expr);
        if (filter) influence(expr(filter, scope, env), "FILTER", window);
        return withIndirect(lin, window);
      }
      case "CASE": {
        const checks = arr(node.case_checks).map(obj);
        const values = bump(children([checks.map((c) => c?.then_expr), node.else_expr], scope, env), "TRANSFORMATION");
        return withIndirect(
          values,
          influence(
            children(
              checks.map((c) => c?.when_expr),
              scope,
              env,
            ),
            "CONDITIONAL",
          ),
        );
      }
      case "SUBQUERY": {
        const query = obj(obj(node.subquery)?.node);
        const rel = query ? relation(query, env, scope) : { columns: [], dataset: new Map() };
        if (node.subquery_type === "SCALAR") return withIndirect(copy(rel.columns[0]?.lin ?? emptyLin()), rel.dataset);
        const lin = rel.columns.reduce((l, c) => merge(l, c.lin), children(node.child, scope, env));
        return withIndirect(bump(lin, "TRANSFORMATION"), rel.dataset);
      }
      case "LAMBDA": {
        const lhs = obj(node.lhs);
        const params = lhs?.class === "COLUMN_REF" ? [lhs] : arr(lhs?.children).map(obj);
        const lambdas = new Set([...scope.lambdas, ...params.map((p) => lower(arr(p?.column_names).at(-1)))]);
        return children(node.expr, { ...scope, lambdas }, env);
      }
      default:
        return bump(children(Object.values(node), scope, env), "TRANSFORMATION");
    }
  }

  /** The columns a `*` stands for: USING columns once, EXCLUDE dropped, REPLACE computed; `COLUMNS(…)` is not followed. */
  function starColumns(node: Node, scope: Scope, env?: Env): Col[] {
    // `COLUMNS(*)` is a star; `COLUMNS('regex')` and `COLUMNS(lambda)` pick names DuckDB matches at bind time.
    if (node.expr) {
      issue("unsupported", "COLUMNS(…) is not followed: name the columns");
      return [];
    }
    const relationName = lower(node.relation_name);
    // A name in EXCLUDE/RENAME is a string or `{ table, column }` (`EXCLUDE (t.a)`).
    const named = (e: unknown) => ({ table: lower(obj(e)?.table), column: lower(obj(e)?.column ?? e) });
    const exclude = [...arr(node.exclude_list), ...arr(node.qualified_exclude_list)].map(named);
    const replace = new Map(arr(node.replace_list).map((e) => [lower(obj(e)?.key), obj(obj(e)?.value)]));
    const rename = arr(node.rename_list).map((e) => ({ ...named(obj(e)?.key), to: obj(e)?.value }));
    const hits = (list: { table: string; column: string }[], item: Item, column: string) =>
      list.find((x) => x.column === column && (x.table === "" || item.qualifiers.includes(x.table)));
    const items = relationName ? scope.items.filter((i) => i.qualifiers.includes(relationName)) : scope.items;
    if (relationName && items.length === 0)
      issue("unknown-table", `"${relationName}.*" names no table of the FROM clause`);
    const out: Col[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      if (item.open !== undefined)
        issue("unsupported", `the columns of ${item.open} are unknown, so its * is not followed`);
      for (const c of item.columns) {
        const key = c.name.toLowerCase();
        const using = relationName ? undefined : scope.using.get(key);
        if (using && seen.has(key)) continue;
        seen.add(key);
        if (hits(exclude, item, key)) continue;
        const replaced = replace.get(key);
        const lin = replaced && env ? expr(replaced, scope, env) : (using ?? c).lin;
        const to = (hits(rename, item, key) as { to?: unknown } | undefined)?.to;
        out.push({ name: typeof to === "string" ? to : c.name, lin: copy(lin) });
      }
    }
    return out;
  }

  function withCtes(node: Node, env: Env, outer: Scope | undefined): Env {
    const entries = arr(obj(node.cte_map)?.map);
    if (entries.length === 0) return env;
    const inner: Env = { relations: new Map(), parent: env };
    for (const entry of entries) {
      const name = lower(obj(entry)?.key);
      const value = obj(obj(entry)?.value);
      const query = obj(obj(value?.query)?.node);
      if (!query) continue;
      // A recursive CTE reads itself: its anchor (the left side) stands for it.
      const left = obj(query.left);
      if ((query.type === "RECURSIVE_CTE_NODE" || query.type === "SET_OPERATION_NODE") && left)
        inner.relations.set(name, relation(left, inner, outer));
      inner.relations.set(name, renamed(relation(query, inner, outer), arr(value?.aliases)));
    }
    return inner;
  }

  function renamed(rel: Relation, aliases: unknown[]): Relation {
    if (aliases.length === 0) return rel;
    return {
      ...rel,
      columns: rel.columns.map((c, i) => (typeof aliases[i] === "string" ? { ...c, name: aliases[i] as string } : c)),
    };
  }

  /** A query node: SELECT, set operation or recursive CTE. */
  function relation(node: Node, env: Env, outer: Scope | undefined): Relation {
    const inner = withCtes(node, env, outer);
    if (node.type === "SELECT_NODE") {
      const rel = select(node, inner, outer);
      return { ...rel, columns: unique(rel.columns) };
    }
    if (node.type === "SET_OPERATION_NODE" || node.type === "RECURSIVE_CTE_NODE") {
      const left = relation(obj(node.left) ?? {}, inner, outer);
      const right = relation(obj(node.right) ?? {}, inner, outer);
      const dataset: Indirect = new Map();
      for (const d of [left.dataset, right.dataset]) for (const [k, s] of d) addIndirect(dataset, k, s);
      const op = String(node.setop_type ?? "UNION");
      let columns: Col[];
      if (op === "EXCEPT" || op === "INTERSECT") {
        // The right side only decides which rows of the left stay.
        for (const c of right.columns) influence(c.lin, "FILTER", dataset);
        columns = left.columns;
      } else if (op === "UNION_BY_NAME") {
        const byName = new Map<string, Col>();
        for (const c of [...left.columns, ...right.columns]) {
          const had = byName.get(c.name.toLowerCase());
          byName.set(c.name.toLowerCase(), had ? { name: had.name, lin: merge(copy(had.lin), c.lin) } : c);
        }
        columns = [...byName.values()];
      } else {
        columns = left.columns.map((c, i) => {
          const r = right.columns[i];
          return { name: c.name, lin: r ? merge(copy(c.lin), r.lin) : c.lin };
        });
      }
      const rel = { columns: unique(columns), dataset };
      modifiers(
        node,
        rel,
        { items: [{ qualifiers: [], columns }], using: new Map(), lambdas: new Set(), parent: outer },
        inner,
      );
      return rel;
    }
    issue("unsupported", `a ${String(node.type)} query is not followed`);
    return { columns: [], dataset: new Map() };
  }

  /** ORDER BY (an output column by name or position, else an expression) and DISTINCT ON. */
  function modifiers(node: Node, rel: Relation, scope: Scope, env: Env) {
    const target = (e: unknown): Lin => {
      const n = obj(e);
      if (!n) return emptyLin();
      const position = obj(n.value)?.value;
      if (n.class === "CONSTANT" && typeof position === "number")
        return copy(rel.columns[position - 1]?.lin ?? emptyLin());
      // ORDER BY ALL
      if (n.class === "STAR") return rel.columns.reduce((l, c) => merge(l, c.lin), emptyLin());
      const names = arr(n.column_names);
      if (n.class === "COLUMN_REF" && names.length === 1) {
        const col = rel.columns.find((c) => c.name.toLowerCase() === lower(names[0]));
        if (col) return copy(col.lin);
      }
      return expr(n, scope, env);
    };
    for (const m of arr(node.modifiers).map(obj)) {
      if (m?.type === "ORDER_MODIFIER") for (const e of orderExprs(m.orders)) influence(target(e), "SORT", rel.dataset);
      if (m?.type === "DISTINCT_MODIFIER")
        for (const e of arr(m.distinct_on_targets)) influence(target(e), "GROUP_BY", rel.dataset);
    }
  }

  function select(node: Node, env: Env, outer: Scope | undefined): Relation {
    const dataset: Indirect = new Map();
    const scope: Scope = { items: [], using: new Map(), lambdas: new Set(), parent: outer };
    from(obj(node.from_table), env, scope, dataset);
    const columns: Col[] = [];
    const aggregated: boolean[] = [];
    for (const [i, item] of arr(node.select_list).map(obj).entries()) {
      if (!item) continue;
      if (item.class === "STAR") {
        for (const c of starColumns(item, scope, env)) {
          columns.push(c);
          aggregated.push(false);
        }
        continue;
      }
      const names = arr(item.column_names);
      const name = lower(item.alias)
        ? String(item.alias)
        : item.class === "COLUMN_REF"
          ? String(names.at(-1) ?? "")
          : item.class === "POSITIONAL_REFERENCE"
            ? (starColumns({ relation_name: "" }, scope)[Number(item.index) - 1]?.name ?? `#${i + 1}`)
            : `#${i + 1}`;
      columns.push({ name, lin: expr(item, scope, env) });
      aggregated.push(containsAggregate(item));
    }
    const rel = { columns, dataset };
    const where = obj(node.where_clause);
    if (where) influence(expr(where, scope, env), "FILTER", dataset);
    // GROUP BY: a column of the FROM clause first, else an output column (by alias or position).
    for (const g of arr(node.group_expressions).map(obj)) {
      if (!g) continue;
      const position = obj(g.value)?.value;
      const names = arr(g.column_names).map(lower);
      let lin: Lin | undefined;
      if (g.class === "CONSTANT" && typeof position === "number") lin = columns[position - 1]?.lin;
      else if (g.class === "COLUMN_REF" && names.length === 1 && !resolveIn(scope, names))
        lin = columns.find((c) => c.name.toLowerCase() === names[0])?.lin;
      influence(lin ?? expr(g, scope, env), "GROUP_BY", dataset);
    }
    if (node.aggregate_handling === "FORCE_AGGREGATES")
      for (const [i, c] of columns.entries()) if (!aggregated[i]) influence(c.lin, "GROUP_BY", dataset);
    for (const clause of [node.having, node.qualify]) {
      const e = obj(clause);
      if (e) influence(expr(e, scope, env), "FILTER", dataset);
    }
    modifiers(node, rel, { ...scope, parent: outer }, env);
    return rel;
  }

  function from(ref: Node | undefined, env: Env, scope: Scope, dataset: Indirect) {
    if (!ref || ref.type === "EMPTY") return;
    const alias = lower(ref.alias);
    const aliases = arr(ref.column_name_alias);
    if (ref.type === "BASE_TABLE") {
      const name = lower(ref.table_name);
      const schema = lower(ref.schema_name);
      const key = schema && schema !== "main" ? `${schema}.${name}` : name;
      const qualifiers = alias ? [alias] : key === name ? [name] : [key, name];
      const rel = key === name ? lookup(env, name) : undefined;
      if (rel) {
        for (const [k, s] of rel.dataset) addIndirect(dataset, k, s);
        scope.items.push({ qualifiers, columns: renamed(rel, aliases).columns });
        return;
      }
      const table = tables.get(key);
      if (table) {
        const columns = table.columns.map((c) => ({ name: c, lin: known(table.name, c) }));
        for (const f of filtered[table.name] ?? []) {
          const column = table.columns.find((c) => c.toLowerCase() === f.toLowerCase()) ?? f;
          addIndirect(dataset, refOf(table.name, column), ["FILTER"]);
        }
        scope.items.push({ qualifiers, columns: renamed({ columns, dataset: new Map() }, aliases).columns });
        return;
      }
      issue("unknown-table", `table "${key}" is neither an input nor an earlier statement or CTE`);
      scope.items.push({ qualifiers, columns: [], open: key });
      return;
    }
    if (ref.type === "SUBQUERY") {
      const query = obj(obj(ref.subquery)?.node);
      // DuckDB joins are lateral: a subquery may read the items before it.
      const rel = renamed(
        query ? relation(query, env, { ...scope, items: [...scope.items] }) : { columns: [], dataset: new Map() },
        aliases,
      );
      for (const [k, s] of rel.dataset) addIndirect(dataset, k, s);
      scope.items.push({ qualifiers: alias ? [alias] : [], columns: rel.columns });
      return;
    }
    if (ref.type === "JOIN") {
      const before = scope.items.length;
      from(obj(ref.left), env, scope, dataset);
      const leftItems = scope.items.slice(before);
      from(obj(ref.right), env, scope, dataset);
      const rightItems = scope.items.slice(before + leftItems.length);
      const columnsOf = (items: Item[]) => items.flatMap((i) => i.columns);
      const named = (items: Item[], name: string) =>
        (scope.using.get(name) ? [scope.using.get(name) as Col] : []).concat(
          columnsOf(items).filter((c) => c.name.toLowerCase() === name),
        )[0];
      let using = arr(ref.using_columns).map(lower);
      if (ref.ref_type === "NATURAL") {
        const right = new Set(columnsOf(rightItems).map((c) => c.name.toLowerCase()));
        using = columnsOf(leftItems)
          .map((c) => c.name.toLowerCase())
          .filter((n) => right.has(n));
      }
      for (const name of using) {
        const l = named(leftItems, name);
        const r = columnsOf(rightItems).find((c) => c.name.toLowerCase() === name);
        if (!l || !r) {
          issue("unknown-column", `USING column "${name}" is not on both sides of the join`);
          continue;
        }
        influence(l.lin, "JOIN", dataset);
        influence(r.lin, "JOIN", dataset);
        const lin = ref.join_type === "FULL" ? bump(merge(copy(l.lin), r.lin), "TRANSFORMATION") : l.lin;
        scope.using.set(name, { name: l.name, lin });
      }
      const condition = obj(ref.condition);
      if (condition) influence(expr(condition, scope, env), "JOIN", dataset);
      // SEMI and ANTI joins keep the left side's columns only.
      if (ref.join_type === "SEMI" || ref.join_type === "ANTI") scope.items.splice(before + leftItems.length);
      return;
    }
    if (ref.type === "EXPRESSION_LIST") {
      const rows = arr(ref.values).map(arr);
      const names = arr(ref.expected_names);
      const columns = (rows[0] ?? []).map((_, i) => ({
        name: typeof names[i] === "string" ? (names[i] as string) : `col${i}`,
        lin: bump(
          children(
            rows.map((r) => r[i]),
            scope,
            env,
          ),
          "TRANSFORMATION",
        ),
      }));
      scope.items.push({
        qualifiers: alias ? [alias] : [],
        columns: renamed({ columns, dataset: new Map() }, aliases).columns,
      });
      return;
    }
    issue("unsupported", `a FROM item of type ${String(ref.type)} is not followed`);
    scope.items.push({ qualifiers: alias ? [alias] : [], columns: [] });
  }

  let last: Relation = { columns: [], dataset: new Map() };
  for (const s of statements) {
    statement = s.name;
    const stmt = obj(arr(s.tree.statements)[0]);
    const node = obj(stmt?.node);
    last = node ? relation(node, steps, undefined) : { columns: [], dataset: new Map() };
    steps.relations.set(s.name.toLowerCase(), last);
  }

  const transformation = (
    type: "DIRECT" | "INDIRECT",
    subtype: DirectSubtype | IndirectSubtype,
    key: Ref,
    hashed?: ReadonlySet<Ref>,
  ): LineageTransformation =>
    ({ type, subtype, masking: masked.has(key) || (hashed?.has(key) ?? false) }) as LineageTransformation;
  const source = (key: Ref, transformations: LineageTransformation[]): LineageSource => {
    const [table = "", column = ""] = key.split("\u0000");
    return { table, column, transformations };
  };
  const indirectSources = (indirect: Indirect, skip?: Map<Ref, DirectSubtype>) =>
    [...indirect]
      .filter(([k]) => !skip?.has(k))
      .map(([k, subs]) =>
        source(
          k,
          [...subs].map((s) => transformation("INDIRECT", s, k)),
        ),
      );
  return {
    columns: last.columns.map((c) => ({
      name: c.name,
      sources: [
        ...[...c.lin.direct].map(([k, s]) =>
          source(k, [
            transformation("DIRECT", s, k, c.lin.hashed),
            ...[...(c.lin.indirect.get(k) ?? [])].map((i) => transformation("INDIRECT", i, k)),
          ]),
        ),
        ...indirectSources(c.lin.indirect, c.lin.direct),
      ],
      unknown: [...c.lin.unknown],
    })),
    dataset: indirectSources(last.dataset),
    issues,
  };
}
