// What the spec says about a request body's fields: the checks the API
// makes (limits, patterns, enums) and when a field may change
// (`x-overcast-mutability`). The forms take everything from here.
import bodies, { type BodySpec, type FieldSpec, type Mutability } from "virtual:overcast-schemas";

export type { FieldSpec, Mutability };

export function body(name: string): BodySpec {
  const spec = bodies[name];
  if (!spec) throw new Error(`the spec has no request body ${name}`);
  return spec;
}

/** A field shown in another unit than the API's (sizes in GiB, say). */
export interface Unit {
  label: string;
  factor: number;
}

/** Why the value typed into a field would be refused, or undefined. */
export function problem(spec: FieldSpec, raw: string, required: boolean, unit?: Unit): string | undefined {
  if (raw === "") return required ? "Required." : undefined;
  if (spec.type === "integer" || spec.type === "number") {
    const value = Number(raw) * (unit?.factor ?? 1);
    if (!Number.isFinite(value)) return "Enter a number.";
    if (spec.type === "integer" && !Number.isInteger(value)) return "Enter a whole number.";
    const shown = (n: number) => `${n / (unit?.factor ?? 1)}${unit ? ` ${unit.label}` : ""}`;
    if (spec.minimum !== undefined && value < spec.minimum) return `At least ${shown(spec.minimum)}.`;
    if (spec.maximum !== undefined && value > spec.maximum) return `At most ${shown(spec.maximum)}.`;
    if (spec.multipleOf && value % spec.multipleOf !== 0) return `A multiple of ${shown(spec.multipleOf)}.`;
    return undefined;
  }
  if (spec.type === "string") {
    if (spec.minLength !== undefined && raw.length < spec.minLength) return `At least ${spec.minLength} characters.`;
    if (spec.maxLength !== undefined && raw.length > spec.maxLength) return `At most ${spec.maxLength} characters.`;
    if (spec.pattern && !new RegExp(spec.pattern, "u").test(raw)) {
      return spec.pattern.startsWith("^[a-z]")
        ? "Lower-case letters, digits and dashes, starting with a letter and not ending with a dash."
        : `Must match ${spec.pattern}.`;
    }
    if (spec.enum && !spec.enum.includes(raw)) return `One of ${spec.enum.join(", ")}.`;
  }
  return undefined;
}

/**
 * Whether a field of an existing resource may change now, and if not why:
 * `replace` fields are fixed at creation, `requires_stop` ones wait for a
 * stop.
 */
export function lockedBecause(mutability: Mutability | undefined, running: boolean): string | undefined {
  if (mutability === "replace") return "Set when it was created.";
  if (mutability === "requires_stop" && running) return "Stop the instance to change this.";
  return undefined;
}

/** `memory_mib` → "Memory mib"; forms pass better labels where they have them. */
export function label(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
