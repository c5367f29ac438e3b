import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const SPEC = new URL("../../api-spec/openapi.json", import.meta.url).pathname;
const MODULE = "virtual:overcast-schemas";

type Json = Record<string, any>;

/** One request body field, reduced to what a form needs. */
function field(spec: Json, raw: Json): Json {
  const resolve = (s: Json): Json => (s.$ref ? resolve(spec.components.schemas[s.$ref.split("/").pop()]) : s);
  let s = resolve(raw);
  // `oneOf: [X, {type: null}]` is utoipa's nullable X.
  const alternatives = (s.oneOf ?? []).map(resolve).filter((a: Json) => a.type !== "null");
  if (alternatives.length === 1) s = { ...alternatives[0], ...s, oneOf: undefined };
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  const out: Json = { type, mutability: raw["x-overcast-mutability"] ?? s["x-overcast-mutability"] };
  for (const key of ["enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "multipleOf", "format"]) {
    if (s[key] !== undefined) out[key] = s[key];
  }
  const description = raw.description ?? s.description;
  if (description && !s.enum) out.description = description.split("\n\n")[0].replace(/\n/g, " ").replace(/`/g, "");
  if (type === "array") out.items = field(spec, s.items ?? {});
  return out;
}

/**
 * `virtual:overcast-schemas`: the request bodies of the spec the console is
 * built against (their limits, patterns, enums and mutability), so the
 * console's forms check what the API checks, from the one source.
 */
function overcastSchemas(): Plugin {
  return {
    name: "overcast-schemas",
    resolveId: (id) => (id === MODULE ? "\0" + MODULE : undefined),
    load(id) {
      if (id !== "\0" + MODULE) return undefined;
      this.addWatchFile(SPEC);
      const spec = JSON.parse(readFileSync(SPEC, "utf8"));
      const bodies: Json = {};
      for (const operations of Object.values<Json>(spec.paths)) {
        for (const op of Object.values<Json>(operations)) {
          const ref = op?.requestBody?.content?.["application/json"]?.schema?.$ref;
          if (!ref) continue;
          const name = ref.split("/").pop();
          const schema = spec.components.schemas[name];
          const properties: Json = {};
          for (const [key, value] of Object.entries<Json>(schema.properties ?? {})) {
            properties[key] = field(spec, value);
          }
          bodies[name] = { required: schema.required ?? [], properties };
        }
      }
      return `export default ${JSON.stringify(bodies)};`;
    },
  };
}

// The console is served by overcast-server at `/`, next to the API at `/v1`.
// `npm run dev` proxies the API to a server on :8080.
export default defineConfig({
  plugins: [react(), overcastSchemas()],
  build: { outDir: "dist", sourcemap: false, assetsInlineLimit: 0 },
  server: { proxy: { "/v1": "http://127.0.0.1:8080" } },
});
