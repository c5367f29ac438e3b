import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The console is served by overcast-server at `/`, next to the API at `/v1`.
// `npm run dev` proxies the API to a server on :8080.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, assetsInlineLimit: 0 },
  server: { proxy: { "/v1": "http://127.0.0.1:8080" } },
});
