// The module the build makes from the spec (see vite.config.ts).
declare module "virtual:overcast-schemas" {
  /** How a field of a created resource may change later. */
  export type Mutability = "live" | "requires_stop" | "replace";
  export interface FieldSpec {
    type: "string" | "integer" | "number" | "boolean" | "array" | "object";
    mutability?: Mutability;
    description?: string;
    enum?: string[];
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    multipleOf?: number;
    format?: string;
    items?: FieldSpec;
  }
  export interface BodySpec {
    required: string[];
    properties: Record<string, FieldSpec>;
  }
  const bodies: Record<string, BodySpec>;
  export default bodies;
}
