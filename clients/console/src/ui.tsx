// The pieces every page uses: error notes with the request id, state
// badges, lists that page through `next_page`, a spec-driven form, and a
// confirmed delete.
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { describe } from "./api";
import { body as bodySpec, label as defaultLabel, lockedBecause, problem, type Unit } from "./spec";

export function ErrorNote({ error }: { error: unknown }) {
  return error ? <p role="alert" className="error">{describe(error)}</p> : null;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}

export function bytes(n: number): string {
  const gib = n / 2 ** 30;
  return gib >= 1 ? `${+gib.toFixed(1)} GiB` : `${+(n / 2 ** 20).toFixed(0)} MiB`;
}

interface Page<T> {
  items: T[];
  next_page?: string | null;
}

/** A list read page by page, as the API hands it out. */
/** Sizes typed in GiB and sent in bytes (a `SpecForm` field's `unit`). */
export const GIB = { label: "GiB", factor: 2 ** 30 };

export function usePages<T>(
  queryKey: QueryKey,
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
  options: { enabled?: boolean; refetchInterval?: (items: T[]) => number | false } = {},
) {
  const query = useInfiniteQuery({
    queryKey,
    enabled: options.enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.next_page ?? undefined,
    refetchInterval: options.refetchInterval
      ? (q) => options.refetchInterval!(q.state.data?.pages.flatMap((p) => p.items) ?? [])
      : undefined,
  });
  return { ...query, items: query.data?.pages.flatMap((p) => p.items) };
}

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
}

/** A table of a paged list, with a button for the next page. */
export function PagedTable<T extends { id: string }>({
  pages,
  columns,
  empty,
  caption,
}: {
  pages: ReturnType<typeof usePages<T>>;
  columns: Column<T>[];
  empty: string;
  caption: string;
}) {
  if (pages.error) return <ErrorNote error={pages.error} />;
  if (!pages.items) return <p>Loading…</p>;
  if (pages.items.length === 0) return <p>{empty}</p>;
  return (
    <>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col">
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {pages.items.map((item) => (
              <tr key={item.id}>
                {columns.map((c) => (
                  <td key={c.header}>{c.cell(item)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages.hasNextPage ? (
        <button type="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          {pages.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      ) : null}
    </>
  );
}

export interface Choice {
  value: string;
  label: string;
}

/** How a form shows one field, beyond what the spec says of it. */
export interface FieldOptions {
  label?: string;
  unit?: Unit;
  /** A select (or, for an array, a set of checkboxes) instead of a text box. */
  choices?: Choice[];
  multiline?: boolean;
  initial?: string | boolean | string[];
  /** Said under the field instead of the spec's description. */
  hint?: string;
  /** The input's type, where the spec's says too little (`color`). */
  inputType?: string;
}

type Value = string | boolean | string[];

/**
 * A form for a request body of the spec: each field's input, limits,
 * pattern and choices come from the spec, so it refuses what the API
 * refuses before asking. For an existing resource (`lockedBy`: the create
 * body whose `x-overcast-mutability` applies), a field fixed at creation
 * is read-only, and one that needs a stop is disabled while it runs; both
 * say why.
 */
export function SpecForm({
  schema,
  fields,
  options = {},
  lockedBy,
  running = false,
  submitLabel,
  busy,
  error,
  onSubmit,
  onChange,
  children,
}: {
  schema: string;
  fields: string[];
  options?: Record<string, FieldOptions>;
  lockedBy?: string;
  running?: boolean;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (body: Record<string, unknown>) => void;
  /** Told the body as it would be sent, at every keystroke (for previews). */
  onChange?: (body: Record<string, unknown>) => void;
  children?: ReactNode;
}) {
  const spec = bodySpec(schema);
  const mutability = lockedBy ? bodySpec(lockedBy).properties : undefined;
  const id = useId();
  const [values, setValues] = useState<Record<string, Value>>(() =>
    Object.fromEntries(
      fields.map((f) => {
        const o = options[f];
        const field = spec.properties[f];
        const picked = field?.type === "array" && (o?.choices || field.items?.enum);
        const initial = o?.initial ?? (field?.type === "boolean" ? false : picked ? [] : "");
        return [f, initial];
      }),
    ),
  );
  const [checked, setChecked] = useState(false);
  const locks = Object.fromEntries(
    fields.map((f) => [f, mutability ? lockedBecause(mutability[f]?.mutability, running) : undefined]),
  );
  const problems = Object.fromEntries(
    fields.map((f) => {
      const v = values[f];
      const field = spec.properties[f];
      if (!field || locks[f] || typeof v !== "string") return [f, undefined];
      return [f, problem(field, v, spec.required.includes(f), options[f]?.unit)];
    }),
  );
  const bodyOf = (values: Record<string, Value>) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = values[f];
      const field = spec.properties[f];
      if (locks[f] || !field) continue;
      if (typeof v === "boolean") out[f] = v;
      else if (Array.isArray(v)) {
        if (v.length) out[f] = v;
      } else if (field.type === "array") {
        // A list typed as text: comma-separated.
        const items = v.split(",").map((x) => x.trim()).filter(Boolean);
        if (items.length) out[f] = items;
      } else if (v !== "") {
        out[f] = field.type === "integer" || field.type === "number" ? Number(v) * (options[f]?.unit?.factor ?? 1) : v;
      }
    }
    return out;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (Object.values(problems).some(Boolean)) return;
    onSubmit(bodyOf(values));
  };
  return (
    <form onSubmit={submit} className="form" noValidate>
      {fields.map((f) => {
        const field = spec.properties[f];
        if (!field) throw new Error(`${schema} has no field ${f}`);
        const o = options[f] ?? {};
        const inputId = `${id}-${f}`;
        const text = `${o.label ?? defaultLabel(f)}${o.unit ? ` (${o.unit.label})` : ""}`;
        const required = spec.required.includes(f);
        const why = locks[f];
        const hint = o.hint ?? (o.choices ? undefined : field.description);
        const shownProblem = checked || values[f] !== (o.initial ?? "") ? problems[f] : undefined;
        const describedBy = [why && `${inputId}-why`, shownProblem && `${inputId}-problem`, hint && `${inputId}-hint`]
          .filter(Boolean)
          .join(" ") || undefined;
        const set = (v: Value) => {
          const next = { ...values, [f]: v };
          setValues(next);
          onChange?.(bodyOf(next));
        };
        const notes = (
          <>
            {hint ? (
              <small id={`${inputId}-hint`} className="hint">
                {hint}
              </small>
            ) : null}
            {why ? (
              <small id={`${inputId}-why`} className="hint locked">
                {why}
              </small>
            ) : null}
            {shownProblem ? (
              <small id={`${inputId}-problem`} className="problem">
                {shownProblem}
              </small>
            ) : null}
          </>
        );
        const listChoices = o.choices ?? field.items?.enum?.map((v) => ({ value: v, label: v.replace(/_/g, " ") }));
        if (field.type === "array" && listChoices) {
          const chosen = values[f] as string[];
          return (
            <fieldset key={f} disabled={!!why} aria-describedby={describedBy}>
              <legend>{text}</legend>
              {listChoices.length === 0 ? <p className="hint">None to choose from.</p> : null}
              {listChoices.map((c) => (
                <label key={c.value} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(c.value)}
                    onChange={(e) => set(e.target.checked ? [...chosen, c.value] : chosen.filter((x) => x !== c.value))}
                  />
                  {c.label}
                </label>
              ))}
              {notes}
            </fieldset>
          );
        }
        if (field.type === "boolean") {
          return (
            <div key={f} className="field">
              <label className="check" htmlFor={inputId}>
                <input
                  id={inputId}
                  type="checkbox"
                  checked={values[f] as boolean}
                  disabled={!!why}
                  aria-describedby={describedBy}
                  onChange={(e) => set(e.target.checked)}
                />
                {text}
              </label>
              {notes}
            </div>
          );
        }
        const common = {
          id: inputId,
          value: values[f] as string,
          required,
          disabled: !!why,
          "aria-invalid": shownProblem ? true : undefined,
          "aria-describedby": describedBy,
        };
        const choices = o.choices ?? field.enum?.map((v) => ({ value: v, label: v.replace(/_/g, " ") }));
        let input: ReactNode;
        if (choices) {
          input = (
            <select {...common} onChange={(e) => set(e.target.value)}>
              {required && values[f] !== "" ? null : <option value="">{required ? "Choose…" : "(default)"}</option>}
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          );
        } else if (o.multiline) {
          input = <textarea {...common} rows={3} onChange={(e) => set(e.target.value)} />;
        } else {
          const numeric = field.type === "integer" || field.type === "number";
          input = (
            <input
              {...common}
              type={o.inputType ?? (numeric ? "number" : field.format === "email" || f === "email" ? "email" : "text")}
              inputMode={numeric ? "numeric" : undefined}
              onChange={(e) => set(e.target.value)}
            />
          );
        }
        return (
          <div key={f} className="field">
            <label htmlFor={inputId}>{text}</label>
            {input}
            {notes}
          </div>
        );
      })}
      {children}
      <ErrorNote error={error} />
      {/* Nothing to send while every field is locked (a running instance's size). */}
      <button type="submit" disabled={busy || fields.every((f) => locks[f])}>
        {busy ? "Working…" : submitLabel}
      </button>
    </form>
  );
}

/** A delete (or release, or revoke) button that asks first. */
export function ConfirmButton({
  label,
  question,
  onConfirm,
  disabled,
  why,
}: {
  label: string;
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  why?: string;
}) {
  const [asking, setAsking] = useState(false);
  const whyId = useId();
  if (asking) {
    return (
      <span role="group" aria-label={`Confirm: ${label}`}>
        {question}{" "}
        <button
          type="button"
          className="danger"
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          Yes, {label.toLowerCase()}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </span>
    );
  }
  return (
    <>
      {disabled && why ? (
        <span id={whyId} className="hint">
          {why}
        </span>
      ) : null}
      <button
        type="button"
        className="danger"
        disabled={disabled}
        aria-describedby={disabled && why ? whyId : undefined}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    </>
  );
}

/**
 * "Edit" on a row of a list: opens the resource's name and description
 * (the `IdentityUpdate` body) in place; saving closes it again.
 */
export function EditIdentity({
  item,
  save,
}: {
  item: { id: string; name: string; description: string };
  save: (body: Record<string, unknown>) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Edit {item.name}
      </button>
    );
  return (
    <div role="group" aria-label={`Edit ${item.name}`} className="inline-edit">
      <SpecForm
        schema="IdentityUpdate"
        fields={["name", "description"]}
        options={{ name: { initial: item.name }, description: { initial: item.description } }}
        submitLabel="Save"
        busy={busy}
        error={error}
        onSubmit={(body) => {
          setBusy(true);
          setError(undefined);
          save(body)
            .then(() => setOpen(false))
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      />
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </div>
  );
}

